"""事项目录 Excel 导出/导入 — one workbook, four sheets: 事项, 申请材料, 办理环节, 特殊环节.

Why: counties keep and exchange their catalogue as spreadsheets (issue 2 §3). The
workbook must go out and come back losslessly, and a faulty import must say *where*
every fault is (sheet, row, column) and change nothing.

* Headers are the models' Chinese ``verbose_name``; choices are written as their
  Chinese labels (the stored value is accepted too); booleans as 是/否.
* Child sheets are keyed by 实施编码; the 事项名称 and 部门名称 columns are only
  for reading and are ignored on import, as is 版本号 (numbers are given on publish).
* 生效日期: kept for a new item; for a changed guide the new version takes effect on
  that date if it is later than today, else today (as ``services.publish``).

Import reads the .xlsx with a small regex reader of the SpreadsheetML cells (three
times faster than openpyxl's read-only mode, which alone would miss the target of
1,000 items/s); anything it does not recognise falls back to openpyxl.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import models

from govhall.core.errors import ValidationFailed
from govhall.org import permissions
from govhall.org.models import Department

from . import selectors, services
from .models import (
    GUIDE_CHILDREN,
    GUIDE_FIELDS,
    MATERIAL_FIELDS,
    SPECIAL_STEP_FIELDS,
    STEP_FIELDS,
    Item,
    ItemVersion,
    LifeEvent,
    Material,
    SpecialStep,
    Step,
)
from .validation import (
    validate_codes,
    validate_filing_kind,
    validate_guide,
    validate_negative_list,
)

SHEET_ITEMS = "事项"
SHEET_MATERIALS = "申请材料"
SHEET_STEPS = "办理环节"
SHEET_SPECIALS = "特殊环节"

_TRUE = {"是", "true", "1", "y", "yes", "√", "✓"}
_FALSE = {"否", "false", "0", "n", "no", "×", "✗"}
_CODE_SPLIT = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True)
class Column:
    """One column: the field ``key``, its Chinese header, and how cells convert."""

    key: str
    header: str
    kind: str = "text"  # text, int, bool, choice, date, codes
    null: bool = False  # int: empty cell means None
    default: Any = None  # value of an empty cell (None with not null → 必须填写)
    choices: tuple = ()  # (value, label)
    max_length: int | None = None
    maximum: int | None = None
    info: bool = False  # written for reading only, ignored on import
    optional: bool = False  # may be missing from the header row
    width: int = 14


def _from_field(model, name: str, *, key: str | None = None, header: str | None = None) -> Column:
    f = model._meta.get_field(name)
    header = header or str(f.verbose_name)
    default = f.default if f.has_default() else None
    width = max(10, min(2 * len(header) + 4, 24))
    if isinstance(f, models.BooleanField):
        return Column(key or name, header, "bool", default=default, width=width)
    if isinstance(f, models.IntegerField):
        maximum = 32767 if isinstance(f, models.SmallIntegerField) else 2147483647
        return Column(
            key or name, header, "int", null=f.null, default=default, maximum=maximum, width=width
        )
    if isinstance(f, models.DateField):
        return Column(key or name, header, "date", width=12)
    if f.choices:
        return Column(
            key or name,
            header,
            "choice",
            default=default,
            choices=tuple((v, str(label)) for v, label in f.choices),
            width=max(width, 12),
        )
    if isinstance(f, models.TextField):
        return Column(key or name, header, default="", width=40)
    return Column(key or name, header, default="", max_length=f.max_length, width=max(width, 20))


CODE = Column("implementation_code", "实施编码", default="", width=36)
ITEM_COLUMNS = [
    CODE,
    Column("basic_code", "基本编码", default="", width=16),
    Column("department_code", "实施部门统一社会信用代码", default="", width=24),
    Column("department_name", "部门名称", info=True, optional=True, width=24),
    _from_field(Item, "type"),
    _from_field(Item, "status"),
    _from_field(Item, "is_stationed"),
    _from_field(Item, "on_negative_list"),
    _from_field(Item, "negative_list_reason"),
    Column("life_events", "主题", "codes", default=(), width=24),
    *[_from_field(ItemVersion, f) for f in GUIDE_FIELDS],
    Column("valid_from", "生效日期", "date", optional=True, width=12),
    Column("number", "版本号", "int", info=True, optional=True, width=8),
]
_ITEM_NAME = Column("item_name", "事项名称", info=True, optional=True, width=30)
MATERIAL_COLUMNS = [CODE, _ITEM_NAME, *[_from_field(Material, f) for f in MATERIAL_FIELDS]]
STEP_COLUMNS = [CODE, _ITEM_NAME, *[_from_field(Step, f) for f in STEP_FIELDS]]
SPECIAL_COLUMNS = [CODE, _ITEM_NAME, *[_from_field(SpecialStep, f) for f in SPECIAL_STEP_FIELDS]]
SHEETS = [
    (SHEET_ITEMS, ITEM_COLUMNS),
    (SHEET_MATERIALS, MATERIAL_COLUMNS),
    (SHEET_STEPS, STEP_COLUMNS),
    (SHEET_SPECIALS, SPECIAL_COLUMNS),
]
_CHILD_SHEETS = {
    "materials": (SHEET_MATERIALS, MATERIAL_COLUMNS),
    "steps": (SHEET_STEPS, STEP_COLUMNS),
    "special_steps": (SHEET_SPECIALS, SPECIAL_COLUMNS),
}


# --- export -------------------------------------------------------------------------


def _cell(column: Column, value):
    if value is None or value == "":
        return None
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "choice":
        return dict(column.choices).get(value, value)
    if column.kind == "codes":
        return ",".join(value) or None
    return value


def write_workbook(*, stream, items, materials, steps, special_steps) -> None:
    """Write rows (dicts keyed by column key, stored values) as the four sheets."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    font, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for (title, columns), rows in zip(
        SHEETS, (items, materials, steps, special_steps), strict=True
    ):
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=column.header)
            cell.font, cell.fill = font, fill
            cell.alignment = Alignment(horizontal="center", vertical="center")
            header.append(cell)
        ws.append(header)
        for row in rows:
            values = [_cell(c, row.get(c.key)) for c in columns]
            for i, value in enumerate(values):
                if isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"  # text, not a formula
                    values[i] = cell
            ws.append(values)
    wb.save(stream)


