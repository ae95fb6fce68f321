"""书面函告 (the monthly formal letter, seed 0 联动 §2 "同时定期以公函形式书面告知"): an
A4 PDF to one supervising department listing the results pushed to it in a month,
rendered like the case notices (``cases.documents.pdf``: reportlab with the embedded
CJK font). It names the holder as pushed (ID masked) and says how many of the pushes
the department has acknowledged (签收) and which not yet."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from govhall.cases.documents.pdf import _p, font_name
from govhall.core import clock

TITLE = "审批结果告知函"
COLUMNS = (
    "序号",
    "受理编号",
    "事项",
    "申请人",
    "证件号码",
    "结果",
    "证照编号",
    "有效期",
    "决定日期",
    "签收",
)
WIDTHS_MM = (8, 44, 36, 20, 40, 18, 30, 34, 22, 14)  # 266 of the 273 mm between margins


def _validity(payload: dict) -> str:
    if not payload.get("licence_number"):
        return "—"
    until = payload.get("valid_until")
    return f"{payload.get('valid_from') or ''} 至 {until}" if until else "长期"


def render(*, department, month, number: str, pushes) -> bytes:
    font = font_name()
    body = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=19, firstLineIndent=23)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11)
    head = ParagraphStyle("head", fontName=font, fontSize=9, leading=12, alignment=TA_CENTER)
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER)
    right = ParagraphStyle("right", fontName=font, fontSize=11.5, leading=19, alignment=TA_RIGHT)
    small = ParagraphStyle("small", fontName=font, fontSize=9.5, leading=14)
    acknowledged = sum(1 for p in pushes if p.acknowledged_at)
    approval = sorted({p.payload.get("approval_department", "") for p in pushes} - {""})
    rows = [[_p(c, head) for c in COLUMNS]]
    for index, push in enumerate(pushes, start=1):
        data = push.payload
        rows.append(
            [
                _p(str(index), cell),
                _p(data.get("case_number", ""), cell),
                _p(data.get("item", ""), cell),
                _p(data.get("holder", ""), cell),
                _p(data.get("holder_code", ""), cell),
                _p(data.get("result_label", ""), cell),
                _p(data.get("licence_number") or "—", cell),
                _p(_validity(data), cell),
                _p(data.get("decided_on", ""), cell),
                _p("已签收" if push.acknowledged_at else "未签收", cell),
            ]
        )
    table = Table(rows, colWidths=[w * mm for w in WIDTHS_MM], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    flow = [
        _p(f"函号：{number}", small),
        Spacer(1, 3 * mm),
        _p(TITLE, title),
        Spacer(1, 5 * mm),
        _p(f"{department.name}：", body),
        _p(
            f"根据《与监管协调联动工作机制》第二条，现将{month:%Y年%m月}"
            f"{'、'.join(approval) or '本中心各审批部门'}作出并经信息化系统推送贵单位的审批结果"
            f"共 {len(pushes)} 件书面告知如下（其中已签收 {acknowledged} 件，"
            f"未签收 {len(pushes) - acknowledged} 件），请据此依法实施事中事后监管。"
            "监管中发现重大变更、违法行为和安全隐患的，请及时推送审批部门。",
            body,
        ),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 10 * mm),
        _p("政务服务中心（审批与监管联动专用章）", right),
        _p(f"{clock.today():%Y年%m月%d日}", right),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{TITLE} {number}",
        author="政务服务中心",
        subject=f"{department.name} {month:%Y-%m}",
    ).build(flow)
    return buffer.getvalue()
