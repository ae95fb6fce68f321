"""Audit recording — the one place that writes :class:`AuditEntry` rows."""

from __future__ import annotations

import datetime as dt
import decimal

from django.db import models

from . import clock
from .models import AuditEntry


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


def _actor_name(actor) -> str:
    if actor is None:
        return "系统"
    staff = getattr(actor, "staff", None)
    if staff is not None:
        return staff.name
    return actor.get_full_name() or actor.get_username()


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    changes: dict | None = None,
    reason: str = "",
    save: bool = True,
) -> AuditEntry:
    """Write one audit row. ``save=False`` returns it unsaved, for bulk_create."""
    entry = AuditEntry(
        at=clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        reason=reason or "",
        changes=changes or {},
    )
    if save:
        entry.save()
    return entry
