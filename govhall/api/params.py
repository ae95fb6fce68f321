"""Query-parameter parsing for the public API (筛选参数).

A wrong filter value is a caller's mistake we can name: instead of silently
ignoring ``type=foo`` (and returning the whole catalogue, which looks like an answer)
the API refuses with 400 ``invalid_filter`` and names the parameter in ``fields``.
Only ``govhall.core`` is imported, so every app's ``api.py`` may use this module.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import TextChoices

from govhall.core.errors import ValidationFailed

TRUE_VALUES = {"true", "1", "yes"}
FALSE_VALUES = {"false", "0", "no"}


def invalid_filter(name: str, value: str, hint: str) -> ValidationFailed:
    """The one error for a bad query parameter: code ``invalid_filter``."""
    return ValidationFailed(
        f"筛选参数 {name} 的取值“{_shown(value)}”无效：{hint}",
        code="invalid_filter",
        fields={name: [hint]},
    )


# Parameters every list endpoint knows besides its own filters: paging and DRF's
# format suffix (``?format=json``).
PAGING = ("limit", "offset")
ALWAYS = ("format",)
# The largest integer a parameter may carry: an id or a count fits PostgreSQL's
# ``integer``/``bigint`` only below this, and nothing in the API needs more.
INT_MAX = 2**31 - 1


def known(params, *names: str, paged: bool = True) -> None:
    """Refuse a parameter the endpoint does not know (a typo such as ``?stat=`` would
    otherwise return the whole list, which looks like an answer): 400
    ``invalid_filter`` naming each unknown parameter. Every list endpoint calls this
    with its filters; ``limit``/``offset`` (when ``paged``) and ``format`` are known."""
    allowed = {*names, *ALWAYS, *(PAGING if paged else ())}
    unknown = sorted(name for name in params if name not in allowed)
    if unknown:
        hint = "可用参数为 " + ("、".join(sorted(allowed)))
        raise ValidationFailed(
            f"未知的查询参数 {'、'.join(_shown(n) for n in unknown)}：{hint}",
            code="invalid_filter",
            fields={_shown(name): ["未知参数"] for name in unknown},
        )


def _shown(value: str) -> str:
    """A caller's value safe to echo back in a message (no NUL, bounded length)."""
    value = value.replace("\x00", "\\0")
    return value if len(value) <= 50 else value[:50] + "…"


def text(params, name: str) -> str:
    """A parameter's text ("" when absent); a NUL character is refused (PostgreSQL
    cannot compare with it)."""
    value = (params.get(name) or "").strip()
    if "\x00" in value:
        raise invalid_filter(name, value, "不能包含空字符（NUL）")
    return value


def choice(params, name: str, choices: type[TextChoices]) -> str:
    """A value of ``choices`` or "" when absent."""
    value = text(params, name)
    if value and value not in choices.values:
        allowed = "、".join(f"{v}（{label}）" for v, label in choices.choices if v)
        raise invalid_filter(name, value, f"可选值为 {allowed}")
    return value


def boolean(params, name: str) -> bool | None:
    """true/false (also 1/0, yes/no); ``None`` when absent."""
    value = text(params, name).lower()
    if not value:
        return None
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise invalid_filter(name, value, "应为 true 或 false")


def integer(params, name: str, *, minimum: int = 1, maximum: int = INT_MAX) -> int | None:
    """A whole number in ``[minimum, maximum]``; ``None`` when absent."""
    value = text(params, name)
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or not minimum <= int(value) <= maximum:
        raise invalid_filter(name, value, f"应为 {minimum} 至 {maximum} 之间的整数")
    return int(value)


def date(params, name: str) -> dt.date | None:
    """A calendar day ``YYYY-MM-DD``; ``None`` when absent."""
    value = text(params, name)
    if not value:
        return None
    if len(value) != 10:
        raise invalid_filter(name, value, "应为 YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise invalid_filter(name, value, "应为 YYYY-MM-DD") from None


def validated(serializer_class, data) -> dict:
    """A request body checked by ``serializer_class``: its validated data, or the
    400 ``validation_failed`` the API's error handler makes of the serializer's
    errors (field by field)."""
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.validated_data


def fits_column(value, model, field_name: str) -> bool:
    """Can ``value`` (a path parameter) be compared with ``model.field_name`` at all?
    A string with a NUL or longer than the column, or an integer outside the column's
    range, names nothing — the caller answers its own 404 instead of letting
    PostgreSQL fail on it."""
    from .fields import column_range

    if isinstance(value, int):
        low, high = column_range(model, field_name)
        return low <= value <= high
    value = str(value)
    max_length = model._meta.get_field(field_name).max_length
    return "\x00" not in value and (max_length is None or len(value) <= max_length)
