"""Audit action names follow ``<app>.<entity>.<verb>`` (issue 7): rewrite the rows
written before, so that supervision reads one spelling. Rows are otherwise untouched."""

from django.db import migrations

# (old action, object_type) → new action. Object types are ``Model._meta.label_lower``.
RENAMES = {
    # catalogue
    ("create", "catalog.item"): "catalog.item.create",
    ("start_draft", "catalog.item"): "catalog.version.start_draft",
    ("save_draft", "catalog.item"): "catalog.version.save_draft",
    ("publish", "catalog.item"): "catalog.version.publish",
    ("change_flags", "catalog.item"): "catalog.item.change_flags",
    ("set_life_events", "catalog.item"): "catalog.item.set_life_events",
    ("import_create", "catalog.item"): "catalog.item.import_create",
    ("import_update", "catalog.item"): "catalog.item.import_update",
    ("create", "catalog.lifeevent"): "catalog.life_event.create",
    ("authorise_item", "org.authorisation"): "catalog.authorised_item.create",
    ("change_authorised_item", "org.authorisation"): "catalog.authorised_item.update",
    ("remove_authorised_item", "org.authorisation"): "catalog.authorised_item.remove",
    # organisation
    ("create", "org.centre"): "org.centre.create",
    ("update", "org.centre"): "org.centre.update",
    ("create", "org.department"): "org.department.create",
    ("update", "org.department"): "org.department.update",
    ("create", "org.window"): "org.window.create",
    ("update", "org.window"): "org.window.update",
    ("create", "org.staff"): "org.staff.create",
    ("update", "org.staff"): "org.staff.update",
    ("create", "org.authorisation"): "org.authorisation.create",
    ("update", "org.authorisation"): "org.authorisation.update",
    ("station", "org.stationing"): "org.stationing.create",
    ("withdraw", "org.stationing"): "org.stationing.end",
    # calendar
    ("calendar.enter_schedule", "workcalendar.yearschedule"): "calendar.year.enter_schedule",
    ("calendar.edit_day", "workcalendar.day"): "calendar.day.edit",
    # 一件事 definitions
    ("bundle.create", "cases.bundle"): "cases.bundle.create",
    ("bundle.update", "cases.bundle"): "cases.bundle.update",
}
CASE_PREFIX = "case."  # case.accept → cases.case.accept, case.submit → cases.case.submit …


def forwards(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    for (old, object_type), new in RENAMES.items():
        AuditEntry.objects.filter(action=old, object_type=object_type).update(action=new)
    for action in (
        AuditEntry.objects.filter(object_type="cases.case", action__startswith=CASE_PREFIX)
        .values_list("action", flat=True)
        .distinct()
    ):
        AuditEntry.objects.filter(object_type="cases.case", action=action).update(
            action="cases." + action
        )


def backwards(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    for (old, object_type), new in RENAMES.items():
        AuditEntry.objects.filter(action=new, object_type=object_type).update(action=old)
    for action in (
        AuditEntry.objects.filter(object_type="cases.case", action__startswith="cases.case.")
        .values_list("action", flat=True)
        .distinct()
    ):
        AuditEntry.objects.filter(object_type="cases.case", action=action).update(
            action=action.removeprefix("cases.")
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
