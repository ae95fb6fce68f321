"""备案回执 (the receipt of a filing) as an A4 PDF, rendered the way the case notices
are (``cases.documents.pdf``: reportlab with the embedded CJK font, the QR code to the
public progress page). It names the 备案编号, the item, the department, the filer
(masked), the activity and the date, and says that the filing does not block the
activity (seed 4 备案 第一条、第五条)."""

from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from govhall.cases.documents.content import progress_url, qr_png
from govhall.cases.documents.pdf import _p, font_name
from govhall.core.errors import Conflict

from .models import DONE, FilerKind, Filing
from .progress import NOT_BLOCKING

TITLE = "行政备案回执"


def rows(filing: Filing) -> list[tuple[str, str]]:
    id_label = "身份证号" if filing.filer_kind == FilerKind.PERSON else "统一社会信用代码"
    return [
        ("备案编号", filing.number),
        ("申报编号", filing.tracking),
        ("备案事项", filing.item_version.name),
        ("备案类别", filing.get_kind_display()),
        ("备案机关", filing.department.name),
        ("备案人", filing.masked_name),
        (id_label, filing.masked_id),
        ("联系电话", filing.masked_phone),
        ("备案活动", filing.activity),
        ("活动日期", f"{filing.activity_date:%Y年%m月%d日}"),
        ("提交时间", f"{timezone.localtime(filing.submitted_at):%Y年%m月%d日 %H:%M}"),
        ("备案日期", f"{timezone.localdate(filing.filed_at):%Y年%m月%d日}"),
        ("办理渠道", filing.get_channel_display()),
    ]


def render_receipt(filing: Filing, *, request=None) -> bytes:
    if filing.state not in DONE:
        raise Conflict("备案尚未完成，暂无备案回执", code="no_receipt")
    font = font_name()
    body = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=19, firstLineIndent=23)
    small = ParagraphStyle("small", fontName=font, fontSize=9.5, leading=14)
    cell = ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=15)
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER)
    right = ParagraphStyle("right", fontName=font, fontSize=11.5, leading=19, alignment=TA_RIGHT)
    qr = Image(io.BytesIO(qr_png(progress_url(filing.number, request))), 26 * mm, 26 * mm)
    number_line = Paragraph(
        f'备案编号：<font name="Helvetica" size="10">{filing.number}</font>', small
    )
    head = Table(
        [[[_p(filing.centre.name, small), number_line], qr]], colWidths=[140 * mm, 30 * mm]
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    table = Table(
        [[_p(k, cell), _p(v, cell)] for k, v in rows(filing)], colWidths=[35 * mm, 135 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    flow = [
        head,
        Spacer(1, 4 * mm),
        _p(TITLE, title),
        Spacer(1, 6 * mm),
        _p(f"{filing.masked_name}：", body),
        _p(
            f"你（单位）报送的“{filing.item_version.name}”备案材料已收悉，"
            f"经{'形式审查' if filing.kind == 'notify' else '确认'}，予以备案，"
            f"备案编号为 {filing.number}。",
            body,
        ),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 4 * mm),
        _p(NOT_BLOCKING, body),
        _p(
            "本次备案不收取任何费用。备案机关将依法开展事后监管；备案信息发生变化的，请及时变更备案。",
            body,
        ),
        _p("可扫描右上角二维码，凭备案编号和手机号后四位查询备案情况。", body),
        Spacer(1, 12 * mm),
        _p(f"{filing.department.name}（备案专用章）", right),
        _p(f"{timezone.localdate(filing.filed_at):%Y年%m月%d日}", right),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{TITLE} {filing.number}",
        author=filing.department.name,
        subject=filing.number,
    ).build(flow)
    return buffer.getvalue()