def export_workbook(*, stream, versions=None) -> None:
    """导出事项目录: the given versions (default: every current version) as one .xlsx.

    ``stream`` is a path or a binary file object; ``versions`` a queryset or list of
    ItemVersion.
    """
    items, materials, steps, specials = [], [], [], []
    for version in selectors.versions_for_export(versions=versions):
        item = version.item
        row = {f: getattr(version, f) for f in GUIDE_FIELDS}
        row.update(
            implementation_code=item.implementation_code,
            basic_code=item.basic_code,
            department_code=item.department.code,
            department_name=item.department.name,
            life_events=version.export_life_events,
            valid_from=version.valid_from,
            number=version.number,
            **{f: getattr(item, f) for f in services.ITEM_IMPORT_FIELDS},
        )
        items.append(row)
        key = {"implementation_code": item.implementation_code, "item_name": version.name}
        materials.extend({**key, **m} for m in version.export_materials)
        steps.extend({**key, **s} for s in version.export_steps)
        specials.extend({**key, **s} for s in version.export_special_steps)
    write_workbook(
        stream=stream, items=items, materials=materials, steps=steps, special_steps=specials
    )


# --- reading .xlsx ------------------------------------------------------------------

_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_T = re.compile(r"<t(?:\s[^>]*)?>([^<]*)</t>")
_SI = re.compile(r"<si>(.*?)</si>", re.S)
_RPH = re.compile(r"<rPh\b.*?</rPh>", re.S)
_TYPE = re.compile(r'\bt="(\w+)"')
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}

Rows = list[tuple[int, dict[int, Any]]]  # (row number, {column index: value})


class _Unsupported(Exception):
    pass


def _col_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _text(fragment: str) -> str:
    if "<rPh" in fragment:
        fragment = _RPH.sub("", fragment)
    text = "".join(_T.findall(fragment))
    return html.unescape(text) if "&" in text else text


