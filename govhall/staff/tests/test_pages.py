"""The 人员管理 pages for each role: what they show, who may open them, and that a
page's form reaches the same rule as the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from govhall.core import clock
from govhall.staff import services
from govhall.staff.models import LeaveRequest, MoveRequest

pytestmark = pytest.mark.django_db

PAGES = [
    "/staff/people/",
    "/staff/people/sign/",
    "/staff/people/attendance/",
    "/staff/people/leave/",
    "/staff/people/training/",
    "/staff/people/appraisals/",
]
MANAGED = ["/staff/people/assignments/", "/staff/people/moves/", "/staff/people/returns/"]


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_every_page_opens_for_every_role_and_the_nav_has_the_menu(stationed):
    p = stationed
    for person in (p.admin, p.market_chief, p.clerk, p.supervisor, p.market_worker):
        client = login(person.user)
        for url in PAGES:
            response = client.get(url)
            assert response.status_code == 200, (person, url)
            assert "人员管理" in response.content.decode()
        for url in MANAGED:
            expected = 200 if person in (p.admin, p.market_chief, p.supervisor) else 403
            assert client.get(url).status_code == expected, (person, url)


def test_the_sign_page_signs_in_and_out(stationed):
    client = login(stationed.clerk.user)
    client.post("/staff/people/sign/", {"action": "in"})
    page = client.get("/staff/people/sign/").content.decode()
    assert "09:00" in page and "迟到" in page
    client.post("/staff/people/sign/", {"action": "in"})
    assert "今天已于 09:00 签到" in client.get("/staff/people/sign/").content.decode()


def test_the_move_form_refuses_short_notice_like_the_api(stationed):
    p = stationed
    client = login(p.market_chief.user)
    response = client.post(
        "/staff/people/moves/",
        {"staff": p.market_worker.pk, "planned_on": "2026-11-26", "reason": "调整"},
        follow=True,
    )
    assert "须提前五个工作日" in response.content.decode()
    assert not MoveRequest.objects.exists()
    # another department's worker is not offered and not accepted
    response = client.post(
        "/staff/people/moves/",
        {"staff": p.health_worker.pk, "planned_on": "2026-12-07", "reason": "调整"},
    )
    assert response.status_code == 404 and not MoveRequest.objects.exists()


def test_a_chief_sees_their_department_only(stationed):
    p = stationed
    services.sign_in(actor=p.health_worker.user)
    services.sign_in(actor=p.market_worker.user)
    page = login(p.market_chief.user).get("/staff/people/attendance/").content.decode()
    assert "市场窗口甲" in page and "卫健窗口甲" not in page
    response = login(p.market_chief.user).get(
        f"/staff/people/attendance/?staff={p.health_worker.pk}"
    )
    assert response.status_code == 404


def test_the_leave_page_approves_and_the_assignment_page_needs_the_reason(stationed):
    p = stationed
    leave = services.request_leave(
        actor=p.market_worker.user,
        staff=p.market_worker,
        kind="personal",
        starts_on=dt.date(2026, 11, 25),
        ends_on=dt.date(2026, 11, 25),
        reason="办事",
    )
    admin = login(p.admin.user)
    admin.post(f"/staff/people/leave/{leave.pk}/decide/", {"approve": "1", "note": ""})
    assert LeaveRequest.objects.get(pk=leave.pk).state == "approved"
    response = admin.post(
        "/staff/people/assignments/",
        {
            "staff": p.market_worker.pk,
            "window": p.second.pk,
            "starts_on": clock.today().isoformat(),
        },
        follow=True,
    )
    assert "未满一年" in response.content.decode()
