"""年度绩效评估报告 (issue 11 §4): an Excel workbook and an A4 PDF with charts per
department, and one workbook of every department, ready to send to the county
government. The figures are ``evaluation.evaluate`` and ``evaluation.trend``: the
report shows what the page shows."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from govhall.cases.documents.pdf import font_name
from govhall.core import clock
from govhall.core.errors import NotFound
from govhall.org.models import Centre, Department

from . import evaluation
from .evaluation import INDICATORS, NO_DATA, Period, Row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def _centre_name() -> str:
    centre = Centre.objects.filter(parent__isnull=True).order_by("pk").first()
    return centre.name if centre else "政务服务中心"


def _score(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _rank(row: Row) -> str:
    return f"第 {row.rank} 名（共 {row.of} 个）" if row.rank else "未参与排名（期间内无办件）"


def _department_row(period: Period, department_id: int) -> Row:
    """The department's row, its ``name`` the full name (the report goes out)."""
    rows = evaluation.evaluate(period=period, level="department", department_id=department_id)
    department = Department.objects.filter(pk=department_id).first()
    if not rows or department is None:
        raise NotFound("没有该部门")
    rows[0].name = department.name
    return rows[0]


def _monthly(period: Period, department_id: int | None) -> list[tuple[Period, list[Row]]]:
    return evaluation.trend(period=period, department_id=department_id)


def _rate(row: Row) -> float | None:
    v = row.value("on_time_rate").raw
    return None if v is None else round(100 * v, 1)


def _head(ws, values) -> None:
    ws.append(values)
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(ws, widths) -> None:
    for letter, width in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", widths, strict=False):
        ws.column_dimensions[letter].width = width


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- Excel


