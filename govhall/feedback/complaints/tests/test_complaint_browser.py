"""The main path of a complaint in a real browser: a citizen submits the portal form on
a 390 px phone and gets the tracking number; the centre's clerk accepts and assigns it
to 市场监管; the department's 首席代表 handles and replies; the citizen looks it up by
number and phone tail and reads the reply (screenshots in /tmp/govhall_complaint_shots)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache

from govhall.feedback.complaints.models import Complaint, State
from govhall.testing.browser import browser_page  # noqa: F401

SHOTS = Path("/tmp/govhall_complaint_shots")


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "govhall-test")
    page.locator("form button[type=submit], form input[type=submit]").last.click()


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.browser
def test_submit_accept_assign_reply_and_look_up_on_a_phone(browser_page, org):  # noqa: F811
    cache.clear()
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    SHOTS.mkdir(exist_ok=True)
    page.goto("/feedback/complaints/")
    page.select_option("#id_category", "complaint")
    page.fill("#id_subject", "窗口午休时间无人值守")
    page.fill("#id_content", "中午12点半到窗口办事，市场监管窗口无人，等候一小时。")
    page.fill("#id_name", "赵丽华")
    page.fill("#id_phone", "13904775678")
    _fits(page)
    page.get_by_role("button", name="提交诉求").click()
    number = page.locator("#tracking-number").inner_text().strip()
    page.screenshot(path=str(SHOTS / "submitted_390.png"), full_page=True)
    complaint = Complaint.objects.get(number=number)
    assert complaint.state == State.SUBMITTED

    _login(page, "clerk")
    page.goto("/staff/feedback/complaints/")
    _fits(page)
    page.get_by_role("link", name=number).click()
    page.locator("form[aria-label=受理]").get_by_role("button", name="受理").click()
    page.get_by_text(f"已受理：{number}").wait_for()
    page.select_option("#id_assign-handler", str(org.market.pk))
    page.locator("form[aria-label=派单]").get_by_role("button", name="派单").click()
    page.get_by_text(f"已派单：{number}").wait_for()
    _fits(page)

    _login(page, "market_chief")
    page.goto(f"/staff/feedback/complaints/{number}/")
    page.locator("form[aria-label=办理]").get_by_role("button", name="办理").click()
    page.get_by_text(f"已办理：{number}").wait_for()
    page.fill("#id_reply-reply", "已落实午间轮岗值守，窗口12:00—14:30有专人办理。")
    page.locator("form[aria-label=答复]").get_by_role("button", name="答复").click()
    page.get_by_text(f"已答复：{number}").wait_for()
    page.screenshot(path=str(SHOTS / "detail_390.png"), full_page=True)
    _fits(page)

    page.context.clear_cookies()
    page.goto("/feedback/complaints/track/")
    page.fill("#id_number", number)
    page.fill("#id_phone_tail", "5678")
    page.get_by_role("button", name="查询").click()
    reply = page.locator("#tracking-reply")
    assert "午间轮岗值守" in reply.inner_text()
    assert "已答复" in page.locator("#tracking-result").inner_text()
    assert "赵丽华" not in page.content()
    page.screenshot(path=str(SHOTS / "track_390.png"), full_page=True)
    _fits(page)
