"""An applicant's own submission (online, kiosk) was audited as 系统 while the case
event named the applicant (issue 7): the audit row takes the event's actor name."""

from django.db import migrations


def forwards(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    rows = AuditEntry.objects.filter(
        object_type="cases.case",
        action__in=["cases.case.submit", "cases.case.submit_bundle"],
        actor__isnull=True,
        actor_name="系统",
    )
    for entry in rows.iterator():
        name = (
            CaseEvent.objects.filter(case_id=entry.object_id, action="submit")
            .values_list("actor_name", flat=True)
            .first()
        )
        if name and name.startswith("申请人"):
            AuditEntry.objects.filter(pk=entry.pk).update(actor_name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_bundle_notice_kind"),
        ("core", "0002_audit_action_names"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
