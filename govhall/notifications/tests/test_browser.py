"""The staff inbox in a real browser at 390 px: the bell, the inbox, the case page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govhall.cases import services
from govhall.core.validators import mask_phone
from govhall.testing import factories
from govhall.testing.browser import browser_page  # noqa: F401

SHOTS = Path("/tmp/govhall_notifications_shots")


@pytest.mark.browser
def test_a_chief_opens_the_case_assigned_to_them_from_the_bell(browser_page):  # noqa: F811
    hall = factories.build_hall()
    case = factories.window_case(hall)
    chief = hall.staff.market_chief
    services.transition(
        actor=hall.staff.clerk.user,
        case=case,
        action="accept",
        expected_version=case.version,
        responsible=chief,
    )
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/staff/login/")
    page.fill("input[name=username]", chief.user.username)
    page.fill("input[name=password]", "govhall-test")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    bell = page.locator("a.inbox-bell")
    assert bell.is_visible()  # outside the collapsed menu at 390 px
    assert bell.locator(".inbox-unread").inner_text() == "1"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "bell.png"))
    bell.click()
    page.wait_for_url(re.compile(r"/staff/notifications/"))
    item = page.locator(".inbox-item").first
    assert f"新分派办件：{case.number}" in item.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "inbox.png"), full_page=True)
    item.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(rf"/staff/cases/{case.number}/"))
    assert page.locator("a.inbox-bell .inbox-unread").count() == 0  # read now
    section = page.locator("table.notifications")
    text = section.inner_text()
    assert f"{case.applicant_name}（{mask_phone(case.applicant_phone)}）" in text
    assert case.applicant_phone not in page.content()
    assert "已送达" in text and "站内消息" in text
    page.screenshot(path=str(SHOTS / "case.png"), full_page=True)
