"""The main path in a real browser: the market 首席代表 opens the item's draft, follows
提交调整申请, fills the form with the written application and submits it; the centre
administrator approves it and the new guide version is in force (screenshots in
/tmp/govhall_governance_shots)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog import services as catalog
from govhall.governance.models import AdjustmentRequest, State
from govhall.testing import factories
from govhall.testing.browser import browser_page  # noqa: F401

from .conftest import PDF

SHOTS = Path("/tmp/govhall_governance_shots")


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "govhall-test")
    page.locator("form button[type=submit], form input[type=submit]").last.click()


def _fits(page):
    # after a click that navigates, the new document may not be parsed yet (CI saw
    # documentElement null): measure the page once it is
    page.wait_for_load_state("domcontentloaded")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.browser
def test_a_chief_files_a_change_and_the_centre_approves_it(browser_page, tmp_path):  # noqa: F811
    hall = factories.build_hall()
    item = hall.market_item
    draft = catalog.start_draft(actor=hall.staff.market_chief.user, item=item)
    catalog.save_draft(
        actor=hall.staff.market_chief.user, version=draft, guide={"promised_limit_days": 4}
    )
    application = tmp_path / "书面申请.pdf"
    application.write_bytes(PDF)
    SHOTS.mkdir(exist_ok=True)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})

    _login(page, "market_chief")
    page.goto(f"/staff/catalog/items/{item.implementation_code}/draft/")
    page.get_by_role("link", name="提交调整申请").click()
    _fits(page)
    assert page.locator("#id_kind").input_value() == "change"
    page.fill("#id_trigger_date", "2026-11-20")
    page.check("#id_touches_elements")
    page.fill("#id_basis", "《食品经营许可和备案管理办法》")
    page.fill("#id_reasons", "承诺时限由5个工作日压缩为4个工作日")
    page.set_input_files("#id_files", str(application))
    page.get_by_role("button", name="保存申请").click()
    page.get_by_text("已保存调整申请").wait_for()
    number = AdjustmentRequest.objects.get().number
    page.locator("form[aria-label=提交]").get_by_role("button", name="提交").click()
    page.get_by_text(f"已提交：{number}").wait_for()
    _fits(page)
    page.screenshot(path=str(SHOTS / "submitted_390.png"), full_page=True)

    page.set_viewport_size({"width": 1366, "height": 900})
    _login(page, "admin")
    page.goto("/staff/governance/?state=submitted")
    page.get_by_role("link", name=number).click()
    page.fill("#id_approve-opinion", "同意")
    page.locator("form[aria-label=审核通过]").get_by_role("button", name="审核通过").click()
    page.get_by_text(f"已审核通过：{number}").wait_for()
    page.screenshot(path=str(SHOTS / "applied_1366.png"), full_page=True)

    r = AdjustmentRequest.objects.get()
    assert r.state == State.APPLIED and not r.late
    current = catalog_selectors.current_version(item=item)
    assert current.number == 2 and current.promised_limit_days == 4
