"""12345 exchange: import from JSON or Excel, all or nothing, idempotent by 工单编号;
export of replies and status in the same format."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.feedback.complaints import exchange
from govhall.feedback.complaints.models import Complaint, ComplaintEvent, ExchangeImport, State

from .conftest import act

pytestmark = pytest.mark.django_db


def order(n: int = 1, **overrides) -> dict:
    row = {
        "工单编号": f"12345-20261120-{n:04d}",
        "诉求类别": "投诉",
        "标题": "办证窗口态度差",
        "诉求内容": "在不动产窗口办理业务时工作人员态度生硬。",
        "诉求人": "赵六",
        "联系电话": "13912345678",
        "来电时间": "2026-11-20 14:30",
        "办理时限": "2026-11-27",
    }
    row.update(overrides)
    return row


def as_json(*orders) -> bytes:
    return json.dumps(
        {"format": "govhall-12345", "orders": list(orders)}, ensure_ascii=False
    ).encode()


def run(org, data: bytes, name: str = "orders.json", who=None):
    return exchange.import_orders(actor=(who or org.staff.clerk).user, data=data, file_name=name)


def counts():
    return (Complaint.objects.count(), ComplaintEvent.objects.count(), AuditEntry.objects.count())


def test_import_creates_accepted_orders_with_the_platforms_deadline(org):
    result = run(org, as_json(order(1), order(2, 诉求类别="consultation", 办理时限="")))
    assert len(result.created) == 2 and not result.already_imported
    first = Complaint.objects.get(external_id="12345-20261120-0001")
    assert first.channel == "hotline12345" and first.state == State.ACCEPTED
    assert first.due_date == dt.date(2026, 11, 27)  # kept from the file
    second = Complaint.objects.get(external_id="12345-20261120-0002")
    assert second.category == "consultation"
    assert second.due_date == dt.date(2026, 11, 26)  # 3 working days from today's 受理
    assert list(first.events.values_list("action", flat=True)) == ["import", "accept"]
    record = ExchangeImport.objects.get()
    assert (record.rows, record.created, record.unchanged, record.changed) == (2, 2, 0, 0)
    assert record.imported_by_name == "综窗"
    assert AuditEntry.objects.filter(action="complaints.exchange.import").count() == 1


def test_the_same_file_again_changes_nothing(org):
    data = as_json(order(1), order(2))
    run(org, data)
    before = counts()
    result = run(org, data)
    assert result.already_imported and result.created == []
    assert counts() == before
    assert ExchangeImport.objects.count() == 1


def test_a_changed_order_is_reported_not_duplicated(org):
    run(org, as_json(order(1), order(2)))
    c = Complaint.objects.get(external_id="12345-20261120-0002")
    result = run(org, as_json(order(1), order(2, 诉求内容="补充：还多收了费用。"), order(3)))
    assert result.unchanged == ["12345-20261120-0001"]
    assert len(result.created) == 1
    assert result.changed == [
        {
            "row": "第 2 条",
            "external_id": "12345-20261120-0002",
            "number": c.number,
            "fields": ["诉求内容"],
        }
    ]
    c.refresh_from_db()
    assert c.content == "在不动产窗口办理业务时工作人员态度生硬。"  # not overwritten
    assert Complaint.objects.filter(external_id="12345-20261120-0002").count() == 1
    assert ExchangeImport.objects.latest("id").report == result.changed


def test_bad_rows_refuse_the_whole_file_with_a_message_per_row(org):
    data = as_json(
        order(1),
        order(2, 诉求类别="表扬"),
        order(3, 诉求内容="", 联系电话="abc"),
        order(1),
        order(5, 来电时间="昨天", 办理时限="2026-13-01"),
    )
    with pytest.raises(ValidationFailed) as exc:
        run(org, data)
    err = exc.value
    assert err.code == "import_invalid"
    assert err.message.startswith("12345工单文件有 4 行错误，未导入任何工单。")
    assert err.fields["第 2 条"] == [
        "诉求类别“表扬”无效，应为 紧急、咨询、求助、建议、投诉、举报 之一"
    ]
    assert err.fields["第 3 条"] == ["缺少诉求内容", "联系电话“abc”应为 7 至 20 位数字"]
    assert err.fields["第 4 条"] == ["工单编号 12345-20261120-0001 与第 1 条重复"]
    assert "来电时间“昨天”应为 YYYY-MM-DD HH:MM[:SS]" in err.fields["第 5 条"]
    assert "办理时限“2026-13-01”应为 YYYY-MM-DD" in err.fields["第 5 条"]
    assert counts() == (0, 0, 0) and not ExchangeImport.objects.exists()


def test_an_unknown_case_number_is_a_row_error(org):
    with pytest.raises(ValidationFailed) as exc:
        run(org, as_json(order(1, 涉及办件="150626-20261120-9999")))
    assert exc.value.fields == {"第 1 条": ["涉及办件 150626-20261120-9999 不存在"]}


def test_not_a_file_of_orders(org):
    for data, name in ((b"{oops", "a.json"), (b"PK\x03\x04junk", "a.xlsx"), (b"x", "a.csv")):
        with pytest.raises(ValidationFailed) as exc:
            run(org, data, name)
        assert exc.value.code == "invalid_file"


def workbook(*orders) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "工单"
    headers = list(orders[0])
    sheet.append(headers)
    for o in orders:
        sheet.append([o[h] for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_from_excel_with_numbers_and_dates_as_cells(org):
    data = workbook(
        order(
            1,
            联系电话=13912345678,
            来电时间=dt.datetime(2026, 11, 20, 14, 30),
            办理时限=dt.date(2026, 11, 27),
        )
    )
    result = run(org, data, "12345.xlsx")
    c = Complaint.objects.get(number=result.created[0])
    assert c.complainant_phone == "13912345678"
    assert c.due_date == dt.date(2026, 11, 27)
    # The same orders as JSON are the same orders: nothing changes.
    again = run(org, as_json(order(1)))
    assert again.unchanged == ["12345-20261120-0001"] and again.created == []


def test_excel_row_errors_name_the_sheet_row(org):
    with pytest.raises(ValidationFailed) as exc:
        run(org, workbook(order(1), order(2, 诉求类别="")), "12345.xlsx")
    assert exc.value.fields == {"第 3 行": ["缺少诉求类别"]}


def test_export_carries_the_reply_and_reimports_as_unchanged(org):
    run(org, as_json(order(1), order(2)))
    c = Complaint.objects.get(external_id="12345-20261120-0001")
    c = act(c, "assign", org.staff.clerk, handler=org.market)
    c = act(c, "handle", org.staff.market_chief)
    c = act(c, "reply", org.staff.market_chief, reply="已核实并批评教育当事人。")
    data = exchange.export_orders(user=org.staff.clerk.user)
    doc = json.loads(data)
    assert doc["format"] == "govhall-12345"
    first = doc["orders"][0]
    assert first["external_id"] == "12345-20261120-0001"
    assert first["state"] == "已答复" and first["handler"] == "测试县市场监督管理局"
    assert first["reply"] == "已核实并批评教育当事人。"
    assert first["number"] == c.number
    before = counts()
    result = run(org, data, "export.json")
    assert result.created == [] and len(result.unchanged) == 2
    assert counts()[:2] == before[:2]


def test_export_as_excel_has_chinese_headers_and_round_trips(org):
    run(org, as_json(order(1)))
    data = exchange.export_orders(user=org.staff.admin.user, as_="xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["工单编号", "诉求类别", "标题"] and "答复内容" in header
    assert run(org, data, "export.xlsx").unchanged == ["12345-20261120-0001"]


def test_only_the_county_centre_exchanges(org):
    with pytest.raises(PermissionDenied):
        run(org, as_json(order(1)), who=org.staff.market_chief)
    with pytest.raises(PermissionDenied):
        exchange.export_orders(user=org.staff.supervisor.user)


def test_the_commands(org, tmp_path, capsys):
    path = tmp_path / "orders.json"
    path.write_bytes(as_json(order(1)))
    call_command("import_12345", str(path), "--user", "clerk")
    assert "新建 1 件" in capsys.readouterr().out
    call_command("import_12345", str(path), "--user", "clerk")
    assert "本次未做任何更改" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_bytes(as_json(order(2, 诉求类别="表扬")))
    with pytest.raises(CommandError):
        call_command("import_12345", str(bad), "--user", "clerk")
    assert "第 1 条：诉求类别“表扬”无效" in capsys.readouterr().err
    out = tmp_path / "out.xlsx"
    call_command("export_12345", str(out), "--user", "admin")
    assert load_workbook(out).active.max_row == 2
