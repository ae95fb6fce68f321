"""The 待定 mark of a predicted year on a 390 px phone (Chromium)."""

from __future__ import annotations

import pytest

from govhall.testing.browser import browser_page  # noqa: F401

pytestmark = pytest.mark.browser


def test_uncertain_days_are_marked_and_readable_at_390px(browser_page, clerk):  # noqa: F811
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/staff/login/")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", "govhall-test")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/staff/**")
    page.goto("/staff/calendar/2027/")
    cell = page.locator('td[data-date="2027-10-10"]')
    cell.scroll_into_view_if_needed()
    assert cell.get_attribute("data-uncertain") == "1"
    assert "待定" in cell.inner_text()
    assert cell.evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
    box = cell.bounding_box()
    assert box and box["width"] >= 40  # a day number and 待定 fit in the cell
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_text("待定（按工作日计）").first.is_visible()
