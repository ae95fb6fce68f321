"""Staff pages (register, window, detail with actions, receipt) and the portal pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govhall.filings.models import Filing, State

from .conftest import COMPANY, PERSON, online, pdf

pytestmark = pytest.mark.django_db


def test_the_register_is_department_scoped_and_masks_filers(client, org, items):
    a = online(items.notify)
    client.force_login(org.staff.market_chief.user)
    html = client.get(reverse("filings:register")).content.decode()
    assert a.number in html and "张**" in html and "张晓燕" not in html
    client.force_login(org.staff.health_chief.user)
    html = client.get(reverse("filings:register")).content.decode()
    assert a.number not in html and "没有符合条件的备案" in html
    r = client.get(reverse("filings:detail", args=[a.number]))
    assert r.status_code == 404


def test_the_register_search(client, org, items):
    a = online(items.notify)
    b = online(items.confirm, COMPANY)
    client.force_login(org.staff.admin.user)
    url = reverse("filings:register")
    html = client.get(url, {"name": "康宁"}).content.decode()
    assert b.tracking in html and a.number not in html
    html = client.get(url, {"state": "filed", "date_from": "2026-11-23"}).content.decode()
    assert a.number in html and b.tracking not in html


def test_a_department_confirms_on_the_detail_page(client, org, items):
    f = online(items.confirm, COMPANY)
    client.force_login(org.staff.market_chief.user)
    url = reverse("filings:detail", args=[f.tracking])
    html = client.get(url).content.decode()
    assert 'data-action="confirm"' in html and COMPANY["filer_id"] in html
    r = client.post(url, {"action": "confirm", "confirm-expected_version": 0})
    f.refresh_from_db()
    assert r.status_code == 302 and f.state == State.CONFIRMED
    assert r["Location"] == reverse("filings:detail", args=[f.number])
    r = client.get(reverse("filings:receipt", args=[f.number]))
    assert r["Content-Type"] == "application/pdf"


def test_the_clerk_sees_no_confirm_button_and_a_masked_id(client, org, items):
    f = online(items.confirm, COMPANY)
    client.force_login(org.staff.clerk.user)
    html = client.get(reverse("filings:detail", args=[f.tracking])).content.decode()
    assert 'data-action="confirm"' not in html and "您当前对该备案没有可执行的操作" in html


def test_window_filing_page(client, org, items):
    client.force_login(org.staff.clerk.user)
    url = reverse("filings:window")
    html = client.get(url).content.decode()
    assert "仅销售预包装食品备案" in html and "第二类医疗器械经营备案" in html
    data = {
        "item": items.notify.pk,
        **PERSON,
        "activity": "开设便利店",
        "activity_date": "2026-11-20",
        "paper_checked": "on",
    }
    r = client.post(url, data)
    f = Filing.objects.get()
    assert r.status_code == 302 and f.number == "BA2026-000001" and f.channel == "window"
    r = client.post(url, {**data, "filer_id": "123"})
    assert r.status_code == 400 and "居民身份证号码" in r.content.decode()
    client.force_login(org.staff.market_chief.user)
    assert client.get(url).status_code == 403


def test_portal_lists_the_filing_list_and_files_online(client, org, items):
    from .conftest import notify_item

    notify_item(
        org, basic_code="000111444003", name="收费备案", has_fee=True, fee_standard="10元",
        fee_basis="文件",
    )  # fmt: skip
    html = client.get(reverse("filings_public:items")).content.decode()
    assert "仅销售预包装食品备案" in html and "即来即备" in html and "5个工作日内确认" in html
    assert "指南列有收费，暂不能备案" in html
    url = reverse("filings_public:file", args=[items.notify.pk])
    r = client.post(
        url,
        {**PERSON, "activity": "开设便利店", "activity_date": "2026-11-20", "files": [pdf()]},
    )
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert "BA2026-000001" in html and "下载备案回执" in html
    r = client.get(reverse("filings_public:receipt", args=["BA2026-000001"]))
    assert r["Content-Type"] == "application/pdf"


def test_portal_refuses_an_item_not_on_the_filing_list(client, org):
    from govhall.testing.factories import publish_item

    licence = publish_item(
        actor=org.root, department=org.market,
        basic_code="000111444009", name="食品经营许可",
    )  # fmt: skip
    r = client.get(reverse("filings_public:file", args=[licence.pk]))
    assert r.status_code == 404 and "不是行政备案事项" in r.content.decode()


def test_portal_resubmission(client, org, items):
    from .conftest import act

    f = act(online(items.confirm, COMPANY), "return", org.staff.market_chief, reason="补图")
    r = client.post(
        reverse("filings_public:resubmit"),
        {
            "ref": f.tracking,
            "phone_tail": "1211",
            "filer_id": COMPANY["filer_id"],
            "note": "已补图",
            "files": [pdf()],
        },
    )
    f.refresh_from_db()
    assert r.status_code == 200 and f.state == State.RESUBMITTED
    assert "已重新提交" in r.content.decode()


def test_the_home_page_counts_filings_waiting_for_the_department(client, org, items):
    online(items.confirm, COMPANY)
    client.force_login(org.staff.market_chief.user)
    html = client.get(reverse("core:home")).content.decode()
    assert "行政备案" in html and "待确认" in html
    client.force_login(org.staff.health_chief.user)
    assert "超期未确认" not in client.get(reverse("core:home")).content.decode()