def _read_fast(data: bytes) -> dict[str, Rows]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
    shared: list[str] = []
    for rel in rels.findall("rel:Relationship", _NS):
        if rel.get("Type", "").endswith("/sharedStrings"):
            path = _part_path(rel.get("Target"))
            text = zf.read(path).decode("utf-8")
            shared = [_text(m) for m in _SI.findall(text)]
            if text.count("<si>") != len(shared) or ("<si " in text or ":si>" in text):
                raise _Unsupported
    sheets: dict[str, Rows] = {}
    columns: dict[str, int] = {}
    for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
        path = _part_path(targets[sheet.get(f"{{{_NS['r']}}}id")])
        if path not in names:
            raise _Unsupported
        text = zf.read(path).decode("utf-8")
        if "<sheetData" not in text:
            raise _Unsupported
        rows: dict[int, dict[int, Any]] = {}
        found = 0
        for letters, number, attrs, inner in _CELL.findall(text):
            found += 1
            if not inner:
                continue
            kind = "n"
            if "t=" in attrs:
                match = _TYPE.search(attrs)
                kind = match.group(1) if match else "n"
            if kind == "inlineStr":
                value = _text(inner)
            else:
                start = inner.find("<v>")
                if start < 0:
                    continue
                value = inner[start + 3 : inner.find("</v>", start)]
                if kind == "s":
                    value = shared[int(value)]
                elif kind == "b":
                    value = value == "1"
                elif kind in ("str", "e") and "&" in value:
                    value = html.unescape(value)
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = _col_index(letters)
            row = rows.get(number)
            if row is None:
                row = rows[number] = {}
            row[col] = value
        if found != text.count("<c ") + text.count("<c>"):
            raise _Unsupported  # cells without an r="A1" reference: let openpyxl read it
        sheets[sheet.get("name")] = sorted((int(n), r) for n, r in rows.items())
    return sheets


