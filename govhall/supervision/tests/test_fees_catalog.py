"""收费清单 (catalog.FeeLine, issue 11 §1 the fee rule's list): kept per guide version,
copied with a new draft and an Excel import, checked at 发布, shown on the staff guide
and the portal."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from govhall.catalog import excel, selectors, services
from govhall.catalog.models import FeeLine
from govhall.core.errors import ValidationFailed
from govhall.testing import factories

FEES = [
    {
        "name": "食品经营许可证工本费",
        "standard": "每证 10 元",
        "amount": 1000,
        "basis": "财综〔2026〕1号",
    },
    {
        "name": "检验检测费",
        "standard": "按检测项目计收",
        "amount": None,
        "basis": "发改价格〔2026〕2号",
    },
]


def _fee_item(county, fees=FEES, **guide):
    item = factories.publish_item(
        actor=county.root,
        department=county.market,
        basic_code="000111222077",
        name="收费事项",
        has_fee=True,
        fee_standard="见收费清单",
        fee_basis="财综〔2026〕1号",
        **guide,
    )
    draft = services.start_draft(actor=county.root, item=item)
    services.save_draft(actor=county.root, version=draft, fee_lines=fees)
    services.publish(actor=county.root, version=draft, change_note="增加收费清单")
    return item


def _lines(version):
    return [(f.order, f.name, f.standard, f.amount, f.basis) for f in version.fee_lines.all()]


def test_a_new_draft_copies_the_fee_list_and_the_old_version_keeps_its_own(county):
    item = _fee_item(county)
    v2 = selectors.current_version(item=item)
    assert v2.number == 2
    assert _lines(v2) == [
        (1, "食品经营许可证工本费", "每证 10 元", 1000, "财综〔2026〕1号"),
        (2, "检验检测费", "按检测项目计收", None, "发改价格〔2026〕2号"),
    ]
    draft = services.start_draft(actor=county.root, item=item)
    assert _lines(draft) == _lines(v2)
    services.save_draft(actor=county.root, version=draft, fee_lines=FEES[:1])
    services.publish(actor=county.root, version=draft, change_note="取消检验检测费")
    item.refresh_from_db()
    assert [f.name for f in selectors.current_version(item=item).fee_lines.all()] == [
        "食品经营许可证工本费"
    ]
    assert len(_lines(selectors.get_version(item=item, number=2))) == 2
    assert not selectors.get_version(item=item, number=1).fee_lines.exists()


def test_a_fee_with_no_fee_line_still_publishes_on_its_text(county):
    item = factories.publish_item(
        actor=county.root,
        department=county.market,
        basic_code="000111222078",
        name="只有收费说明",
        has_fee=True,
        fee_standard="每件 5 元",
        fee_basis="某文件",
    )
    v = selectors.current_version(item=item)
    assert v.has_fee and not v.fee_lines.exists()


def test_publish_refuses_a_fee_list_on_a_free_guide_and_a_nameless_line(county):
    item = county.market_item
    draft = services.start_draft(actor=county.root, item=item)
    services.save_draft(
        actor=county.root,
        version=draft,
        fee_lines=[{"name": "", "standard": "", "amount": None, "basis": ""}],
    )
    with pytest.raises(ValidationFailed) as caught:
        services.publish(actor=county.root, version=draft, change_note="试")
    fields = caught.value.fields
    assert caught.value.code == "publish_validation"
    assert fields["has_fee"] == ["是否收费：列有收费项目的事项须勾选“是否收费”"]
    assert fields["fee_lines.0.name"] == ["第1个收费项目：名称必须填写"]
    assert fields["fee_lines.0.standard"] == ["第1个收费项目：收费标准或金额至少填写一项"]


@pytest.mark.parametrize("amount", [0, -1, 10_000_001, True, "100"])
def test_a_draft_refuses_an_amount_out_of_bounds(county, amount):
    draft = services.start_draft(actor=county.root, item=county.market_item)
    with pytest.raises(ValidationFailed) as caught:
        services.save_draft(
            actor=county.root, version=draft, fee_lines=[{"name": "工本费", "amount": amount}]
        )
    assert caught.value.code == "invalid_fee_amount"
    assert caught.value.fields == {"fee_lines.0.amount": ["应大于 0 元且不超过 100000 元"]}
    assert not FeeLine.objects.filter(version=draft).exists()


def test_an_excel_import_that_publishes_a_new_version_keeps_the_fee_list(county):
    item = _fee_item(county)
    buf = io.BytesIO()
    excel.export_workbook(stream=buf, versions=selectors.current_versions().filter(item=item))
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    sheet = wb["事项"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("承诺时限（工作日）") + 1).value = 4
    out = io.BytesIO()
    wb.save(out)
    report = excel.import_workbook(actor=county.root, stream=io.BytesIO(out.getvalue()))
    assert report.new_versions == 1
    v3 = selectors.current_version(item=item)
    assert v3.number == 3 and v3.promised_limit_days == 4
    assert [f.name for f in v3.fee_lines.all()] == ["食品经营许可证工本费", "检验检测费"]


def test_the_staff_editor_takes_amounts_in_yuan_and_the_guides_show_the_list(county, client):
    from govhall.catalog.tests.test_views import editor_data, open_draft

    item = _fee_item(county)
    code = item.implementation_code
    client.force_login(county.staff.market_chief.user)
    response = open_draft(client, item)
    html = response.content.decode()
    assert "收费清单" in html
    assert 'name="fee_lines-0-amount"' in html and 'value="10.00"' in html
    data = editor_data(response)
    data["fee_lines-0-amount"] = "12.5"
    data["fee_lines-TOTAL_FORMS"] = "3"
    data.update({"fee_lines-2-name": "证书邮寄费", "fee_lines-2-amount": "100001"})
    refused = client.post(reverse("catalog:draft", args=[code]), data)
    assert refused.status_code == 200 and "确保该值小于或等于100000" in refused.content.decode()
    data["fee_lines-2-amount"] = "8"
    response = client.post(reverse("catalog:draft", args=[code]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = selectors.draft_of(item=item)
    assert [(f.name, f.amount) for f in draft.fee_lines.all()] == [
        ("食品经营许可证工本费", 1250),
        ("检验检测费", None),
        ("证书邮寄费", 800),
    ]

    portal = client.get(f"/items/{code}/").content.decode()
    assert 'id="fee-lines"' in portal
    assert "食品经营许可证工本费" in portal and "10.00" in portal and "按标准" in portal
    staff = client.get(reverse("catalog:version", args=[code, 2])).content.decode()
    assert 'id="fee-lines"' in staff and "检验检测费" in staff and "按标准" in staff
