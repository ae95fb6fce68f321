"""A citizen searches the portal in a real browser and opens a guide."""

from __future__ import annotations

import pytest

from govhall.testing.browser import browser_page  # noqa: F401
from govhall.testing.factories import make_id_number


@pytest.mark.browser
def test_search_with_two_characters_and_open_the_guide(browser_page, catalogue):  # noqa: F811
    page = browser_page
    page.goto("/")
    page.screenshot(path="/tmp/portal_home.png", full_page=True)
    page.fill("#home-q", "营业")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/items/?q=*")
    assert "为您找到 1 个相关事项" in page.inner_text("#result-count")
    page.screenshot(path="/tmp/portal_results.png", full_page=True)

    page.click("text=个体工商户营业执照核发")
    page.wait_for_url(f"**/items/{catalogue.business.implementation_code}/?fq=*")
    assert page.inner_text("#guide-title") == "个体工商户营业执照核发"
    materials = page.inner_text("#materials")
    assert "个体工商户开业登记申请书" in materials and "经营场所使用证明" in materials
    assert page.inner_text("#promised-limit").startswith("3个工作日")
    # the limit as a date: accepted today (Monday 2026-11-23), due on the 3rd working day
    assert "最迟 2026年11月26日 办结" in page.inner_text("#due-if-today")
    page.screenshot(path="/tmp/portal_guide.png", full_page=True)
    page.emulate_media(media="print")
    assert not page.is_visible(".portal-header")  # navigation is not printed
    page.screenshot(path="/tmp/portal_guide_print.png", full_page=True)


PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: page is {width}px wide on a 390px screen"


@pytest.mark.browser
def test_a_citizen_applies_online_on_a_phone(browser_page, catalogue, tmp_path):  # noqa: F811
    """Issue 10: from the home page to a submitted online application at 390 px, never
    scrolling sideways; the guide's materials table reads as cards, not 3-character
    columns; the negative list fits."""
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=72, height=72)
    upload = tmp_path / "申请书.pdf"
    with upload.open("wb") as out:
        writer.write(out)

    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto("/")
    _no_sideways_scroll(page)
    page.fill("#home-q", "营业")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/items/?q=*")
    _no_sideways_scroll(page)
    page.click("text=个体工商户营业执照核发")
    page.wait_for_url(f"**/items/{catalogue.business.implementation_code}/?fq=*")
    _no_sideways_scroll(page)
    name_cell = page.locator("#materials tbody tr").first.locator("td").nth(1)
    assert name_cell.get_attribute("data-label") == "材料名称"
    assert name_cell.bounding_box()["width"] > 300  # a card row, not a narrow column
    page.screenshot(path="/tmp/portal_guide_390.png", full_page=True)

    page.click("#apply-online a")
    page.wait_for_url(f"**/cases/apply/{catalogue.business.pk}/")
    _no_sideways_scroll(page)
    page.select_option("#id_a-kind", "person")
    page.fill("#id_a-name", "张三丰")
    page.fill("#id_a-id_number", make_id_number(7))
    page.fill("#id_a-phone", "13912345678")
    for file_input in page.locator("input[type=file][name^='m-f']").all():
        file_input.set_input_files(str(upload))
    page.screenshot(path="/tmp/portal_apply_390.png", full_page=True)
    page.click("text=提交申请")
    page.wait_for_url("**/cases/apply/done/*/")
    _no_sideways_scroll(page)
    assert "150626-" in page.inner_text("body")  # the number to query progress with
    page.screenshot(path="/tmp/portal_applied_390.png", full_page=True)

    page.goto("/lists/negative/")
    _no_sideways_scroll(page)
    page.screenshot(path="/tmp/portal_negative_390.png", full_page=True)