def _part_path(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _read_openpyxl(data: bytes) -> dict[str, Rows]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheets = {}
    for ws in wb.worksheets:
        rows = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            row = {i: v for i, v in enumerate(values) if v is not None and v != ""}
            if row:
                rows.append((number, row))
        sheets[ws.title] = rows
    wb.close()
    return sheets


def read_workbook(stream) -> dict[str, Rows]:
    """Every sheet as (row number, {column index: raw value}) without empty rows."""
    if isinstance(stream, str | bytes) or hasattr(stream, "__fspath__"):
        with open(stream, "rb") as fh:
            data = fh.read()
    else:
        data = stream.read()
    try:
        return _read_fast(data)
    except (_Unsupported, KeyError, IndexError, ValueError, ET.ParseError, zipfile.BadZipFile):
        pass  # openpyxl reads it, or says it cannot
    try:
        return _read_openpyxl(data)
    except Exception as exc:  # noqa: BLE001 — any unreadable file is the same fault
        raise ValidationFailed(
            "无法读取该文件，请上传 Excel 工作簿（.xlsx）", code="import_unreadable"
        ) from exc


# --- import -------------------------------------------------------------------------


class ImportFault(NamedTuple):
    """One fault: where (sheet, row, column header) and what (Chinese message)."""

    sheet: str
    row: int
    column: str
    message: str

    def __str__(self):
        where = f"{self.sheet} 第{self.row}行" if self.row else f"{self.sheet}"
        if self.column:
            where += f" 「{self.column}」"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_versions: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def __str__(self):
        return (
            f"共 {self.total} 个事项：新增 {self.created}，更新 {self.updated}，"
            f"未变 {self.unchanged}；新发布版本 {self.new_versions} 个"
        )


def _convert(column: Column, raw) -> tuple[Any, str | None]:
    """A raw cell as the stored value, or an error message."""
    if isinstance(raw, str) and column.kind != "text" and not raw.strip():
        raw = None
    if raw is None or raw == "":
        if column.kind == "text":
            return "", None
        if column.kind == "codes":
            return (), None
        if column.kind == "int" and column.null:
            return None, None
        if column.default is None and column.kind != "date":
            return None, "必须填写"
        return column.default, None
    kind = column.kind
    if kind == "text":
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        value = raw if isinstance(raw, str) else str(raw)
        if column.max_length and len(value) > column.max_length:
            return None, f"不能超过{column.max_length}个字"
        return value, None
    if kind == "int":
        try:
            number = float(raw) if not isinstance(raw, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or not number.is_integer() or number < 0:
            return None, f"应为不小于0的整数，现为“{raw}”"
        if column.maximum and number > column.maximum:
            return None, f"不能大于{column.maximum}"
        return int(number), None
    if kind == "bool":
        if isinstance(raw, bool):
            return raw, None
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return None, f"应填“是”或“否”，现为“{raw}”"
    if kind == "choice":
        text = str(raw).strip()
        for value, label in column.choices:
            if text in (label, value):
                return value, None
        labels = "、".join(label for _, label in column.choices)
        return None, f"“{text}”不是有效取值（可选：{labels}）"
    if kind == "date":
        if isinstance(raw, dt.datetime):
            return raw.date(), None
        if isinstance(raw, dt.date):
            return raw, None
        text = str(raw).strip()
        try:
            if re.fullmatch(r"\d+(\.\d+)?", text):
                return dt.date(1899, 12, 30) + dt.timedelta(days=int(float(text))), None
            return dt.date.fromisoformat(text.replace("/", "-")[:10]), None
        except ValueError:
            return None, f"应为日期（如 2026-12-01），现为“{raw}”"
    if kind == "codes":
        return tuple(c for c in _CODE_SPLIT.split(str(raw).strip()) if c), None
    raise AssertionError(kind)


class _Sheet:
    """Rows of one sheet converted by column, collecting faults as it goes."""

    def __init__(self, title, columns, rows: Rows | None, faults: list[ImportFault]):
        self.title, self.faults, self.records = title, faults, []
        if rows is None:
            faults.append(ImportFault(title, 0, "", "缺少该工作表"))
            return
        if not rows or rows[0][0] != 1:
            faults.append(ImportFault(title, 1, "", "第1行应为表头"))
            return
        header = {str(v).strip(): i for i, v in sorted(rows[0][1].items(), reverse=True)}
        seen: dict[str, int] = {}
        for index, value in rows[0][1].items():
            name = str(value).strip()
            if name in seen:
                faults.append(ImportFault(title, 1, name, "表头重复"))
            seen[name] = index
        wanted = []
        for column in columns:
            if column.info:
                continue
            if column.header not in header:
                if not column.optional:
                    faults.append(ImportFault(title, 1, column.header, "缺少该列"))
                continue
            wanted.append((column, header[column.header]))
        if any(f.sheet == title and f.row == 1 for f in faults):
            return
        plain = [(c, i, c.kind == "text" and c.max_length) for c, i in wanted]
        for number, cells in rows[1:]:
            record = {"_row": number}
            for column, index, text_limit in plain:
                raw = cells.get(index)
                if text_limit is not False and type(raw) is str:  # fast path: text cell
                    if not text_limit or len(raw) <= text_limit:
                        record[column.key] = raw
                        continue
                value, error = _convert(column, raw)
                if error:
                    faults.append(ImportFault(title, number, column.header, error))
                record[column.key] = value
            self.records.append(record)

    def fault(self, row: int, key: str, message: str, columns) -> None:
        header = next((c.header for c in columns if c.key == key), key)
        self.faults.append(ImportFault(self.title, row, header, message))


def _fail(faults: list[ImportFault]) -> ValidationFailed:
    exc = ValidationFailed(
        f"导入失败：发现 {len(faults)} 处错误，未导入任何数据", code="import_failed"
    )
    exc.rows = faults
    for fault in faults:
        exc.fields.setdefault(f"{fault.sheet}!{fault.row}!{fault.column}", []).append(fault.message)
    return exc


def _strip(record: dict, fields: list[str]) -> dict:
    return {f: record[f] for f in fields}


def import_workbook(*, actor, stream, progress=None) -> ImportReport:
    """导入事项目录: check every row of every sheet, then upsert all items at once.

    ``progress(stage, done, total)`` (optional) is told how far 读取/校验/写入 got.
    Any fault raises ``ValidationFailed(code="import_failed")`` whose ``rows`` lists
    every :class:`ImportFault` (also in ``fields``); nothing is imported then.
    """

    def tick(stage, done, total):
        if progress:
            progress(stage, done, total)

    tick("读取", 0, 1)
    raw = read_workbook(stream)
    tick("读取", 1, 1)
    faults: list[ImportFault] = []
    sheets = {title: _Sheet(title, cols, raw.get(title), faults) for title, cols in SHEETS}
    item_sheet = sheets[SHEET_ITEMS]

    departments = {d.code: d for d in Department.objects.all()}
    events = dict(LifeEvent.objects.values_list("code", "id"))
    editable: dict[int, bool] = {}

    by_code: dict[str, dict] = {}
    for record in item_sheet.records:
        code = record["implementation_code"] = record["implementation_code"].strip().upper()
        record["basic_code"] = record["basic_code"].strip()
        record["department_code"] = record["department_code"].strip().upper()
        row = record["_row"]
        if not code:
            item_sheet.fault(row, "implementation_code", "必须填写", ITEM_COLUMNS)
            continue
        if code in by_code:
            item_sheet.fault(
                row,
                "implementation_code",
                f"实施编码重复（与第{by_code[code]['_row']}行相同）",
                ITEM_COLUMNS,
            )
            continue
        by_code[code] = record
        record["materials"], record["steps"], record["special_steps"] = [], [], []

    for key, (title, columns) in _CHILD_SHEETS.items():
        sheet = sheets[title]
        for record in sheet.records:
            code = record["implementation_code"].strip().upper()
            parent = by_code.get(code)
            if parent is None:
                message = "必须填写" if not code else f"事项表中没有实施编码 {code}"
                sheet.fault(record["_row"], "implementation_code", message, columns)
                continue
            parent[key].append(record)

    rows: list[services.ItemImport] = []
    total = len(by_code)
    for done, (code, record) in enumerate(by_code.items(), start=1):
        if done % 500 == 0:
            tick("校验", done, total)
        row = record["_row"]
        department = departments.get(record["department_code"])
        if department is None:
            item_sheet.fault(
                row,
                "department_code",
                f"统一社会信用代码为 {record['department_code'] or '（空）'} 的部门不存在",
                ITEM_COLUMNS,
            )
        else:
            if department.pk not in editable:
                editable[department.pk] = permissions.can_edit_department_data(actor, department)
            if not editable[department.pk]:
                item_sheet.fault(
                    row, "department_code", services.not_editor_message(department), ITEM_COLUMNS
                )
        for field, messages in validate_codes(
            basic_code=record["basic_code"],
            implementation_code=code,
            department_code=department.code if department else "",
        ).items():
            for message in messages:
                item_sheet.fault(row, field, message, ITEM_COLUMNS)
        for field, messages in validate_negative_list(
            on_negative_list=record["on_negative_list"],
            is_stationed=record["is_stationed"],
            negative_list_reason=record["negative_list_reason"],
        ).items():
            for message in messages:
                item_sheet.fault(row, field, message, ITEM_COLUMNS)
        for field, messages in validate_filing_kind(
            item_type=record["type"], filing_kind=record["filing_kind"]
        ).items():
            for message in messages:
                item_sheet.fault(row, field, message, ITEM_COLUMNS)
        event_ids = []
        for event in record["life_events"]:
            if event not in events:
                item_sheet.fault(row, "life_events", f"主题编码 {event} 不存在", ITEM_COLUMNS)
            else:
                event_ids.append(events[event])
        children = {}
        for key, _model, fields in GUIDE_CHILDREN:
            ordered = sorted(record[key], key=lambda r: (r["order"] or 0, r["_row"]))
            record[key] = ordered
            children[key] = [_strip(r, fields) for r in ordered]
        guide = _strip(record, GUIDE_FIELDS)
        errors = validate_guide(guide=guide, **children)
        for field, messages in errors.items():
            _place(field, messages, record, item_sheet, sheets)
        if department is not None:
            rows.append(
                services.ItemImport(
                    implementation_code=code,
                    basic_code=record["basic_code"],
                    department=department,
                    life_event_ids=frozenset(event_ids),
                    guide=guide,
                    valid_from=record.get("valid_from"),
                    **{f: record[f] for f in services.ITEM_IMPORT_FIELDS},
                    **children,
                )
            )
    tick("校验", total, total)
    if faults:
        raise _fail(_sorted(faults))

    written = 0

    def step(n):
        nonlocal written
        written += n
        tick("写入", written, total)

    try:
        counts = services.import_items(actor=actor, rows=rows, progress=step)
    except ValidationFailed as exc:
        if exc.code != "import_refused":
            raise
        for code, messages in exc.fields.items():
            for message in messages:
                faults.append(ImportFault(SHEET_ITEMS, by_code[code]["_row"], "实施编码", message))
        raise _fail(_sorted(faults)) from exc
    return ImportReport(
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        new_versions=counts.new_versions,
    )


_SPECIAL_KEYS = {
    "materials": SHEET_MATERIALS,
    "steps": SHEET_STEPS,
    "special_steps": SHEET_SPECIALS,
}


def _place(field: str, messages, record: dict, item_sheet: _Sheet, sheets: dict) -> None:
    """Put a ``validate_guide`` error on its sheet, row and column."""
    parts = field.split(".")
    if len(parts) == 3 and parts[0] in _CHILD_SHEETS:
        title, columns = _CHILD_SHEETS[parts[0]]
        child = record[parts[0]][int(parts[1])]
        for message in messages:
            sheets[title].fault(child["_row"], parts[2], message, columns)
        return
    for message in messages:
        if field in _SPECIAL_KEYS:
            item_sheet.faults.append(
                ImportFault(SHEET_ITEMS, record["_row"], _SPECIAL_KEYS[field], message)
            )
        else:
            item_sheet.fault(record["_row"], field, message, ITEM_COLUMNS)


def _sorted(faults: list[ImportFault]) -> list[ImportFault]:
    order = {title: i for i, (title, _) in enumerate(SHEETS)}
    return sorted(faults, key=lambda f: (order.get(f.sheet, 9), f.row))
