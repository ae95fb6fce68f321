"""审批结果公开 as an Excel workbook (the portal's 下载 Excel): the rows of
``selectors.public_results`` as filtered on the page, at most :data:`EXPORT_MAX`, like
the lists' workbooks (``lists/excel.py``: bold header, column widths, frozen header
row, a 说明 sheet with the filters, the count and the time of export). A text that
starts like a formula is written as text, never evaluated."""

from __future__ import annotations

from django.utils import timezone

from govhall.core import clock

from . import selectors

EXPORT_MAX = 10_000
SHEET = "审批结果公开"
META_SHEET = "说明"
COLUMNS = (
    # header, row key, width
    ("序号", None, 7),
    ("事项名称", "item", 36),
    ("持证主体", "holder", 30),
    ("审批结果", "result", 10),
    ("证照名称", "licence_name", 24),
    ("证照编号", "licence_number", 22),
    ("决定日期", "date", 12),
    ("审批部门", "department", 28),
)


def _cell(ws, value):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # text, not a formula
        return cell
    return value


def write_results(*, stream, licences, total: int, filters: list[tuple[str, str]]) -> int:
    """Write the first :data:`EXPORT_MAX` of ``licences`` (a queryset of
    ``public_results``, ``total`` rows in all) to ``stream``; returns the rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    font, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    ws = wb.create_sheet(SHEET)
    ws.freeze_panes = "A2"
    for index, (_header, _key, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    header = []
    for title, _key, _width in COLUMNS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font, cell.fill = font, fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        header.append(cell)
    ws.append(header)
    written = 0
    for licence in licences[:EXPORT_MAX].iterator(chunk_size=1000):
        row = selectors.public_result_row(licence)
        written += 1
        ws.append(
            [written if key is None else _cell(ws, row[key]) for _title, key, _width in COLUMNS]
        )
    meta = wb.create_sheet(META_SHEET)
    meta.column_dimensions["A"].width = 14
    meta.column_dimensions["B"].width = 70
    exported = timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M")
    count = f"{written} 条"
    if total > written:
        count += (
            f"（符合条件的共 {total} 条，每次最多导出 {EXPORT_MAX} 条，请缩小检索范围分次导出）"
        )
    lines = [
        ("名称", "审批结果公开"),
        ("检索条件", "；".join(f"{k}：{v}" for k, v in filters) or "全部"),
        ("条数", count),
        ("导出时间", exported),
        (
            "说明",
            "自然人姓名已隐去；涉及国家秘密、商业秘密、个人隐私的事项及副卷内容不予公开。",
        ),
    ]
    for label, value in lines:
        key_cell = WriteOnlyCell(meta, value=label)
        key_cell.font = font
        meta.append([key_cell, _cell(meta, value)])
    wb.save(stream)
    return written


def filename(day) -> str:
    return f"审批结果公开-{day:%Y%m%d}.xlsx"
