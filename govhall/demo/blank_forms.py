"""Blank application forms and result samples for the demo guides (issue 10 §2).

Real PDFs drawn with reportlab in the CJK font the notices use, uploaded through the
catalogue's own ``catalog.files.upload`` so the demo's guides offer them for download
exactly as a department's uploads would be.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from govhall.cases.documents.pdf import font_name
from govhall.catalog import files

APPLICANT_ROWS = [
    "申请人名称（姓名）",
    "信用代码（身份证号）",
    "法定代表人（负责人）",
    "联系电话",
    "通讯地址",
    "申请事项",
    "申请内容及理由",
    "委托代理人及电话",
]
RESULT_ROWS = ["证照编号", "持证人", "许可（确认）事项", "有效期限", "发证机关", "发证日期"]


def _pdf(title: str, subtitle: str, rows: list[str], footer: str) -> bytes:
    font = font_name()
    big = ParagraphStyle("t", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER)
    small = ParagraphStyle("s", fontName=font, fontSize=10, leading=15, alignment=TA_CENTER)
    cell = ParagraphStyle("c", fontName=font, fontSize=11, leading=16)
    table = Table(
        [[Paragraph(label, cell), ""] for label in rows],
        colWidths=[60 * mm, 110 * mm],
        rowHeights=[13 * mm] * len(rows),
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    gap = "&nbsp;" * 8
    sign = Paragraph(f"申请人（签字或盖章）：{gap * 4}年{gap}月{gap}日", cell)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=title, topMargin=20 * mm).build(
        [
            Paragraph(title, big),
            Paragraph(subtitle, small),
            Spacer(1, 8 * mm),
            table,
            Spacer(1, 10 * mm),
            sign,
            Spacer(1, 12 * mm),
            Paragraph(footer, small),
        ]
    )
    return buffer.getvalue()


def blank_form(*, actor, title: str, centre: str) -> str:
    """Upload the blank form ``title`` (e.g. 《食品经营许可申请书》); its file key."""
    name = title.strip("《》")
    data = _pdf(
        f"{name}", "（空白表格）", APPLICANT_ROWS, f"{centre} · 可在窗口领取或在本网下载打印"
    )
    upload = SimpleUploadedFile(f"{name}（空白表格）.pdf", data, content_type="application/pdf")
    return files.upload(actor=actor, file=upload).key


def result_sample(*, actor, result: str, department: str) -> str:
    """Upload a 样本 of the result certificate ``result``; its file key."""
    data = _pdf(result, "（样本 · 仅供参考）", RESULT_ROWS, f"发证机关：{department}")
    upload = SimpleUploadedFile(f"{result}（样本）.pdf", data, content_type="application/pdf")
    return files.upload(actor=actor, file=upload).key
