"""A citizen searches the portal in a real browser and opens a guide."""

from __future__ import annotations

import pytest

from govhall.testing.browser import browser_page  # noqa: F401


@pytest.mark.browser
def test_search_with_two_characters_and_open_the_guide(browser_page, catalogue):  # noqa: F811
    page = browser_page
    page.goto("/")
    page.screenshot(path="/tmp/portal_home.png", full_page=True)
    page.fill("#home-q", "营业")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/items/?q=*")
    assert "共找到 1 个事项" in page.inner_text("#result-count")
    page.screenshot(path="/tmp/portal_results.png", full_page=True)

    page.click("text=个体工商户营业执照核发")
    page.wait_for_url(f"**/items/{catalogue.business.implementation_code}/")
    assert page.inner_text("#guide-title") == "个体工商户营业执照核发"
    materials = page.inner_text("#materials")
    assert "个体工商户开业登记申请书" in materials and "经营场所使用证明" in materials
    assert page.inner_text("#promised-limit") == "3个工作日"
    page.screenshot(path="/tmp/portal_guide.png", full_page=True)
    page.emulate_media(media="print")
    assert not page.is_visible(".portal-header")  # navigation is not printed
    page.screenshot(path="/tmp/portal_guide_print.png", full_page=True)
