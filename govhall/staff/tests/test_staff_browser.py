"""The main path of 人员管理 in a real browser: the centre administrator opens today's
roster (who is in, who is on leave, who has not signed in), approves a leave
request, and opens the year-end appraisal sheet (PDF) from the appraisal page.
Pages are photographed at 1280 and 390 px into /tmp/shots_staff and must fit a
390 px phone without scrolling sideways."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govhall.staff import services
from govhall.staff.models import LeaveRequest
from govhall.testing.browser import browser_page  # noqa: F401

SHOTS = Path("/tmp/shots_staff")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "govhall-test")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/staff/**")


def _shoot(page, name):
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / f"{name}_1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"{name}_390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    page.set_viewport_size(DESKTOP)


@pytest.mark.browser
def test_roster_leave_approval_and_appraisal_pdf(browser_page, stationed):  # noqa: F811
    p = stationed
    SHOTS.mkdir(exist_ok=True)
    services.sign_in(actor=p.clerk.user)
    leave = services.request_leave(
        actor=p.health_worker.user,
        staff=p.health_worker,
        kind="sick",
        starts_on=dt.date(2026, 11, 23),
        ends_on=dt.date(2026, 11, 24),
        reason="发烧就医",
    )
    appraisal = services.save_appraisal(
        actor=p.admin.user,
        staff=p.clerk,
        year=2026,
        score=92,
        grade="excellent",
        comments="服务热情",
    )
    page = browser_page
    _login(page, "admin")
    page.goto("/staff/people/")
    assert page.locator("tr.roster-row[data-staff=clerk] .roster-status").inner_text() == "已签到"
    assert (
        page.locator("tr.roster-row[data-staff=health_worker] .roster-status").inner_text()
        == "未签到"
    )
    _shoot(page, "roster")

    page.goto("/staff/people/leave/")
    row = page.locator(f"tr.leave-row[data-leave='{leave.pk}']")
    _shoot(page, "leave")
    row.get_by_role("button", name="批准", exact=True).click()
    page.wait_for_load_state()
    assert (
        "已批准" in page.locator(f"tr.leave-row[data-leave='{leave.pk}'] .leave-state").inner_text()
    )
    assert LeaveRequest.objects.get(pk=leave.pk).state == "approved"
    page.goto("/staff/people/")
    assert "请假（病假）" in page.locator("tr.roster-row[data-staff=health_worker]").inner_text()

    page.goto(f"/staff/people/appraisals/{appraisal.pk}/")
    _shoot(page, "appraisal")
    href = page.locator("a.appraisal-pdf").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    for name, url in (
        ("assignments", "/staff/people/assignments/"),
        ("attendance", "/staff/people/attendance/"),
        ("appraisals", "/staff/people/appraisals/"),
    ):
        page.goto(url)
        _shoot(page, name)
