"""变更记录 as staff read it: field names, choices, related objects and times in Chinese.

An audit row keeps its changes as plain JSON (``{"field": [before, after]}``, foreign
keys by id, choices by code, times in ISO 8601) so that it never changes after it is
written. This module turns them into what a clerk understands — ``事项类型：行政许可``
rather than ``type: licensing``, ``实施部门：乌审旗市场监督管理局`` rather than
``department: 1`` — at display time, from the model the row names (``object_type``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

# Keys that are not fields of the audited model (a service records what it changed in
# its own words: the approvers of an authorised item, a version number).
EXTRA_LABELS = {
    "item": "事项",
    "approvers": "审批人员",
    "version": "版本",
    "valid_from": "生效日期",
    "items": "事项",
    "state": "状态",
    "password": "密码",
}
EMPTY = "—"


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(model, name: str) -> str:
    field = _field(model, name)
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    return EXTRA_LABELS.get(name, name)


def _time(value: str) -> str | None:
    """An ISO date or datetime as staff write it, or ``None`` if it is not one."""
    if not isinstance(value, str) or len(value) < 10 or value[4:5] != "-":
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value).strftime("%Y-%m-%d")
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


class _Names:
    """Names of related objects, read once per model for all rows of a page."""

    def __init__(self):
        self._cache: dict[tuple, dict] = {}

    def lookup(self, model, keys: set) -> dict:
        wanted = {k for k in keys if (model, k) not in self._cache}
        if wanted:
            by_pk = {k for k in wanted if isinstance(k, int)}
            by_code = {k for k in wanted if isinstance(k, str)}
            found = {}
            if by_pk:
                found.update({o.pk: str(o) for o in model._default_manager.filter(pk__in=by_pk)})
            if by_code and _field(model, "code") is not None:
                found.update(
                    {o.code: str(o) for o in model._default_manager.filter(code__in=by_code)}
                )
            for key in wanted:
                self._cache[(model, key)] = found.get(key)
        return {k: self._cache[(model, k)] for k in keys}


def _related_model(model, name: str):
    field = _field(model, name)
    if field is not None and (field.many_to_one or field.one_to_one or field.many_to_many):
        return field.related_model
    return None


def _keys(value) -> set:
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, int | str) and not isinstance(v, bool)}


def _show(value, *, field=None, names: dict | None = None) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list):
        return "、".join(_show(v, field=field, names=names) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if names is not None and value in names and names[value] is not None:
        return names[value]
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    when = _time(value)
    if when is not None:
        return when
    return str(value)


def change_rows(entries) -> None:
    """Give each audit entry ``change_rows`` (a list of :class:`ChangeRow`)."""
    names = _Names()
    wanted: dict = {}
    for entry in entries:
        model = _model(entry.object_type)
        for key, pair in (entry.changes or {}).items():
            related = _related_model(model, key)
            if related is not None and isinstance(pair, list):
                for value in pair:
                    wanted.setdefault(related, set()).update(_keys(value))
    for related, keys in wanted.items():
        names.lookup(related, keys)
    for entry in entries:
        model = _model(entry.object_type)
        rows = []
        for key, pair in (entry.changes or {}).items():
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            field = _field(model, key)
            related = _related_model(model, key)
            known = (
                names.lookup(related, _keys(before) | _keys(after)) if related is not None else None
            )
            if isinstance(field, models.ForeignKey | models.ManyToManyField):
                field = None  # shown by name, not by choices
            rows.append(
                ChangeRow(
                    label=_label(model, key),
                    before=_show(before, field=field, names=known),
                    after=_show(after, field=field, names=known),
                )
            )
        entry.change_rows = rows
