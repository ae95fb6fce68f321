"""督办通知书 (issue 11 §2): an A4 PDF with the order's number, drawn with reportlab
and the CJK font of the case notices (``cases.documents.pdf.font_name``)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from govhall.cases.documents.pdf import font_name

from .models import SupervisionOrder


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def order_pdf(order: SupervisionOrder) -> bytes:
    font = font_name()
    title = ParagraphStyle("t", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER)
    sub = ParagraphStyle("s", fontName=font, fontSize=11, leading=16, alignment=TA_CENTER)
    body = ParagraphStyle("b", fontName=font, fontSize=11, leading=18)
    right = ParagraphStyle("r", fontName=font, fontSize=11, leading=18, alignment=TA_RIGHT)
    case = order.case
    centre = getattr(case.centre, "name", "")
    rows = [
        ("督办编号", order.number),
        ("被督办部门", order.department.name),
        ("办件受理编号", case.number),
        ("事项", getattr(case.item_version, "name", "")),
        ("督办事项", order.subject),
        ("督办时间", order.issued_at.strftime("%Y年%m月%d日")),
        ("回复期限", order.reply_due.strftime("%Y年%m月%d日") + "前"),
    ]
    if order.warning_id:
        rows.insert(4, ("预警", f"{order.warning.get_kind_display()}：{order.warning.detail}"))
    table = Table([[_p(k, body), _p(v, body)] for k, v in rows], colWidths=[35 * mm, 130 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )
    story = [
        _p("督办通知书", title),
        _p(f"{centre}电子监察  {order.number}", sub),
        Spacer(1, 8 * mm),
        _p(f"{order.department.name}：", body),
        Spacer(1, 2 * mm),
        _p(
            "经电子监察，你单位办理的下列办件存在需要督办的问题。请认真核查，"
            "由首席代表于回复期限前通过政务服务中心工作人员系统回复情况说明和整改措施；"
            "逾期未回复的，将升级报中心主任。",
            body,
        ),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 12 * mm),
        _p(f"{centre}（电子监察）", right),
        _p(order.issued_at.strftime("%Y年%m月%d日"), right),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
        title=f"督办通知书 {order.number}",
    )
    doc.build(story)
    return buf.getvalue()
