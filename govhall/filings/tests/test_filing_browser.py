"""The main path of a filing in a real browser: on a 390 px phone a citizen picks a
事后告知类 item from the 备案清单, fills the form with an upload, gets the 备案编号 at
once (即来即备) and downloads the 备案回执; then finds the filing on the progress page
(screenshots in /tmp/govhall_filing_shots)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.cache import cache

from govhall.filings.models import Filing, State
from govhall.testing.browser import browser_page  # noqa: F401

from .conftest import PDF, PERSON, confirm_item, notify_item

SHOTS = Path("/tmp/govhall_filing_shots")


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.browser
def test_a_citizen_files_online_and_gets_the_number_and_the_receipt(browser_page, org):  # noqa: F811
    cache.clear()
    notify_item(org)
    confirm_item(org)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    SHOTS.mkdir(exist_ok=True)
    page.goto("/filings/")
    _fits(page)
    page.locator(".filing-item[data-kind=notify]").get_by_role("link", name="在线备案").click()
    page.select_option("#id_filer_kind", "person")
    page.fill("#id_filer_name", PERSON["filer_name"])
    page.fill("#id_filer_id", PERSON["filer_id"])
    page.fill("#id_phone", PERSON["phone"])
    page.fill("#id_activity", "在团结路12号开设便利店，仅销售预包装食品")
    page.fill("#id_activity_date", "2026-11-20")
    page.set_input_files(
        "#id_files", files=[{"name": "采集表.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    _fits(page)
    page.get_by_role("button", name="提交备案").click()
    number = page.locator("#filing-number").inner_text().strip()
    assert number == "BA2026-000001"
    assert "备案不影响您依法从事所备案的活动" in page.content()
    page.screenshot(path=str(SHOTS / "filed_390.png"), full_page=True)
    _fits(page)
    filing = Filing.objects.get(number=number)
    assert filing.state == State.FILED and filing.attachments.count() == 1

    with page.expect_download() as info:
        page.evaluate(
            "href => { const a = document.createElement('a'); a.href = href;"
            " a.download = 'receipt.pdf'; document.body.appendChild(a); a.click(); }",
            page.locator("#receipt-link").get_attribute("href"),
        )
    data = Path(info.value.path()).read_bytes()
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert number in text and "行政备案回执" in text and PERSON["filer_id"] not in text

    page.goto("/cases/progress/")
    page.fill("#id_number", number)
    page.fill("#id_phone_tail", PERSON["phone"][-4:])
    page.get_by_role("button", name="查询").click()
    assert "已备案" in page.content() and "张**" in page.content()
    assert page.locator("#filing-receipt").is_visible()
    page.screenshot(path=str(SHOTS / "progress_390.png"), full_page=True)
    _fits(page)
