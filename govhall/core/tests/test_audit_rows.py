"""The audit log names the real actor, and rows written before the naming convention
are rewritten to it."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import subprocess
import sys

from django.apps import apps

from govhall.cases import services
from govhall.cases.models import Channel
from govhall.core import audit, clock
from govhall.core.models import AuditEntry
from govhall.testing import factories


def _online_application(org, item):
    return services.apply_online(
        item=item,
        applicant={
            "kind": "person",
            "name": "张三丰",
            "id_number": factories.make_id_number(7),
            "phone": "13800001234",
        },  # fmt: skip
        materials=[{"material": m} for m in item.versions.get().materials.all()],
    )


def test_an_online_application_is_audited_as_the_applicant(org):
    item = factories.publish_item(
        actor=org.root, department=org.market, basic_code="000111222001", name="食品经营许可"
    )
    case = _online_application(org, item)
    assert case.channel == Channel.ONLINE and case.centre == org.county
    entry = AuditEntry.objects.get(object_type="cases.case", object_id=str(case.pk))
    assert entry.action == "cases.case.submit" and entry.actor is None
    assert entry.actor_name == "申请人 张三丰" == case.events.get().actor_name
    assert audit.label_of(entry.action) == "申请"


def _old_row(action, object_type, object_id="1", actor_name="管理员"):
    return AuditEntry.objects.create(
        at=clock.now(), actor_name=actor_name, action=action, object_type=object_type,
        object_id=object_id,
    )  # fmt: skip


def test_the_migration_rewrites_old_action_names(db):
    rows = {
        ("publish", "catalog.item"): "catalog.version.publish",
        ("create", "catalog.lifeevent"): "catalog.life_event.create",
        ("create", "org.centre"): "org.centre.create",
        ("withdraw", "org.stationing"): "org.stationing.end",
        ("calendar.edit_day", "workcalendar.day"): "calendar.day.edit",
        ("case.accept", "cases.case"): "cases.case.accept",
        ("case.deemed_acceptance", "cases.case"): "cases.case.deemed_acceptance",
        ("bundle.update", "cases.bundle"): "cases.bundle.update",
    }
    made = {key: _old_row(*key) for key in rows}
    untouched = _old_row("withdraw", "cases.case")  # never written: must stay as it is
    migration = importlib.import_module("govhall.core.migrations.0002_audit_action_names")
    migration.forwards(apps, None)
    for key, entry in made.items():
        entry.refresh_from_db()
        assert entry.action == rows[key], key
        assert audit.label_of(entry.action) != entry.action, f"{entry.action} has no label"
    untouched.refresh_from_db()
    assert untouched.action == "withdraw"
    migration.backwards(apps, None)
    for key, entry in made.items():
        entry.refresh_from_db()
        assert entry.action == key[0]


def test_the_migration_names_the_applicant_of_an_old_submission(org):
    item = factories.publish_item(
        actor=org.root, department=org.market, basic_code="000111222001", name="食品经营许可"
    )
    with clock.frozen(dt.datetime(2026, 11, 23, 10)):
        case = _online_application(org, item)
    # As the code before issue 7 wrote it: the applicant's submission audited as 系统.
    AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).update(
        actor_name="系统"
    )
    staff_row = _old_row("cases.case.submit", "cases.case", object_id="999", actor_name="系统")
    migration = importlib.import_module("govhall.cases.migrations.0004_audit_names_the_applicant")
    migration.forwards(apps, None)
    entry = AuditEntry.objects.get(object_type="cases.case", object_id=str(case.pk))
    assert entry.actor_name == "申请人 张三丰"
    staff_row.refresh_from_db()
    assert staff_row.actor_name == "系统"  # no applicant event behind it: left alone


def test_every_label_is_known_in_a_fresh_process():
    """A history page may be the first thing a worker serves: the labels of actions
    declared outside an app's ``services`` (catalog's 授权书 items) are known too."""
    code = (
        "import django; django.setup(); from govhall.core import audit; "
        "print(audit.label_of('catalog.authorised_item.create'), "
        "audit.label_of('cases.case.accept'), audit.label_of('org.stationing.end'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "govhall.settings"},
    ).stdout.split()
    assert out == ["授权事项", "受理", "撤驻"]
