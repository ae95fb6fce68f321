"""One Excel workbook per list (issue 13 §3), like the catalogue's (``catalog/excel.py``):
the list's sheet (bold header, column widths, frozen header row) and a 说明 sheet
with the list's key, name, source, the publication shown (序号, 时间) and the row
count. :func:`read_list` parses a workbook back into the same rows (the round trip
is tested for every list). For 权责清单 and 监管事项清单 :func:`import_entries` writes
the rows through the services: every row checked first, every fault placed on its
row and column, nothing written if any; bounded in rows; importing the same file
twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from govhall.catalog.excel import ImportFault, read_workbook
from govhall.core import clock
from govhall.core.errors import DomainError, ValidationFailed
from govhall.org.models import Department

from . import permissions, registry, services
from .models import ListPublication
from .registry import ListSpec, Row

META_SHEET = "说明"
META_KEY = "清单代码"
IMPORT_MAX_ROWS = 5000


def sheet_title(spec: ListSpec) -> str:
    """Excel's sheet names: at most 31 characters, none of ``[]:*?/\\``."""
    title = spec.name
    for ch in "[]:*?/\\":
        title = title.replace(ch, "")
    return title[:31]


def _text_cell(ws, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # text, not a formula
        return cell
    return None if value == "" else value


def write_list(
    *, stream, spec: ListSpec, rows: list[Row], publication: ListPublication | None = None
) -> None:
    """Write ``rows`` of ``spec`` (the publication shown, if any) as one .xlsx."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    font, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    ws = wb.create_sheet(sheet_title(spec))
    ws.freeze_panes = "A2"
    for index, column in enumerate(spec.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in spec.columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font, cell.fill = font, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append([_text_cell(ws, row.get(c.key)) for c in spec.columns])

    meta = wb.create_sheet(META_SHEET)
    meta.column_dimensions["A"].width = 14
    meta.column_dimensions["B"].width = 70
    if publication is not None:
        when = timezone.localtime(publication.published_at).strftime("%Y-%m-%d %H:%M")
        published = f"第{publication.sequence}次公布，{when}"
    else:
        published = "尚未公布（按当前事项目录生成）"
    exported = timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M")
    for label, value in (
        ("清单名称", spec.name),
        (META_KEY, spec.key),
        ("公布依据", spec.source),
        ("公布版本", published),
        ("条目数", len(rows)),
        ("导出时间", exported),
    ):
        key_cell = WriteOnlyCell(meta, value=label)
        key_cell.font = font
        meta.append([key_cell, value])
    wb.save(stream)


@dataclass
class ListWorkbook:
    spec: ListSpec
    rows: list[Row]
    row_numbers: list[int]  # the sheet row of each row (for placing faults)
    faults: list[ImportFault]


def _key_of(sheets) -> str | None:
    for _number, cells in sheets.get(META_SHEET, []):
        if str(cells.get(0, "")).strip() == META_KEY:
            return str(cells.get(1, "")).strip()
    return None


def _value(column: registry.Column, raw) -> tuple[object, str | None]:
    if column.kind == "int":
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None, None
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return None, f"应为整数，现为“{str(raw)[:20]}”"
        if not number.is_integer() or not 0 <= number <= 32767:
            return None, f"应为 0 至 32767 的整数，现为“{str(raw)[:20]}”"
        return int(number), None
    if raw is None:
        return "", None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw), None


def read_list(stream, *, key: str | None = None) -> ListWorkbook:
    """A list's workbook as its rows. The list is named by the 说明 sheet (or
    ``key``); a wrong header or value is an :class:`ImportFault` (sheet, row, column)."""
    sheets = read_workbook(stream)  # a file that is no workbook: import_unreadable
    found = _key_of(sheets)
    key = key or found
    if key not in registry.REGISTRY:
        raise ValidationFailed(
            "无法识别该工作簿是哪一份清单（缺少“说明”工作表的清单代码）",
            code="import_unknown_list",
        )
    spec = registry.REGISTRY[key]
    if found and found != key:
        raise ValidationFailed(
            f"该工作簿是“{registry.REGISTRY[found].name if found in registry.REGISTRY else found}”，"
            f"不是“{spec.name}”",
            code="import_wrong_list",
        )
    title = sheet_title(spec)
    faults: list[ImportFault] = []
    data = sheets.get(title)
    if data is None:
        data = next((rows for name, rows in sheets.items() if name != META_SHEET), None)
    if not data or data[0][0] != 1:
        faults.append(ImportFault(title, 1, "", "第1行应为表头"))
        return ListWorkbook(spec, [], [], faults)
    header = {str(v).strip(): i for i, v in data[0][1].items()}
    indexes = {}
    for column in spec.columns:
        if column.header not in header:
            faults.append(ImportFault(title, 1, column.header, "缺少该列"))
        else:
            indexes[column.key] = header[column.header]
    if faults:
        return ListWorkbook(spec, [], [], faults)
    if len(data) - 1 > IMPORT_MAX_ROWS:
        faults.append(
            ImportFault(title, 0, "", f"至多 {IMPORT_MAX_ROWS} 行，现有 {len(data) - 1} 行")
        )
        return ListWorkbook(spec, [], [], faults)
    rows, numbers = [], []
    for number, cells in data[1:]:
        row = {}
        for column in spec.columns:
            value, error = _value(column, cells.get(indexes[column.key]))
            if error:
                faults.append(ImportFault(title, number, column.header, error))
            row[column.key] = value
        rows.append(row)
        numbers.append(number)
    return ListWorkbook(spec, rows, numbers, faults)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"新增 {self.created}，修改 {self.updated}，未变 {self.unchanged}"


def _failed(faults: list[ImportFault]) -> ValidationFailed:
    exc = ValidationFailed(
        f"导入失败：发现 {len(faults)} 处错误，未导入任何数据", code="import_failed"
    )
    exc.rows = sorted(faults, key=lambda f: (f.row, f.column))
    for fault in exc.rows:
        exc.fields.setdefault(f"{fault.sheet}!{fault.row}!{fault.column}", []).append(fault.message)
    return exc


_SAVE = {"powers": services.save_power, "supervision": services.save_supervision}


def import_entries(*, actor, key: str, stream) -> ImportReport:
    """导入 权责清单 (``powers``) or 监管事项清单 (``supervision``) from its workbook:
    each row created or updated by its code through the services; rows not in the
    file are left as they are (撤销 is a deliberate act, on the page)."""
    spec = registry.get(key)
    if key not in _SAVE:
        raise ValidationFailed(f"“{spec.name}”由事项目录生成，不能导入", code="import_not_allowed")
    book = read_list(stream, key=key)
    title = sheet_title(spec)
    faults = list(book.faults)
    if faults:
        raise _failed(faults)
    headers = {c.key: c.header for c in spec.columns}
    departments = {d.name: d for d in Department.objects.all()}
    seen: dict[str, int] = {}
    checked = []
    for row, number in zip(book.rows, book.row_numbers, strict=True):
        fields = dict(row)
        name = str(fields.pop("department") or "").strip()
        department = departments.get(name)
        if department is None:
            faults.append(
                ImportFault(title, number, headers["department"], f"没有名为“{name[:30]}”的部门")
            )
        code = str(fields.get("code") or "").strip().upper()
        if code and code in seen:
            faults.append(
                ImportFault(title, number, headers["code"], f"编码重复（与第{seen[code]}行相同）")
            )
        seen.setdefault(code, number)
        check = services.check_power if key == "powers" else services.check_supervision
        try:
            check(department=department, **fields)
        except ValidationFailed as exc:
            for field, messages in exc.fields.items():
                if field == "department" and department is None:
                    continue
                for message in messages:
                    faults.append(ImportFault(title, number, headers.get(field, field), message))
        else:
            if department is not None and not permissions.may_maintain(actor, department):
                faults.append(
                    ImportFault(
                        title, number, headers["department"], f"您不能维护{department.name}的事项"
                    )
                )
        checked.append((number, department, fields))
    if faults:
        raise _failed(faults)
    report = ImportReport()
    with transaction.atomic():
        for number, department, fields in checked:
            try:
                saved = _SAVE[key](
                    actor=actor, department=department, reason="Excel 导入", **fields
                )
            except DomainError as exc:  # e.g. the code of another department's entry
                raise _failed([ImportFault(title, number, headers["code"], exc.message)]) from exc
            if saved.created:
                report.created += 1
            elif saved.changed:
                report.updated += 1
            else:
                report.unchanged += 1
    return report


def filename(spec: ListSpec, day: dt.date) -> str:
    return f"{spec.name}_{day.isoformat()}.xlsx"