def department_workbook(*, period: Period, department_id: int) -> bytes:
    """Sheets 汇总 (score, rank, the case figures), 指标 (each indicator: figure,
    score, weight, formula) and 月度趋势 (month by month), with a chart each."""
    row = _department_row(period, department_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([f"{_centre_name()} {period.label}绩效评估 — {row.name}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    f = row.figures
    for label, value in (
        ("部门", row.name),
        ("评估期间", f"{period.label}（{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}）"),
        ("综合得分", None if row.score is None else round(row.score, 1)),
        ("排名", _rank(row)),
        ("收件", f["received"]),
        ("其中网上收件", f["received_online"]),
        ("受理", f["accepted"]),
        ("不予受理", f["not_accepted"]),
        ("办结", f["completed"]),
        ("按时办结", f["completed_on_time"]),
        ("即办件办结", f["completed_instant"]),
        ("逾期视为受理（第三十二条）", f["deemed_accepted"]),
        ("电子监察预警", f["warnings"]),
        ("督办单（已回复或升级）", f["orders"]),
        ("生成时间", clock.now().strftime("%Y-%m-%d %H:%M")),
    ):
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = BOLD
    _widths(ws, [28, 50])

    wi = wb.create_sheet("指标")
    _head(wi, ["指标", "取值", "得分", "权重", "计分公式", "含义"])
    for ind in INDICATORS:
        v = row.value(ind.key)
        wi.append(
            [
                ind.label,
                v.shown,
                None if v.score is None else round(v.score, 1),
                v.weight,
                ind.formula,
                ind.meaning,
            ]
        )
    wi.append([])
    wi.append(["综合得分", None, None if row.score is None else round(row.score, 1), None,
               "Σ(权重 × 指标得分) ÷ Σ(有数据指标的权重)"])  # fmt: skip
    wi.cell(wi.max_row, 1).font = BOLD
    _widths(wi, [26, 40, 10, 8, 50, 60])
    chart = BarChart()
    chart.type = "bar"
    chart.title = "各项指标得分"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    n = len(INDICATORS)
    chart.add_data(Reference(wi, min_col=3, min_row=1, max_row=n + 1), titles_from_data=True)
    chart.set_categories(Reference(wi, min_col=1, min_row=2, max_row=n + 1))
    chart.height, chart.width = 9, 16
    wi.add_chart(chart, f"A{n + 5}")

    _trend_sheet(wb, period, department_id)
    return _bytes(wb)


def _trend_sheet(wb: Workbook, period: Period, department_id: int) -> None:
    wt = wb.create_sheet("月度趋势")
    _head(wt, ["月份", "收件", "办结", "按时办结率(%)", "每百件预警", "预警", "综合得分", "排名"])
    for month, rows in _monthly(period, department_id):
        r = rows[0] if rows else None
        if r is None:
            continue
        per100 = r.value("warnings_per_100").raw
        wt.append(
            [
                month.label,
                r.figures["received"],
                r.figures["completed"],
                _rate(r),
                None if per100 is None else round(per100, 1),
                r.figures["warnings"],
                None if r.score is None else round(r.score, 1),
                r.rank,
            ]
        )
    _widths(wt, [14, 8, 8, 14, 12, 8, 10, 8])
    if wt.max_row > 1:
        chart = LineChart()
        chart.title = "按时办结率与综合得分"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.add_data(
            Reference(wt, min_col=4, min_row=1, max_row=wt.max_row), titles_from_data=True
        )
        chart.add_data(
            Reference(wt, min_col=7, min_row=1, max_row=wt.max_row), titles_from_data=True
        )
        chart.set_categories(Reference(wt, min_col=1, min_row=2, max_row=wt.max_row))
        chart.height, chart.width = 8, 18
        wt.add_chart(chart, f"A{wt.max_row + 3}")


def all_departments_workbook(*, period: Period) -> bytes:
    """Every department: 汇总 (ranking), 指标 (every indicator's figure and score) and
    月度趋势 (the score of each department month by month)."""
    rows = evaluation.evaluate(period=period, level="department")
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([f"{_centre_name()} {period.label}各部门绩效评估排名"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    _head(ws, ["排名", "部门", "综合得分", "收件", "办结", "按时办结率(%)", "预警", "督办单"])
    for r in rows:
        ws.append(
            [
                r.rank if r.rank else "未排名",
                r.name,
                None if r.score is None else round(r.score, 1),
                r.figures["received"],
                r.figures["completed"],
                _rate(r),
                r.figures["warnings"],
                r.figures["orders"],
            ]
        )
    _widths(ws, [8, 30, 10, 8, 8, 14, 8, 8])
    ranked = sum(1 for r in rows if r.rank)
    if ranked:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "综合得分"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.add_data(
            Reference(ws, min_col=3, min_row=3, max_row=3 + ranked), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=2, min_row=4, max_row=3 + ranked))
        chart.height, chart.width = max(6, ranked * 0.8), 16
        ws.add_chart(chart, "J3")

    wi = wb.create_sheet("指标")
    head = ["部门"]
    for ind in INDICATORS:
        head += [ind.label, f"{ind.label}得分"]
    _head(wi, head + ["综合得分"])
    for r in rows:
        line = [r.name]
        for ind in INDICATORS:
            v = r.value(ind.key)
            line += [v.shown, None if v.score is None else round(v.score, 1)]
        wi.append(line + [None if r.score is None else round(r.score, 1)])
    wi.append([])
    wi.append(["权重"] + sum(([None, evaluation.weights()[i.key]] for i in INDICATORS), []))
    _widths(wi, [24] + [18, 8] * len(INDICATORS) + [10])

    wt = wb.create_sheet("月度趋势")
    months = _monthly(period, None)
    _head(wt, ["部门"] + [m.label for m, _ in months])
    by_unit: dict[int, dict[str, float | None]] = {}
    for m, month_rows in months:
        for r in month_rows:
            by_unit.setdefault(r.unit_id, {})[m.code] = (
                None if r.score is None else round(r.score, 1)
            )
    for r in rows:
        wt.append([r.name] + [by_unit.get(r.unit_id, {}).get(m.code) for m, _ in months])
    _widths(wt, [24] + [12] * len(months))
    return _bytes(wb)


# --------------------------------------------------------------------------- PDF


def _bar_chart(
    font: str, labels: list[str], values: list[float], *, width: float, title: str
) -> Drawing:
    height = 30 + 18 * len(labels)
    d = Drawing(width, height + 24)
    d.add(String(width / 2, height + 8, title, fontName=font, fontSize=11, textAnchor="middle"))
    chart = HorizontalBarChart()
    chart.x, chart.y = 120, 20
    chart.width, chart.height = width - 150, height - 20
    chart.data = [values]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.reverseDirection = True
    chart.bars[0].fillColor = colors.HexColor("#2f6fb5")
    chart.barLabelFormat = "%.1f"
    chart.barLabels.fontName = "Helvetica"
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 12
    d.add(chart)
    return d


def _line_chart(
    font: str,
    labels: list[str],
    series: list[list[float | None]],
    names: list[str],
    *,
    width: float,
    title: str,
) -> Drawing:
    d = Drawing(width, 200)
    d.add(String(width / 2, 186, title, fontName=font, fontSize=11, textAnchor="middle"))
    chart = HorizontalLineChart()
    chart.x, chart.y = 40, 40
    chart.width, chart.height = width - 70, 130
    chart.data = [list(s) for s in series]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    palette = [colors.HexColor("#2f6fb5"), colors.HexColor("#d9822b")]
    for i, _ in enumerate(series):
        chart.lines[i].strokeColor = palette[i % 2]
        chart.lines[i].strokeWidth = 1.5
    d.add(chart)
    x = 40
    for i, name in enumerate(names):
        from reportlab.graphics.shapes import Rect

        d.add(Rect(x, 10, 10, 6, fillColor=palette[i % 2], strokeColor=None))
        d.add(String(x + 14, 9, name, fontName=font, fontSize=8))
        x += 110
    return d


def department_pdf(*, period: Period, department_id: int) -> bytes:
    """A4: title, summary, the indicators table, a bar chart of the indicator scores,
    the month-by-month line chart, and the formula."""
    row = _department_row(period, department_id)
    font = font_name()
    title = ParagraphStyle("t", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER)
    sub = ParagraphStyle("s", fontName=font, fontSize=11, leading=16, alignment=TA_CENTER)
    h2 = ParagraphStyle("h", fontName=font, fontSize=13, leading=20, spaceBefore=6, spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=10, leading=15)
    small = ParagraphStyle("sm", fontName=font, fontSize=8.5, leading=12)
    right = ParagraphStyle("r", fontName=font, fontSize=10, leading=15, alignment=TA_RIGHT)

    def p(text, style=body):
        return Paragraph(escape(str(text)), style)

    centre = _centre_name()
    f = row.figures
    summary = [
        ("部门", row.name),
        ("评估期间", f"{period.label}（{period.start:%Y年%m月%d日}至{period.end:%Y年%m月%d日}）"),
        ("综合得分", _score(row.score)),
        ("排名", _rank(row)),
        ("收件 / 受理 / 办结", f"{f['received']} / {f['accepted']} / {f['completed']} 件"),
        ("按时办结", f"{f['completed_on_time']} 件"),
        ("电子监察预警 / 督办", f"{f['warnings']} 条 / {f['orders']} 件"),
    ]
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
        ]
    )
    t1 = Table([[p(k), p(v)] for k, v in summary], colWidths=[40 * mm, 126 * mm])
    t1.setStyle(grid)
    lines = [[p("指标"), p("取值"), p("得分"), p("权重")]]
    for ind in INDICATORS:
        v = row.value(ind.key)
        lines.append([p(ind.label), p(v.shown, small), p(_score(v.score)), p(f"{v.weight:g}")])
    t2 = Table(lines, colWidths=[44 * mm, 86 * mm, 18 * mm, 18 * mm], repeatRows=1)
    t2.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#ddebf7")),
            ]
        )
    )
    width = 166 * mm
    scored = [(v.label, v.score) for v in row.values if v.score is not None]
    bar = scored and _bar_chart(
        font,
        [label for label, _ in scored],
        [s for _, s in scored],
        width=width,
        title="各项指标得分（暂无数据的指标不列）",
    )
    months = [(m, rows[0]) for m, rows in _monthly(period, department_id) if rows]
    story = [
        p(f"{centre}", sub),
        p(f"{period.label}绩效评估报告", title),
        p(row.name, sub),
        Spacer(1, 6 * mm),
        p("一、总体情况", h2),
        t1,
        p("二、各项指标", h2),
        t2,
        Spacer(1, 2 * mm),
        p(
            "综合得分 = Σ(权重 × 指标得分) ÷ Σ(有数据指标的权重)；“暂无数据”的指标不计入。"
            "期间内无办件的部门不参与排名。",
            small,
        ),
    ]
    if scored:
        story.append(KeepTogether([Spacer(1, 4 * mm), bar]))
    if months:
        line = _line_chart(
            font,
            [f"{m.number}月" for m, _ in months],
            [[_rate(r) for _, r in months], [r.score for _, r in months]],
            ["按时办结率(%)", "综合得分"],
            width=width,
            title="月度趋势",
        )
        trend_rows = [[p("月份"), p("收件"), p("办结"), p("按时办结率"), p("预警"), p("得分")]]
        for m, r in months:
            rate = _rate(r)
            trend_rows.append(
                [
                    p(m.label),
                    p(r.figures["received"]),
                    p(r.figures["completed"]),
                    p("—" if rate is None else f"{rate:.1f}%"),
                    p(r.figures["warnings"]),
                    p(_score(r.score)),
                ]
            )
        t3 = Table(
            trend_rows,
            colWidths=[32 * mm, 22 * mm, 22 * mm, 32 * mm, 22 * mm, 22 * mm],
            repeatRows=1,
        )
        t3.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#ddebf7")),
                ]
            )
        )
        story += [p("三、月度趋势", h2), KeepTogether([line]), Spacer(1, 3 * mm), t3]
    formulas = [p(f"{ind.label}：{ind.meaning}。{ind.formula}。", small) for ind in INDICATORS]
    story += [
        p("附：计分公式", h2),
        *formulas[:-1],
        # The last formula goes with the signature, so a page never holds the
        # signature alone.
        KeepTogether(
            [
                formulas[-1],
                Spacer(1, 10 * mm),
                p(f"{centre}（电子监察）", right),
                p(clock.today().strftime("%Y年%m月%d日"), right),
            ]
        ),
    ]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawCentredString(
            A4[0] / 2, 12 * mm, f"{row.name} {period.label}绩效评估报告 第 {doc.page} 页"
        )
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{row.name}{period.label}绩效评估报告",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def filename(period: Period, name: str, ext: str) -> str:
    return f"{period.code}-{name}-绩效评估.{ext}"


__all__ = [
    "NO_DATA",
    "XLSX",
    "all_departments_workbook",
    "department_pdf",
    "department_workbook",
    "filename",
]
