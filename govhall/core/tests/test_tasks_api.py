"""GET /api/v1/tasks/ and POST /api/v1/tasks/{id}/retry|discard/ (govhall/org/task_api.py):
the dead-letter list for the centre administrator, as the staff page."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from govhall.core import tasks
from govhall.core.models import AuditEntry, TaskDelivery

from . import sample_tasks

PHONE = "13904775678"


@pytest.fixture
def dead(org):
    sample_tasks.down.add("supervision")
    tasks.enqueue(sample_tasks.push, delivery_id="push:api", endpoint="supervision", phone=PHONE)
    sample_tasks.down.clear()
    return TaskDelivery.objects.get()


def _api(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def _admin(org):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="admin")


def test_the_admin_lists_dead_letters_masked(org, dead):
    body = _api(_admin(org)).get("/api/v1/tasks/").json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row["delivery_id"] == "push:api" and row["state"]["label"] == "死信"
    assert row["kwargs"] == {"endpoint": "supervision", "phone": "139****5678"}
    assert (row["attempts"], row["max_attempts"]) == (2, 2)
    assert row["last_error"] == "ConnectionRefusedError: supervision refused the connection"
    assert _api(_admin(org)).get("/api/v1/tasks/?state=done").json()["count"] == 0
    bad = _api(_admin(org)).get("/api/v1/tasks/?state=lost")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_filter"


def test_others_may_not(org, dead):
    assert _api().get("/api/v1/tasks/").status_code in (401, 403)
    chief = _api(org.staff.market_chief.user)
    assert chief.get("/api/v1/tasks/").status_code == 403
    assert chief.post(f"/api/v1/tasks/{dead.pk}/retry/", {}, format="json").status_code == 403


def test_retry_and_discard(org, dead):
    api = _api(_admin(org))
    refused = api.post(f"/api/v1/tasks/{dead.pk}/discard/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["fields"] == {"reason": ["请填写理由"]}
    done = api.post(f"/api/v1/tasks/{dead.pk}/retry/", {"reason": "已恢复"}, format="json")
    assert done.status_code == 200 and done.json()["state"]["value"] == "done"
    assert AuditEntry.objects.get(action="core.delivery.retry").reason == "已恢复"
    again = api.post(f"/api/v1/tasks/{dead.pk}/discard/", {"reason": "x"}, format="json")
    assert again.status_code == 409
    assert api.post("/api/v1/tasks/999999/retry/", {}, format="json").status_code == 404
    too_big = api.post(f"/api/v1/tasks/{2**70}/discard/", {"reason": "x"}, format="json")
    assert too_big.status_code == 404
