"""The audit log (审计日志): the one place that writes :class:`AuditEntry` rows, and the
registry of the actions they may name.

An action is named ``<app>.<entity>.<verb>`` (``catalog.version.publish``,
``cases.case.accept``) and declared next to the code that writes it, with its Chinese
label::

    PUBLISH = audit.Action("catalog.version.publish", "发布")
    audit.record(actor=actor, action=PUBLISH, obj=version)

:func:`record` takes only declared actions, so every row can be read in Chinese
(``label_of``) and supervision can rely on one spelling. Rows are only ever inserted.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass

from django.db import models

from . import actors, clock
from .models import AuditEntry

_NAME_RE = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+$")
_REGISTRY: dict[str, Action] = {}


@dataclass(frozen=True)
class Action:
    """One kind of audited change: ``name`` by the convention, ``label`` in Chinese."""

    name: str
    label: str

    def __post_init__(self):
        if not _NAME_RE.fullmatch(self.name):
            raise ValueError(f"audit action {self.name!r} is not <app>.<entity>.<verb>")
        known = _REGISTRY.get(self.name)
        if known is not None and known.label != self.label:
            raise ValueError(f"audit action {self.name!r} declared twice with two labels")
        _REGISTRY[self.name] = self

    def __str__(self):
        return self.name


def _load_all() -> None:
    """Import every app's ``services`` (where actions are declared), once: a label may
    be asked for before the module that writes the action was imported."""
    global _loaded
    if not _loaded:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("services")
        _loaded = True


_loaded = False


def label_of(name: str) -> str:
    """The Chinese label of an action name (the name itself if it is unknown)."""
    if name not in _REGISTRY:
        _load_all()
    action = _REGISTRY.get(name)
    return action.label if action else name


def registered() -> dict[str, Action]:
    """Every declared action by name (for the docs and the convention test)."""
    _load_all()
    return dict(_REGISTRY)


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """A JSON-able dict of an instance's concrete field values (FKs by id)."""
    result = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        result[field.name] = _plain(getattr(instance, field.attname))
    return result


def diff(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for the fields that differ."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    *,
    actor,
    action: Action,
    obj: models.Model,
    changes: dict | None = None,
    reason: str = "",
    save: bool = True,
) -> AuditEntry:
    """Write one audit row. ``actor`` is a ``User``, ``actors.Applicant(...)`` or
    ``actors.SYSTEM`` (never ``None``: the row names the real actor). ``save=False``
    returns it unsaved, for bulk_create."""
    if not isinstance(action, Action):
        raise TypeError(f"audit action must be a declared audit.Action, not {action!r}")
    entry = AuditEntry(
        at=clock.now(),
        actor=actors.actor_user(actor),
        actor_name=actors.actor_name(actor)[:100],
        action=action.name,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        reason=reason or "",
        changes=changes or {},
    )
    if save:
        entry.save()
    return entry
