"""The main path of 审管联动 in a real browser: 卫健委's 首席代表 finds the market
department's approval in the inbox and signs for it (签收), then records a
revocation penalty on that licence; the market 首席代表 finds the 注销 obligation,
cancels the licence, and the obligation shows fulfilled. Pages are photographed at
1280 and 390 px into /tmp/shots_pages (inbox, report form, report, licence,
obligations, warnings, settings) and each must fit a 390 px phone without scrolling sideways."""

from __future__ import annotations

from pathlib import Path

import pytest

from govhall.licences.models import CancellationObligation, Licence, ResultPush, Status
from govhall.testing.browser import browser_page  # noqa: F401

from .conftest import approve

SHOTS = Path("/tmp/shots_pages")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "govhall-test")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/staff/**")


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _shoot(page, name):
    """Photograph the page at both widths (the 390 px one must not scroll sideways)
    and come back to the desktop width."""
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / f"{name}_1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"{name}_390.png"), full_page=True)
    _fits(page)
    page.set_viewport_size(DESKTOP)


@pytest.mark.browser
def test_push_acknowledge_revoke_and_cancel(browser_page, linked):  # noqa: F811
    env = linked
    case = approve(env, number="JY15062600001")
    licence = Licence.objects.get(case=case)
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())  # the 注销 button asks first
    SHOTS.mkdir(exist_ok=True)

    # 卫健委 signs for the pushed result.
    _login(page, "health_chief")
    page.goto("/staff/licences/")
    row = page.locator("tr.push-row", has_text=case.number)
    assert row.count() == 1 and "待签收" in row.inner_text()
    assert case.applicant_id_number not in page.content()
    _shoot(page, "inbox")
    row.locator("input[name=push]").check()
    page.locator("#ack-button").click()
    assert "已签收 1 条审批结果推送" in page.content()
    assert ResultPush.objects.get().acknowledged_at is not None
    page.get_by_role("link", name="已签收").click()
    assert "卫健首代" in page.locator("tr.push-row", has_text=case.number).inner_text()

    # … and records a revocation penalty on the licence, from the licence page.
    page.goto("/staff/licences/registry/")
    page.get_by_role("link", name=licence.number).click()
    page.get_by_role("link", name="登记监管反馈").click()
    assert page.input_value("#id_licence_number") == licence.number
    page.select_option("#id_penalty", "revocation")
    page.fill("#id_description", "经营场所存在严重食品安全隐患，拒不整改")
    page.fill("#id_decision_number", "卫罚〔2026〕12号")
    page.fill("#id_effective_on", "2026-11-23")
    page.check("#id_serious")
    _shoot(page, "report_form")
    page.get_by_role("button", name="登记").click()
    assert page.locator("#obligation").is_visible()
    assert "待注销" in page.locator("#obligation").inner_text()
    _shoot(page, "report")
    licence.refresh_from_db()
    assert licence.status == Status.REVOKED

    # The market department finds the obligation and cancels the licence.
    _login(page, "market_chief")
    page.goto("/staff/licences/obligations/")
    obligation_row = page.locator("tr.obligation-row", has_text=licence.number)
    assert "待注销" in obligation_row.inner_text()
    obligation_row.get_by_role("link", name=licence.number).click()
    assert page.locator(".obligation-open").is_visible()
    _shoot(page, "licence")
    card = page.locator('.action-card[data-action="cancel"]')
    card.locator("textarea").fill("许可证件已被吊销，依法注销")
    card.get_by_role("button", name="注销").click()
    assert "已注销" in page.content()
    licence.refresh_from_db()
    assert licence.status == Status.CANCELLED
    assert CancellationObligation.objects.get().fulfilled_at is not None
    page.goto("/staff/licences/obligations/")
    assert "已注销" in page.locator("tr.obligation-row", has_text=licence.number).inner_text()
    _shoot(page, "obligations")

    # The administrator's pages: the warning the serious penalty listed, the settings.
    _login(page, "admin")
    page.goto("/staff/licences/warnings/")
    assert page.locator("tr.warning-row").count() == 1
    assert case.applicant_id_number not in page.content()
    _shoot(page, "warnings")
    page.goto(f"/staff/licences/settings/?department={env.c.health.pk}&item={env.c.market_item.pk}")
    assert "默认：首席代表" in page.content()
    _shoot(page, "settings")
