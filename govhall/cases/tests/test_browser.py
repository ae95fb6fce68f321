"""The window desk in a real browser: item search → applicant and materials →
accept → the printable 受理通知书 (screenshots in /tmp/govhall_casesui_shots for review)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govhall.cases.models import Case, State
from govhall.testing import factories
from govhall.testing.browser import browser_page  # noqa: F401

SHOTS = Path("/tmp/govhall_casesui_shots")


@pytest.mark.browser
def test_window_desk_from_search_to_printed_notice(browser_page, hall):  # noqa: F811
    page = browser_page
    page.goto("/staff/login/")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", "govhall-test")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.goto("/staff/cases/desk/")
    page.fill("input[name=q]", "食品")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="收件").first.click()
    page.fill("#id_a-name", "张三丰")
    page.fill("#id_a-id_number", factories.make_id_number(5))
    page.fill("#id_a-phone", "13904771234")
    for box in page.locator("input[type=checkbox][name^=m-m]").all():
        box.check()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "desk.png"), full_page=True)
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/documents/"))
    case = Case.objects.get()
    assert case.state == State.IN_REVIEW
    notice = page.locator("article.notice")
    assert "受理通知书" in notice.inner_text()
    assert case.number in notice.inner_text()
    assert page.get_by_role("button", name="打印").is_visible()
    page.screenshot(path=str(SHOTS / "notice.png"), full_page=True)
