"""The /api/v1/staff/ endpoints: thin over the services, the same rules and stable
error codes as the pages, no 5xx for bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from govhall.staff import services
from govhall.staff.models import LeaveRequest

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_rules_answer_with_their_codes(stationed):
    p = stationed
    chief = api(p.market_chief.user)
    r = chief.post(
        "/api/v1/staff/moves/",
        {"staff": p.market_worker.pk, "planned_on": "2026-11-27", "reason": "调整"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "too_short_notice"
    r = chief.post(
        "/api/v1/staff/moves/",
        {
            "staff": p.market_worker.pk,
            "planned_on": "2026-11-30",
            "reason": "调整",
            "to_window": p.second.pk,
        },
        format="json",
    )
    assert r.status_code == 201
    move = r.json()["id"]
    admin = api(p.admin.user)
    r = admin.post(f"/api/v1/staff/moves/{move}/decide/", {"approve": True}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "min_term_not_served"
    r = admin.post(
        f"/api/v1/staff/moves/{move}/decide/",
        {"approve": True, "early_reason": "中心同意"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["state"] == "approved"
    r = admin.post(
        "/api/v1/staff/assignments/",
        {"staff": p.health_worker.pk, "window": p.second.pk, "starts_on": "2026-11-23"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["window_number"] == "02"


def test_a_chief_sees_only_their_department(stationed):
    p = stationed
    chief = api(p.market_chief.user)
    r = chief.post(
        "/api/v1/staff/moves/",
        {"staff": p.health_worker.pk, "planned_on": "2026-12-07", "reason": "调整"},
        format="json",
    )
    assert r.status_code == 404 and r.json()["code"] == "staff_not_found"
    names = {row["staff_name"] for row in chief.get("/api/v1/staff/assignments/").json()}
    assert names == {"市场窗口甲"}
    r = chief.get(f"/api/v1/staff/attendance/?staff={p.health_worker.pk}")
    assert r.status_code == 404
    worker = api(p.market_worker.user)
    assert {row["staff_name"] for row in worker.get("/api/v1/staff/assignments/").json()} == {
        "市场窗口甲"
    }
    r = worker.post(
        "/api/v1/staff/assignments/",
        {"staff": p.market_worker.pk, "window": p.second.pk, "starts_on": "2026-11-23"},
        format="json",
    )
    assert r.status_code == 403


def test_sign_in_out_leave_and_import_through_the_api(stationed):
    p = stationed
    clerk = api(p.clerk.user)
    r = clerk.post("/api/v1/staff/attendance/sign-out/")
    assert r.status_code == 409 and r.json()["code"] == "not_signed_in"
    r = clerk.post("/api/v1/staff/attendance/sign-in/")
    assert r.status_code == 200 and r.json()["flags"] == ["迟到"]
    r = clerk.post(
        "/api/v1/staff/leave/",
        {"kind": "annual", "starts_on": "2026-12-01", "ends_on": "2026-12-02", "reason": "休假"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["workdays"] == 2
    leave = r.json()["id"]
    assert (
        clerk.post(
            f"/api/v1/staff/leave/{leave}/decide/", {"approve": True}, format="json"
        ).status_code
        == 403
    )
    r = api(p.admin.user).post(
        f"/api/v1/staff/leave/{leave}/decide/", {"approve": True}, format="json"
    )
    assert r.status_code == 200 and LeaveRequest.objects.get(pk=leave).state == "approved"

    admin = api(p.admin.user)
    bad = b"\xe5\xb7\xa5\xe5\x8f\xb7,\xe6\x97\xb6\xe9\x97\xb4\nghost,2026-11-20 08:00\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = admin.post(
        "/api/v1/staff/attendance/import/",
        {"file": SimpleUploadedFile("a.csv", bad)},
        format="multipart",
    )
    body = r.json()
    assert r.status_code == 400 and body["code"] == "import_rows_invalid"
    assert body["fields"]["file"] == ["第 2 行：工号“ghost”不是在岗工作人员"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/staff/attendance/?staff=abc",
        "/api/v1/staff/attendance/?since=2026-13-01",
        "/api/v1/staff/moves/?state=nope",
        "/api/v1/staff/appraisals/?year=1800",
        "/api/v1/staff/roster/?day=xx",
        "/api/v1/staff/leave/?colour=red",
    ],
)
def test_bad_filters_are_400(stationed, path):
    r = api(stationed.admin.user).get(path)
    assert r.status_code == 400, r.content


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/staff/appraisals/99999999999/",
        "/api/v1/staff/appraisals/2147483648/pdf/",
        "/api/v1/staff/appraisals/5/",
        "/api/v1/staff/moves/99999999999/decide/",
    ],
)
def test_unknown_ids_are_404(stationed, path):
    client = api(stationed.admin.user)
    r = (
        client.post(path, {"approve": True}, format="json")
        if "decide" in path
        else client.get(path)
    )
    assert r.status_code == 404


def test_bad_bodies_are_400_not_500(stationed):
    admin = api(stationed.admin.user)
    for body in (
        {"staff": "x", "window": 1, "starts_on": "2026-11-23"},
        {"staff": 2**40, "window": 1, "starts_on": "2026-11-23"},
        {"staff": 1, "window": 1, "starts_on": "23/11/2026"},
        {},
    ):
        assert admin.post("/api/v1/staff/assignments/", body, format="json").status_code == 400
    r = admin.post(
        "/api/v1/staff/assignments/",
        {"staff": stationed.clerk.pk, "window": 999999, "starts_on": "2026-11-23"},
        format="json",
    )
    assert r.status_code == 404 and r.json()["code"] == "window_not_found"
    r = api(stationed.org.root).post(
        "/api/v1/staff/leave/",
        {"kind": "annual", "starts_on": "2026-12-01", "ends_on": "2026-12-02", "reason": "休假"},
        format="json",
    )
    assert r.status_code == 403


def test_the_appraisal_and_its_pdf(stationed):
    p = stationed
    a = services.save_appraisal(
        actor=p.admin.user, staff=p.clerk, year=2026, score=90, grade="excellent"
    )
    r = api(p.admin.user).get(f"/api/v1/staff/appraisals/{a.pk}/")
    figures = r.json()["figures"]
    assert r.status_code == 200 and figures["cases"]["handled"] == 0
    assert figures["attendance"]["since"] is None  # no attendance kept yet: none expected
    r = api(p.admin.user).get(f"/api/v1/staff/appraisals/{a.pk}/pdf/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert api(p.market_chief.user).get(f"/api/v1/staff/appraisals/{a.pk}/").status_code == 404
    assert [
        row["staff_name"]
        for row in api(p.clerk.user).get("/api/v1/staff/appraisals/?year=2026").json()
    ] == ["综窗"]
    r = api(p.supervisor.user).get("/api/v1/staff/roster/?day=2026-11-23")
    assert r.status_code == 200 and len(r.json()["rows"]) == 3
    assert dt.date.fromisoformat(r.json()["day"]) == dt.date(2026, 11, 23)
