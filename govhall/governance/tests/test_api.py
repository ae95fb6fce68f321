"""The REST endpoints: file (JSON and multipart with the written application), list
and detail by visibility, one route per transition, and the stable error codes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from govhall.catalog.models import Item

from .conftest import pdf

pytestmark = pytest.mark.django_db

BASE = "/api/v1/adjustments/"


def client(staff=None) -> APIClient:
    c = APIClient()
    if staff is not None:
        c.force_authenticate(staff.user)
    return c


def _file(hall, **extra):
    data = {
        "kind": "suspend",
        "item": hall.market_item.implementation_code,
        "trigger": "other",
        "trigger_date": "2026-11-20",
        "reasons": "系统升级暂停受理",
        "files": [pdf()],
        **extra,
    }
    return client(hall.staff.market_chief).post(BASE, data, format="multipart")


def test_file_submit_and_approve_through_the_api(hall):
    r = _file(hall)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == "TZ2026-0001" and body["state"] == "draft"
    assert [a["action"] for a in body["actions"]] == ["submit", "withdraw"]
    url = f"{BASE}{body['number']}/"
    r = client(hall.staff.market_chief).post(
        url + "submit/", {"expected_version": body["version"]}, format="json"
    )
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    stale = client(hall.staff.admin).post(url + "approve/", {"expected_version": 0}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_request"
    r = client(hall.staff.admin).post(
        url + "approve/", {"expected_version": r.json()["version"], "opinion": "同意"},
        format="json",
    )  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "applied"
    assert [e["action"] for e in r.json()["events"]] == ["create", "submit", "approve"]
    assert Item.objects.get(pk=hall.market_item.pk).status == "suspended"


def test_errors_have_stable_codes(hall):
    body = _file(hall).json()
    url = f"{BASE}{body['number']}/"
    # the department does not approve
    r = client(hall.staff.market_chief).post(
        url + "approve/", {"expected_version": body["version"]}, format="json"
    )
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    # not in this state
    r = client(hall.staff.admin).post(
        url + "record-county/",
        {"expected_version": body["version"], "document": "x", "approved_on": "2026-11-23"},
        format="json",
    )
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    # one open request per item
    assert _file(hall).json()["code"] == "open_request_exists"
    # an unknown item, a missing field
    r = _file(hall, item="X" * 30)
    assert r.status_code == 400 and r.json()["code"] == "unknown_item"
    r = client(hall.staff.market_chief).post(BASE, {"kind": "cancel"}, format="json")
    assert r.status_code == 400 and "reasons" in r.json()["fields"]
    # another department sees nothing of it; the centre sees it
    r = client(hall.staff.health_chief).get(url)
    assert r.status_code == 404 and r.json()["code"] == "request_not_found"
    assert client(hall.staff.health_chief).get(BASE).json()["count"] == 0
    assert client(hall.staff.admin).get(BASE).json()["count"] == 1
    assert client(hall.staff.clerk).get(BASE).status_code == 403
    assert client().get(BASE).status_code in (401, 403)
    # only a 首席代表 files
    r = client(hall.staff.admin).post(
        BASE, {"kind": "cancel", "item": hall.market_item.implementation_code,
               "trigger": "law", "trigger_date": "2026-11-20", "reasons": "x"}, format="json",
    )  # fmt: skip
    assert r.status_code == 403


def test_filters_and_unknown_parameters(hall):
    _file(hall)
    admin = client(hall.staff.admin)
    assert admin.get(BASE, {"state": "draft", "kind": "suspend"}).json()["count"] == 1
    assert admin.get(BASE, {"state": "applied"}).json()["count"] == 0
    r = admin.get(BASE, {"bogus": "1"})
    assert r.status_code == 400
    r = admin.get(BASE, {"state": "nope"})
    assert r.status_code == 400


def test_submission_without_application_is_refused(hall):
    body = _file(hall, files=[]).json()
    r = client(hall.staff.market_chief).post(
        f"{BASE}{body['number']}/submit/", {"expected_version": body["version"]}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "application_missing"
    # sent with 提交 itself, it counts
    r = client(hall.staff.market_chief).post(
        f"{BASE}{body['number']}/submit/",
        {"expected_version": body["version"], "files": [pdf()]},
        format="multipart",
    )
    assert r.status_code == 200, r.content
    assert r.json()["attachments"][0]["name"] == "书面申请.pdf"
