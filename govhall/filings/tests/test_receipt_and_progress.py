"""The 备案回执 (PDF text) and the public progress page finding a filing."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from govhall.core.errors import Conflict
from govhall.filings.receipt import render_receipt

from .conftest import COMPANY, PERSON, act, online

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return out.stdout.decode().replace("\n", "")


def test_the_receipt_names_the_filing_masks_the_filer_and_says_it_does_not_block(items):
    f = online(items.notify)
    text = pdf_text(render_receipt(f))
    assert "行政备案回执" in text and f.number in text and "仅销售预包装食品备案" in text
    assert "张**" in text and PERSON["filer_id"] not in text
    assert PERSON["filer_id"][:6] + "********" + PERSON["filer_id"][-4:] in text
    assert "139****1201" in text and PERSON["phone"] not in text
    assert "备案不影响您依法从事所备案的活动" in text and "不收取任何费用" in text
    assert "2026年11月23日 09:00" in text  # local time


def test_no_receipt_before_a_confirm_filing_is_confirmed(org, items):
    f = online(items.confirm, COMPANY)
    with pytest.raises(Conflict) as exc:
        render_receipt(f)
    assert exc.value.code == "no_receipt"
    f = act(f, "confirm", org.staff.market_chief)
    assert "经确认，予以备案" in pdf_text(render_receipt(f))


def _progress(client, number, tail):
    return client.get(reverse("cases_public:progress"), {"number": number, "phone_tail": tail})


def test_the_progress_page_finds_a_filing_by_number_and_phone_tail(client, items):
    f = online(items.notify)
    html = _progress(client, f.number, "1201").content.decode()
    assert f.number in html and "已备案" in html and "备案事项" in html
    assert "张**" in html and "张晓燕" not in html
    assert "备案不影响您依法从事所备案的活动" in html
    receipt = reverse("filings_public:receipt", args=[f.number])
    assert receipt in html
    r = client.get(receipt)  # this browser proved it is the filer's
    assert r["Content-Type"] == "application/pdf"


def test_a_wrong_tail_finds_nothing_and_gets_no_receipt(client, items):
    f = online(items.notify)
    html = _progress(client, f.number, "0000").content.decode()
    assert "未找到" in html and f.number not in html.rsplit("</form>", 1)[1]
    r = client.get(reverse("filings_public:receipt", args=[f.number]))
    assert r.status_code == 404 and b"%PDF" not in r.content


def test_the_progress_page_shows_a_returned_filing_with_its_reasons(org, client, items):
    f = online(items.confirm, COMPANY)
    html = _progress(client, f.tracking, "1211").content.decode()
    assert "待确认" in html and "2026-11-30" in html
    act(f, "return", org.staff.market_chief, reason="平面图未标注库房面积")
    html = _progress(client, f.tracking, "1211").content.decode()
    assert "退回补正" in html and "平面图未标注库房面积" in html
    assert reverse("filings_public:resubmit") + f"?ref={f.tracking}" in html
