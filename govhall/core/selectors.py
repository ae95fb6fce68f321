from django.db.models import Model, QuerySet

from .models import AuditEntry


def history_for(*, obj: Model) -> QuerySet[AuditEntry]:
    """Audit trail of one object, newest first."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
