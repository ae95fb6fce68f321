"""One workbook per list: written with a header, widths, a frozen header and a 说明
sheet, read back into the same rows (every list); 权责清单 and 监管事项清单 imported
through the services — all or nothing, faults on their row and column, a second
import of the same file a no-op."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from govhall.core.errors import ValidationFailed
from govhall.core.models import AuditEntry
from govhall.lists import excel, registry, selectors, services
from govhall.lists.models import PowerEntry, SupervisionMatter

pytestmark = pytest.mark.django_db


def _book(key, rows=None, publication=None) -> io.BytesIO:
    spec = registry.get(key)
    stream = io.BytesIO()
    rows = selectors.current_rows(key=key) if rows is None else rows
    excel.write_list(stream=stream, spec=spec, rows=rows, publication=publication)
    stream.seek(0)
    return stream


@pytest.mark.parametrize("key", registry.KEYS)
def test_each_list_goes_out_and_comes_back_the_same(county, key):
    (publication,) = services.publish(actor=county.admin, keys=[key])
    assert publication.rows, f"{key}: the fixture should give every list a row"
    book = excel.read_list(_book(key, publication.rows, publication))
    assert book.faults == []
    assert book.spec.key == key
    assert book.rows == publication.rows


def test_awkward_cells_survive_the_round_trip(county):
    spec = registry.get("powers")
    row = {
        "code": "QL-9",
        "name": "=SUM(A1:A2)",
        "kind": "行政处罚",
        "department": "测试县市场监督管理局",
        "basis": "第一行\n第二行",
        "responsibilities": "  前后空格  ",
        "accountability": "",
        "item": "",
    }
    stream = io.BytesIO()
    excel.write_list(stream=stream, spec=spec, rows=[row])
    stream.seek(0)
    assert excel.read_list(stream).rows == [row]


def test_the_workbook_reads_as_a_list_should(county):
    (publication,) = services.publish(actor=county.admin, keys=["negative"])
    wb = load_workbook(_book("negative", publication.rows, publication))
    sheet, meta = wb.worksheets
    assert sheet.title == "政务服务事项进驻负面清单"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == registry.get("negative").headers
    assert sheet[1][0].font.bold
    assert sheet.column_dimensions["E"].width == 40
    assert sheet["D2"].value == "涉密"
    info = {r[0].value: r[1].value for r in meta.iter_rows()}
    assert info["清单名称"] == "政务服务事项进驻负面清单"
    assert info["清单代码"] == "negative"
    assert info["公布版本"].startswith("第1次公布，2026-11-23")
    assert info["条目数"] == 1


def test_importing_the_exported_file_again_changes_nothing(county):
    for key in ("powers", "supervision"):
        before = AuditEntry.objects.count()
        report = excel.import_entries(actor=county.admin, key=key, stream=_book(key))
        assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
        assert AuditEntry.objects.count() == before


def _edited(key, edit) -> io.BytesIO:
    wb = load_workbook(_book(key))
    edit(wb.worksheets[0])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_an_edited_workbook_creates_and_updates_through_the_services(county):
    def edit(ws):
        ws["B2"] = "食品经营许可（新）"
        ws.append(
            [
                "QL-200",
                "食品生产许可",
                "行政许可",
                "测试县市场监督管理局",
                "《食品安全法》",
                "受理、审查",
                "",
                "",
            ]
        )

    report = excel.import_entries(actor=county.admin, key="powers", stream=_edited("powers", edit))
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    county.power.refresh_from_db()
    assert county.power.name == "食品经营许可（新）"
    assert PowerEntry.objects.get(code="QL-200").kind == "licensing"
    assert AuditEntry.objects.filter(action="lists.power.create", reason="Excel 导入").count() == 1


def test_a_faulty_workbook_imports_nothing_and_says_where(county):
    def edit(ws):
        ws["B2"] = "改了名字"
        ws["C2"] = "乱填"
        ws.append(["QL-201", "", "行政许可", "没有这个部门", "依据", "责任", "", "NOSUCH"])
        ws.append(["QL-001", "重复", "行政许可", "测试县市场监督管理局", "依据", "责任", "", ""])

    with pytest.raises(ValidationFailed) as exc:
        excel.import_entries(actor=county.admin, key="powers", stream=_edited("powers", edit))
    assert exc.value.code == "import_failed"
    where = {(f.row, f.column) for f in exc.value.rows}
    assert where == {
        (2, "权力类型"),
        (3, "权力名称"),
        (3, "实施部门"),
        (3, "对应政务服务事项（实施编码）"),
        (4, "权力编码"),
    }
    county.power.refresh_from_db()
    assert county.power.name == "食品经营许可"
    assert not PowerEntry.objects.filter(code="QL-201").exists()


def test_a_chief_imports_rows_of_his_department_only(county):
    def edit(ws):
        ws.append(["JG-009", "卫生检查", "", "测试县卫生健康委员会", "公共场所", "依据", "抽查"])

    chief = county.org.staff.health_chief.user
    report = excel.import_entries(
        actor=chief, key="supervision", stream=_edited("supervision", edit)
    )
    assert (report.created, report.unchanged) == (1, 1)  # JG-001 is health's too
    market_chief = county.org.staff.market_chief.user
    with pytest.raises(ValidationFailed) as exc:
        excel.import_entries(actor=market_chief, key="supervision", stream=_book("supervision"))
    assert [(f.row, f.column) for f in exc.value.rows] == [(2, "监管部门"), (3, "监管部门")]
    assert SupervisionMatter.objects.count() == 2


def test_the_wrong_list_an_unreadable_file_and_too_many_rows_are_refused(county, monkeypatch):
    with pytest.raises(ValidationFailed) as exc:
        excel.import_entries(actor=county.admin, key="powers", stream=_book("supervision"))
    assert exc.value.code == "import_wrong_list"
    with pytest.raises(ValidationFailed) as exc:
        excel.import_entries(actor=county.admin, key="negative", stream=_book("negative"))
    assert exc.value.code == "import_not_allowed"
    with pytest.raises(ValidationFailed) as exc:
        excel.import_entries(actor=county.admin, key="powers", stream=io.BytesIO(b"not excel"))
    assert exc.value.code == "import_unreadable"
    wb = Workbook()
    wb.active.append(["权力编码", "权力名称"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    with pytest.raises(ValidationFailed) as exc:
        excel.import_entries(actor=county.admin, key="powers", stream=out)
    assert {f.column for f in exc.value.rows} >= {"权力类型", "实施部门", "设定依据"}
    monkeypatch.setattr(excel, "IMPORT_MAX_ROWS", 0)
    with pytest.raises(ValidationFailed) as exc:
        excel.import_entries(actor=county.admin, key="powers", stream=_book("powers"))
    assert "至多 0 行" in exc.value.rows[0].message
