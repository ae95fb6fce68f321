"""Query-parameter parsing for the public API (筛选参数).

A wrong filter value is a caller's mistake we can name: instead of silently
ignoring ``type=foo`` (and returning the whole catalogue, which looks like an answer)
the API refuses with 400 ``invalid_filter`` and names the parameter in ``fields``.
Only ``govhall.core`` is imported, so every app's ``api.py`` may use this module.
"""

from __future__ import annotations

from django.db.models import TextChoices

from govhall.core.errors import ValidationFailed

TRUE_VALUES = {"true", "1", "yes"}
FALSE_VALUES = {"false", "0", "no"}


def invalid_filter(name: str, value: str, hint: str) -> ValidationFailed:
    """The one error for a bad query parameter: code ``invalid_filter``."""
    return ValidationFailed(
        f"筛选参数 {name} 的取值“{value}”无效：{hint}",
        code="invalid_filter",
        fields={name: [hint]},
    )


def text(params, name: str) -> str:
    return (params.get(name) or "").strip()


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


def integer(params, name: str, *, minimum: int = 1) -> int | None:
    value = text(params, name)
    if not value:
        return None
    if not value.isdigit() or int(value) < minimum:
        raise invalid_filter(name, value, f"应为不小于{minimum}的整数")
    return int(value)
