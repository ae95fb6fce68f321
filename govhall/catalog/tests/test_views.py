"""Staff pages of the catalogue, driven through the Django test client."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io

import pytest
from django.urls import reverse

from govhall.catalog.models import AuthorisedItem, Item, ItemVersion, VersionStatus
from govhall.core.models import AuditEntry
from govhall.org.models import Authorisation


def login(client, staff):
    assert client.login(username=staff.user.username, password="govhall-test")
    return client


def _value(value):
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _form_data(form, prefix: str = "") -> dict:
    data = {}
    for name, field in form.fields.items():
        key = f"{prefix}-{name}" if prefix else name
        value = form.initial.get(name, field.initial)
        if name == "DELETE":
            continue
        if field.widget.input_type == "checkbox" if hasattr(field.widget, "input_type") else False:
            if value:
                data[key] = "on"
        else:
            data[key] = _value(value)
    return data


def editor_data(response) -> dict:
    """POST data equal to what the editor page shows (as a browser would send it)."""
    data = {"edit_token": str(response.context["draft"].edit_token)}
    data.update(_form_data(response.context["guide_form"]))
    for prefix, _title, formset in response.context["sections"]:
        data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(formset.forms))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for index, row in enumerate(formset.forms):
            data.update(_form_data(row, f"{prefix}-{index}"))
    return data


def open_draft(client, item):
    client.post(reverse("catalog:draft_start", args=[item.implementation_code]))
    response = client.get(reverse("catalog:draft", args=[item.implementation_code]))
    assert response.status_code == 200
    return response


def test_chief_rep_edits_own_draft_and_the_centre_publishes(client, county):
    item = county.market_item
    login(client, county.staff.market_chief)
    response = open_draft(client, item)
    data = editor_data(response)
    data["name"] = "食品经营许可（新办）"
    data["materials-TOTAL_FORMS"] = "3"
    data["materials-2-name"] = "食品安全管理制度文本"
    data["materials-2-copies"] = "1"
    data["materials-2-originals"] = "0"
    data["materials-2-form"] = "both"
    data["materials-2-required"] = "on"
    response = client.post(reverse("catalog:draft", args=[item.implementation_code]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = ItemVersion.objects.get(item=item, status=VersionStatus.DRAFT)
    assert draft.name == "食品经营许可（新办）"
    assert [m.name for m in draft.materials.all()][-1] == "食品安全管理制度文本"
    # the department's draft page offers 提交调整申请, not 发布 (R-CAT-15)
    html = client.get(reverse("catalog:draft", args=[item.implementation_code])).content.decode()
    assert "提交调整申请" in html
    assert reverse("catalog:publish", args=[item.implementation_code]) not in html
    publish = {"valid_from": "2026-11-23", "change_note": "增加管理制度材料"}
    refused = client.post(reverse("catalog:publish", args=[item.implementation_code]), publish)
    assert refused.status_code == 403 and "调整申请" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft

    login(client, county.staff.admin)
    response = client.post(
        reverse("catalog:publish", args=[item.implementation_code]), publish, follow=True
    )
    assert "已发布第2版" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.number == 2
    page = client.get(reverse("catalog:detail", args=[item.implementation_code])).content.decode()
    assert "食品经营许可（新办）" in page and "第1版" in page  # history keeps v1


def test_other_department_gets_403_and_nothing_changes(client, county):
    item = county.market_item
    login(client, county.staff.market_chief)
    data = editor_data(open_draft(client, item))
    client.logout()
    login(client, county.staff.health_chief)
    draft = ItemVersion.objects.get(item=item, status=VersionStatus.DRAFT)
    audit_before = AuditEntry.objects.count()

    page = client.get(reverse("catalog:draft", args=[item.implementation_code]))
    assert page.status_code == 403
    assert "测试县市场监督管理局" in page.content.decode()
    data["name"] = "篡改"
    assert (
        client.post(reverse("catalog:draft", args=[item.implementation_code]), data).status_code
        == 403
    )
    response = client.post(
        reverse("catalog:publish", args=[item.implementation_code]), {"valid_from": "2026-11-23"}
    )
    assert response.status_code == 403
    assert "您无权维护" in response.content.decode()
    draft.refresh_from_db()
    assert draft.name == "食品经营许可" and draft.status == VersionStatus.DRAFT
    assert AuditEntry.objects.count() == audit_before
    # The list shows the item but no edit button for the other department.
    listing = client.get(reverse("catalog:list")).content.decode()
    assert item.implementation_code in listing
    assert reverse("catalog:draft", args=[item.implementation_code]) not in listing


def test_publish_with_faults_shows_messages_beside_fields_and_publishes_nothing(client, county):
    item = county.market_item
    login(client, county.staff.market_approver)
    data = editor_data(open_draft(client, item))
    data["legal_basis"] = ""
    data["promised_limit_days"] = "30"  # > legal 20
    data["conditions"] = "提交其他材料"
    data["steps-1-review_standard"] = ""
    response = client.post(reverse("catalog:draft", args=[item.implementation_code]), data)
    assert response.status_code == 302  # drafts may be incomplete

    login(client, county.staff.admin)  # the centre publishes (an approved request)
    response = client.post(
        reverse("catalog:publish", args=[item.implementation_code]),
        {"valid_from": "2026-11-23", "change_note": "x"},
    )
    assert response.status_code == 400
    guide = response.context["guide_form"]
    assert guide.errors["legal_basis"] == ["设定依据：必须填写"]
    assert "承诺时限：不得超过法定时限（20个工作日）" in guide.errors["promised_limit_days"]
    assert any("其他材料" in m for m in guide.errors["conditions"])
    steps = dict((p, fs) for p, _t, fs in response.context["sections"])["steps"]
    assert steps.forms[1].errors["review_standard"] == ["第2个办理环节：审查标准必须填写"]
    html = response.content.decode()
    assert "未通过发布校验" in html and "第2个办理环节：审查标准必须填写" in html
    assert ItemVersion.objects.filter(item=item, status=VersionStatus.PUBLISHED).count() == 1
    assert ItemVersion.objects.filter(item=item, status=VersionStatus.DRAFT).exists()


def test_publish_rejects_missing_materials_on_the_list(client, county):
    item = county.market_item
    login(client, county.staff.market_chief)
    data = editor_data(open_draft(client, item))
    data["materials-0-DELETE"] = "on"
    data["materials-1-DELETE"] = "on"
    assert (
        client.post(reverse("catalog:draft", args=[item.implementation_code]), data).status_code
        == 302
    )
    login(client, county.staff.admin)
    response = client.post(
        reverse("catalog:publish", args=[item.implementation_code]),
        {"valid_from": "2026-11-23", "change_note": "删除材料"},
    )
    materials = dict((p, fs) for p, _t, fs in response.context["sections"])["materials"]
    assert any("至少列明一项材料" in m for m in materials.non_form_errors())


def test_stale_draft_save_shows_conflict_message(client, county):
    item = county.market_item
    login(client, county.staff.market_chief)
    first = editor_data(open_draft(client, item))
    second = dict(first)
    first["name"] = "甲的修改"
    assert (
        client.post(reverse("catalog:draft", args=[item.implementation_code]), first).status_code
        == 302
    )
    second["name"] = "乙的修改"
    response = client.post(reverse("catalog:draft", args=[item.implementation_code]), second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "该草稿已被他人修改，请刷新后重新编辑" in html
    assert "乙的修改" in html  # the typed input is kept
    assert ItemVersion.objects.get(item=item, status=VersionStatus.DRAFT).name == "甲的修改"


def test_flag_change_needs_a_reason(client, county):
    item = county.market_item
    login(client, county.staff.admin)
    url = reverse("catalog:flags", args=[item.implementation_code])
    response = client.post(url, {"status": "suspended", "is_stationed": "on", "reason": ""})
    assert response.status_code == 400
    assert response.context["flags_form"].errors["reason"] == ["必填"]
    item.refresh_from_db()
    assert item.status == "active"

    response = client.post(
        url, {"status": "suspended", "is_stationed": "on", "reason": "上级暂停实施"}, follow=True
    )
    item.refresh_from_db()
    assert item.status == "suspended"
    assert "上级暂停实施" in response.content.decode()  # audit trail on the page


def test_create_item_goes_to_draft_editor(client, county):
    login(client, county.staff.market_chief)
    response = client.post(
        reverse("catalog:create"),
        {
            "department": county.market.pk,
            "basic_code": "000111222099",
            "type": "filing",
            "name": "食品小作坊备案",
        },
    )
    item = Item.objects.get(basic_code="000111222099")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:draft", args=[item.implementation_code])
    # health chief may not pick the market department at all
    client.logout()
    login(client, county.staff.health_chief)
    response = client.post(
        reverse("catalog:create"),
        {
            "department": county.market.pk,
            "basic_code": "000111222098",
            "type": "filing",
            "name": "x",
        },
    )
    assert response.status_code == 200 and "department" in response.context["form"].errors
    assert not Item.objects.filter(basic_code="000111222098").exists()


def test_catalogue_list_filters(client, county):
    login(client, county.staff.clerk)
    html = client.get(reverse("catalog:list"), {"department": county.health.pk}).content.decode()
    assert "公共场所卫生许可" in html and "食品经营许可" not in html
    html = client.get(reverse("catalog:list"), {"q": "食品"}).content.decode()
    assert "食品经营许可" in html and "公共场所卫生许可" not in html


def test_authorisation_with_items_and_approvers(client, county):
    login(client, county.staff.market_chief)
    response = client.post(
        reverse("catalog:authorisation_create"),
        {
            "department": county.market.pk,
            "chief_rep": county.staff.market_chief.pk,
            "number": "SJ-2026-01",
            "signed_on": "2026-11-20",
            "valid_from": "2026-11-20",
            "valid_to": "2027-11-19",
            "reason": "年度授权",
        },
    )
    assert response.status_code == 302
    auth = Authorisation.objects.get(number="SJ-2026-01")
    url = reverse("catalog:authorisation", args=[auth.pk])
    # an approver of another department is refused
    response = client.post(
        url,
        {
            "action": "set",
            "item": county.market_item.pk,
            "approvers": [county.staff.health_chief.pk],
        },
    )
    assert response.status_code == 400 and not AuthorisedItem.objects.exists()
    # the other department's item is not even offered
    response = client.post(
        url,
        {
            "action": "set",
            "item": county.health_item.pk,
            "approvers": [county.staff.market_approver.pk],
        },
    )
    assert response.status_code == 400 and not AuthorisedItem.objects.exists()
    response = client.post(
        url,
        {
            "action": "set",
            "item": county.market_item.pk,
            "approvers": [county.staff.market_approver.pk],
        },
        follow=True,
    )
    entry = AuthorisedItem.objects.get(authorisation=auth)
    assert list(entry.approvers.all()) == [county.staff.market_approver]
    html = response.content.decode()
    assert "市场审批" in html and "授权事项" in html
    assert AuditEntry.objects.filter(
        object_type="org.authorisation",
        object_id=str(auth.pk),
        action="catalog.authorised_item.create",
    ).exists()
    # the approver (not the chief rep) may not change it; the health chief neither
    for staff in (county.staff.market_approver, county.staff.health_chief):
        client.logout()
        login(client, staff)
        response = client.post(url, {"action": "remove", "entry": entry.pk})
        assert response.status_code == 403
    assert AuthorisedItem.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(
    importlib.util.find_spec("govhall.catalog.excel") is None, reason="excel.py not there yet"
)
def test_excel_export_returns_workbook(client, county):
    import openpyxl

    login(client, county.staff.clerk)
    response = client.get(reverse("catalog:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert any("食品经营许可" in str(c.value) for ws in book for row in ws.iter_rows() for c in row)


def test_dashboard_counts_by_department(client, county):
    login(client, county.staff.market_chief)
    open_draft(client, county.market_item)
    html = client.get(reverse("core:home")).content.decode()
    assert "事项目录（测试县市场监督管理局）" in html
    assert "待发布草稿" in html
    panel = [
        p for p in client.get(reverse("core:home")).context["panels"] if "事项目录" in p["title"]
    ][0]
    counts = {label: value for label, value, _url in panel["counts"]}
    assert counts["事项总数"] == 1 and counts["待发布草稿"] == 1


@pytest.mark.skipif(
    importlib.util.find_spec("govhall.catalog.excel") is None, reason="excel.py not there yet"
)
def test_excel_import_reports_every_fault_and_imports_nothing(client, county):
    import openpyxl

    login(client, county.staff.admin)
    exported = client.get(reverse("catalog:export")).content
    # re-import unchanged: nothing created
    upload = io.BytesIO(exported)
    upload.name = "catalogue.xlsx"
    response = client.post(reverse("catalog:import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["report"]["created"] == 0
    assert "导入完成" in response.content.decode()

    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    sheet.cell(
        row=2, column=headers.index(next(h for h in headers if "基本编码" in str(h))) + 1
    ).value = "12AB"
    sheet.cell(
        row=3, column=headers.index(next(h for h in headers if "事项类型" in str(h))) + 1
    ).value = "不存在的类型"
    faulty = io.BytesIO()
    book.save(faulty)
    faulty.seek(0)
    faulty.name = "faulty.xlsx"
    before = Item.objects.count(), ItemVersion.objects.count()
    response = client.post(reverse("catalog:import"), {"file": faulty})
    assert response.status_code == 400
    rows = response.context["rows"]
    assert {r[1] for r in rows} >= {2, 3}
    html = response.content.decode()
    assert "未导入任何数据" in html
    assert (Item.objects.count(), ItemVersion.objects.count()) == before


def test_a_page_with_unsaved_errors_offers_no_publish(client, county):
    """The defect: after a failed save the page still offered 发布, which published the
    unchanged stored draft. A page showing edits that were not saved offers none."""
    item = county.market_item
    login(client, county.staff.admin)
    data = editor_data(open_draft(client, item))
    data["promised_limit_days"] = "abc"
    response = client.post(reverse("catalog:draft", args=[item.implementation_code]), data)
    html = response.content.decode()
    assert "尚未保存" in html
    assert reverse("catalog:publish", args=[item.implementation_code]) not in html
    # The page drawn from the stored draft offers it again.
    html = client.get(reverse("catalog:draft", args=[item.implementation_code])).content.decode()
    assert reverse("catalog:publish", args=[item.implementation_code]) in html


def test_publishing_without_a_revision_note_says_so_beside_the_field(client, county):
    item = county.market_item
    login(client, county.staff.admin)
    open_draft(client, item)
    response = client.post(
        reverse("catalog:publish", args=[item.implementation_code]), {"valid_from": "2026-11-23"}
    )
    assert response.status_code == 400
    assert response.context["publish_form"].errors["change_note"] == [
        "修订说明：必须填写（本版改了什么、为什么）"
    ]
    assert ItemVersion.objects.filter(item=item, status=VersionStatus.DRAFT).exists()
