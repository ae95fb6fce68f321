"""The audit log speaks one language: every action is declared as
``<app>.<entity>.<verb>`` with a Chinese label, and :func:`audit.record` writes
nothing else — no bare string, no row without a real actor."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from django.apps import apps

import govhall
from govhall.core import actors, audit
from govhall.core.models import AuditEntry
from govhall.org import services as org_services
from govhall.testing import factories

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _import_everything() -> None:
    """Import every module of the project, so each declared action is registered."""
    for module in pkgutil.walk_packages(govhall.__path__, prefix="govhall."):
        parts = module.name.split(".")
        if {"tests", "migrations", "conftest", "wsgi"} & set(parts):
            continue
        importlib.import_module(module.name)


def test_every_declared_action_follows_the_convention_and_reads_in_chinese():
    _import_everything()
    declared = audit.registered()
    app_names = {c.name.rpartition(".")[2] for c in apps.get_app_configs()}
    # the org and calendar actions are among them (a rename shows up here)
    assert {
        "org.centre.create",
        "org.stationing.create",
        "org.stationing.end",
        "org.staff.update",
        "calendar.year.enter_schedule",
        "calendar.day.edit",
    } <= set(declared)
    for name, action in declared.items():
        app, entity, verb = name.split(".")
        assert app in app_names, name
        assert entity and verb, name
        assert action.label.strip() and CHINESE.search(action.label), name
        assert audit.label_of(name) == action.label


def test_an_action_off_the_convention_cannot_be_declared():
    for bad in ("create", "org.create", "Org.Centre.Create", "org.centre.create.now"):
        with pytest.raises(ValueError):
            audit.Action(bad, "新增")
    with pytest.raises(ValueError):  # one name, one label
        audit.Action("org.centre.create", "另一个标签")


@pytest.mark.django_db
def test_record_refuses_an_undeclared_string_and_a_missing_actor():
    centre = factories.make_centre()
    root = factories.superuser()
    with pytest.raises(TypeError):
        audit.record(actor=root, action="org.centre.create", obj=centre)
    with pytest.raises(TypeError):
        audit.record(actor=None, action=org_services.CENTRE_CREATE, obj=centre)
    assert not AuditEntry.objects.exists()

    audit.record(actor=actors.SYSTEM, action=org_services.CENTRE_CREATE, obj=centre)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.actor_name) == (
        "org.centre.create",
        "org.centre",
        "系统",
    )
