"""督办 in a real browser on a 390 px phone: the office issues an order from a
warning row, the department's 首席代表 replies (screenshots in
/tmp/govhall_supervision_shots for review)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govhall.core import clock
from govhall.supervision import services
from govhall.supervision.models import OrderState, SupervisionOrder
from govhall.testing.browser import browser_page  # noqa: F401

from .helpers import act, submit

SHOTS = Path("/tmp/govhall_supervision_shots")


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "govhall-test")
    page.locator("form button[type=submit], form input[type=submit]").last.click()


@pytest.mark.browser
def test_issue_and_reply_on_a_phone(browser_page, env):  # noqa: F811
    case = act(submit(env), "refuse", env.s.clerk.user, reason="材料不全")
    services.evaluate_case(case=case, today=clock.today())
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    SHOTS.mkdir(exist_ok=True)
    _login(page, "supervisor")
    page.goto("/staff/supervision/warnings/")
    page.get_by_role("link", name="督办").first.click()
    page.get_by_role("button", name="下达督办单").click()
    order = SupervisionOrder.objects.get()
    page.wait_for_url(f"**/orders/{order.number}/")
    _login(page, "market_chief")
    page.goto("/staff/supervision/orders/")
    page.screenshot(path=str(SHOTS / "orders_390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.get_by_role("link", name=order.number).click()
    page.fill("#r-exp", "经核查，理由书写过简")
    page.fill("#r-mea", "已重新告知申请人具体理由")
    page.get_by_role("button", name="提交回复").click()
    page.get_by_text("已回复督办单").wait_for()
    page.screenshot(path=str(SHOTS / "order_390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    order.refresh_from_db()
    assert order.state == OrderState.REPLIED
