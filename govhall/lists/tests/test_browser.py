"""The main path in a real browser: a citizen on a 390 px phone opens the 负面清单 from
the lists' index, finds an entry and the history of its publications, searches, and
downloads the list as Excel — the very rows published (screenshots in
/tmp/govhall_lists_shots)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govhall.lists import excel
from govhall.lists.models import ListPublication
from govhall.testing.browser import browser_page  # noqa: F401

from .conftest import two_publications

SHOTS = Path("/tmp/govhall_lists_shots")
PHONE = {"width": 390, "height": 844}


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


@pytest.mark.browser
def test_a_citizen_reads_the_negative_list_and_its_history_on_a_phone(
    browser_page,  # noqa: F811
    county,
    tmp_path,
):
    two_publications(county)

    SHOTS.mkdir(exist_ok=True)
    page = browser_page
    page.set_viewport_size(PHONE)
    page.goto("/lists/")
    _fits(page)
    page.click("text=政务服务事项进驻负面清单")
    page.wait_for_url("**/lists/negative/")
    _fits(page)
    assert "2026年11月24日公布（第2次公布）" in page.inner_text("#version")
    assert "危化品审批" in page.inner_text("#changes")
    entry = page.locator("#list-negative tbody tr", has_text="危化品审批")
    assert "涉及安全生产秘密" in entry.inner_text()
    reason = entry.locator("td").nth(4)
    assert reason.get_attribute("data-label") == "不进驻理由"  # a card on the phone
    history = page.locator("#history tbody tr")
    assert history.count() == 2
    assert "1 项：危化品审批" in history.first.inner_text()
    page.screenshot(path=str(SHOTS / "negative_390.png"), full_page=True)

    page.fill("#list-q", "国家秘密")
    page.press("#list-q", "Enter")
    page.wait_for_url("**/lists/negative/?q=*")
    rows = page.locator("#list-negative tbody tr")
    assert rows.count() == 1 and "涉密审批" in rows.first.inner_text()

    with page.expect_download() as info:
        page.click("#download")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name == "政务服务事项进驻负面清单_2026-11-24.xlsx"
    with target.open("rb") as fh:
        book = excel.read_list(fh)
    assert book.rows == ListPublication.objects.get(key="negative", sequence=2).rows
