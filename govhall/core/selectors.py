"""Reads of the audit log (审计日志)."""

from collections.abc import Iterable

from django.db.models import Model, QuerySet

from .models import AuditEntry


def history_for(*, obj: Model) -> QuerySet[AuditEntry]:
    """Audit trail of one object, newest first."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def history_for_many(*, objs: Iterable[Model]) -> QuerySet[AuditEntry]:
    """Audit trail of several objects of one model (e.g. a department's 进驻 records),
    newest first, in one query instead of one per object."""
    objs = list(objs)
    if not objs:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(
        object_type=objs[0]._meta.label_lower, object_id__in=[str(o.pk) for o in objs]
    )
