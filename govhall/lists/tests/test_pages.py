"""The portal's list pages and the staff pages of the lists."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from govhall.catalog import services as catalog_services
from govhall.lists import excel, services
from govhall.lists.models import ListPublication, PowerEntry

from .conftest import two_publications

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(county):
    return two_publications(county)


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_negative_list_shows_its_version_changes_and_history(client, history):
    html = _html(client.get("/lists/negative/"))
    assert "2026年11月24日</strong>公布（第2次公布），共 2 项" in html
    table = html.split('id="list-negative"')[1].split("</table>")[0]
    assert "危化品审批" in table and "涉密审批" in table and "涉及安全生产秘密" in table
    joined = {
        name: row.split('class="text-nowrap joined">')[1][:10]
        for row in table.split("<tr>")[2:]
        for name in ("危化品审批", "涉密审批")
        if name in row
    }
    assert joined == {"涉密审批": "2026-11-23", "危化品审批": "2026-11-24"}
    changes = html.split('id="changes"')[1].split("</section>")[0]
    assert "新增 1 项，移出 0 项" in changes and "危化品审批" in changes
    rows = html.split('id="history"')[1].split("</table>")[0].split("<tr>")[2:]
    assert "第2次" in rows[0] and "1 项：危化品审批" in rows[0] and "新增一项" in rows[0]
    assert "第1次" in rows[1] and "首次公布" in rows[1]


def test_the_list_as_published_on_an_earlier_date_and_a_search(client, history):
    html = _html(client.get("/lists/negative/", {"date": "2026-11-23"}))
    table = html.split('id="list-negative"')[1].split("</table>")[0]
    assert "涉密审批" in table and "危化品审批" not in table
    html = _html(client.get("/lists/negative/", {"q": "安全生产"}))
    table = html.split('id="list-negative"')[1].split("</table>")[0]
    assert "危化品审批" in table and "涉密审批" not in table
    assert "没有匹配的条目" in _html(client.get("/lists/negative/", {"q": "火星"}))
    assert client.get("/lists/nope/").status_code == 404


def test_the_excel_download_is_the_published_list(client, history):
    response = client.get("/lists/negative/excel/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = excel.read_list(io.BytesIO(response.content))
    assert book.rows == ListPublication.objects.get(key="negative", sequence=2).rows
    old = client.get("/lists/negative/excel/", {"date": "2026-11-23"})
    sheet = load_workbook(io.BytesIO(old.content)).worksheets[0]
    assert sheet.max_row == 2  # the header and the one entry of the first publication


def test_the_index_lists_every_list_with_its_date(client, history):
    html = _html(client.get("/lists/"))
    assert html.count('class="list-group-item list-group-item-action"') == 13
    assert "2026年11月24日公布 · 2 项" in html


def test_an_unpublished_list_says_so_and_shows_the_catalogue(client, county):
    html = _html(client.get("/lists/negative/"))
    assert "尚未正式公布" in html and "涉密审批" in html


def test_a_list_page_costs_the_same_queries_however_long(
    client, history, django_assert_max_num_queries
):
    # the publication shown, the history (and the site's name for the header)
    with django_assert_max_num_queries(3):
        client.get("/lists/catalogue/")
    with django_assert_max_num_queries(2):
        client.get("/lists/")
    with django_assert_max_num_queries(4):  # and when each entry joined the list
        client.get("/lists/negative/")


# --------------------------------------------------------------------------- staff


def _login(client, staff):
    client.force_login(staff.user)


def test_the_administrator_publishes_from_the_staff_page(client, county):
    _login(client, county.org.staff.admin)
    html = _html(client.get("/staff/lists/"))
    assert 'id="publish"' in html and "首次公布 1 项" in html
    response = client.post("/staff/lists/publish/", {"keys": ["negative", "fees"], "note": "例行"})
    assert response.status_code == 302
    assert set(ListPublication.objects.values_list("key", flat=True)) == {"negative", "fees"}
    html = _html(client.get("/staff/lists/", follow=True))
    assert "已公布 2 份清单" in html or "第1次" in html


def test_others_see_the_lists_but_cannot_publish(client, county):
    _login(client, county.org.staff.clerk)
    html = _html(client.get("/staff/lists/"))
    assert 'id="publish"' not in html
    client.post("/staff/lists/publish/", {"keys": ["negative"]})
    assert not ListPublication.objects.exists()


def test_the_compare_page_shows_changes_side_by_side(client, history):
    _login(client, history.org.staff.supervisor)
    catalog_services.change_item_flags(
        actor=history.root, item=history.secret, reason="改", negative_list_reason="新的理由"
    )
    services.publish(actor=history.admin)
    html = _html(
        client.get(
            "/staff/lists/compare/", {"key": "negative", "start": "2026-11-23", "end": "2026-11-25"}
        )
    )
    assert "新增 1，移出 0，变更 1" in html
    assert "危化品审批" in html.split('id="added"')[1]
    changed = html.split("changed-entry")[1]
    assert "涉及国家秘密，不宜进驻" in changed and "新的理由" in changed
    bad = _html(
        client.get(
            "/staff/lists/compare/", {"key": "negative", "start": "2026-11-25", "end": "2026-11-23"}
        )
    )
    assert "起始日期不能晚于截止日期" in bad


def test_a_chief_edits_his_departments_entry_and_reads_the_others(client, county):
    chief = county.org.staff.market_chief
    _login(client, chief)
    html = _html(client.get(f"/staff/lists/entries/powers/{county.power.pk}/"))
    assert 'id="save"' in html
    response = client.post(
        f"/staff/lists/entries/powers/{county.power.pk}/",
        {
            "code": "QL-001",
            "name": "食品经营许可（改）",
            "kind": "licensing",
            "department": county.org.market.pk,
            "item": "",
            "basis": "依据",
            "responsibilities": "责任",
            "accountability": "",
            "reason": "调整",
        },
    )
    assert response.status_code == 302
    assert PowerEntry.objects.get().name == "食品经营许可（改）"
    html = _html(client.get(f"/staff/lists/entries/supervision/{county.matter.pk}/"))
    assert 'id="save"' not in html and "首席代表可以修改" in html
    refused = client.post(
        f"/staff/lists/entries/supervision/{county.matter.pk}/",
        {"code": "JG-001", "name": "改掉", "department": county.org.health.pk},
    )
    assert refused.status_code == 403
    county.matter.refresh_from_db()
    assert county.matter.name == "食品经营者监督检查"
    html = _html(client.get("/staff/lists/entries/powers/new/"))
    assert "测试县卫生健康委员会" not in html.split('name="department"')[1].split("</select>")[0]


def test_a_bad_entry_shows_its_faults_beside_the_fields(client, county):
    _login(client, county.org.staff.admin)
    html = _html(
        client.post(
            "/staff/lists/entries/supervision/new/",
            {
                "code": "JG-9",
                "name": "检查",
                "department": county.org.health.pk,
                "items": "NOSUCH",
                "target": "对象",
                "basis": "依据",
                "method": "方式",
            },
        )
    )
    assert "没有实施编码为 NOSUCH 的事项" in html


def test_the_import_page_lists_the_faults(client, county):
    _login(client, county.org.staff.admin)
    wb = load_workbook(io.BytesIO(client.get("/lists/powers/excel/").content))
    wb.worksheets[0]["C2"] = "乱填"
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "powers.xlsx"
    html = _html(client.post("/staff/lists/entries/powers/import/", {"file": out}))
    faults = html.split('id="faults"')[1]
    assert "权力类型" in faults and "请选择权力类型" in faults
