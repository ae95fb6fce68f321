"""PDF of a notice with an embedded Chinese font (reportlab).

reportlab embeds only TrueType outlines; the Noto CJK fonts of Debian's
``fonts-noto-cjk`` are CFF (PostScript) outlines and are refused, so the TrueType
collections of ``fonts-wqy-zenhei`` (文泉驿正黑) or ``fonts-arphic-uming`` are used.
Without either, reportlab's built-in ``STSong-Light`` CID font is the fallback: it
renders in PDF viewers but is not embedded.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .content import bundle_content, content, is_bundle_notice, progress_url, qr_png

FONT = "GovhallCJK"
FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
]
_font_name: str | None = None


def font_name() -> str:
    """Register the first usable CJK font once; return its reportlab name."""
    global _font_name
    if _font_name:
        return _font_name
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            try:
                pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=index))
            except Exception:  # noqa: BLE001 — try the next candidate
                continue
            _font_name = FONT
            return _font_name
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    _font_name = "STSong-Light"
    return _font_name


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text or ""), style)


_CASE_NUMBER = re.compile(r"^\d{6}-\d{8}-\d{4}$")
# 子件编号 in Helvetica: narrower than the CJK font's digits (no wrap) and searchable.
_NUMBER_CELL = ParagraphStyle("numcell", fontName="Helvetica", fontSize=8.5, leading=13)


def _cell(text: str, style: ParagraphStyle) -> Paragraph:
    return _p(text, _NUMBER_CELL if _CASE_NUMBER.match(text or "") else style)


def _table(spec: dict, style: ParagraphStyle, *, receipt: bool = False) -> Table:
    rows = [[_p(h, style) for h in spec["head"]]]
    rows += [[_cell(cell, style) for cell in row] for row in spec["rows"]]
    widths = {
        2: [35 * mm, 135 * mm],
        3: [15 * mm, 50 * mm, 105 * mm],
        6: [9 * mm, 33 * mm, 30 * mm, 38 * mm, 34 * mm, 26 * mm],
    }.get(len(spec["head"]))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
            + ([("ROWBACKGROUNDS", (0, 1), (-1, -1), [None])] if receipt else [])
        )
    )
    return table


def _header(c: dict, small: ParagraphStyle, *, request=None, extra: tuple = ()) -> Table:
    """The top of every notice: centre, 文书编号, any extra lines and the 受理编号 on the
    left, the QR code to the public progress page on the right. The 受理编号 is set in
    Helvetica so it is plain searchable text in the PDF."""
    qr = Image(
        io.BytesIO(qr_png(progress_url(c["case_number"], request, via="qr"))), 26 * mm, 26 * mm
    )
    # One line: the label in the CJK font, the number in Helvetica (searchable text).
    number_line = Paragraph(
        f'受理编号：<font name="Helvetica" size="10">{escape(c["case_number"])}</font>', small
    )
    lines = [
        _p(c["centre"], small),
        _p(f"文书编号：{c['number']}", small),
        *(_p(text, small) for text in extra),
        number_line,
    ]
    head = Table([[lines, qr]], colWidths=[140 * mm, 30 * mm])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return head


def render_pdf(document, *, request=None) -> bytes:
    """The notice as A4 PDF bytes: title, 文书编号, 受理编号 with QR code, body, rights.

    A 一件事 parent's notice is the applicant's one 一件事告知单: rendered whole by
    :func:`render_bundle_pdf`."""
    if is_bundle_notice(document):
        return render_bundle_pdf(document, request=request)
    font = font_name()
    c = content(document)
    body = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=19, firstLineIndent=23)
    plain = ParagraphStyle("plain", fontName=font, fontSize=11.5, leading=19)
    small = ParagraphStyle("small", fontName=font, fontSize=9.5, leading=14)
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER)
    right = ParagraphStyle("right", fontName=font, fontSize=11.5, leading=19, alignment=TA_RIGHT)

    head = _header(c, small, request=request)
    flow = [head, Spacer(1, 4 * mm), _p(c["title"], title), Spacer(1, 6 * mm)]
    if c["addressee"]:
        flow.append(_p(c["addressee"], plain))
    for text in c["paragraphs"]:
        flow.append(_p(text, body))
    if c["table"]:
        table = _table(c["table"], small, receipt=c["receipt"])
        flow += [Spacer(1, 3 * mm), table, Spacer(1, 3 * mm)]
    for text in c["closing"]:
        flow.append(_p(text, body))
    for text in c["rights"]:
        flow.append(_p(text, body))
    flow += [
        Spacer(1, 12 * mm),
        _p(f"{c['issuer']}（印章）", right),
        _p(c["issued_on"], right),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{c['title']} {c['case_number']}",
        author=c["issuer"],
        subject=c["number"],
    )
    doc.build(flow)
    return buffer.getvalue()


def render_bundle_pdf(document, *, request=None) -> bytes:
    """一件事告知单 as ONE A4 PDF: the parent's 受理编号 (also as searchable Helvetica
    text) with its QR code, a table of every child (事项, 办理部门, 子件编号, 状态,
    办结期限), each receipt-stage notice of the bundle as a section, the rights once."""
    font = font_name()
    c = bundle_content(document)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=18, firstLineIndent=22)
    plain = ParagraphStyle("plain", fontName=font, fontSize=11, leading=18)
    small = ParagraphStyle("small", fontName=font, fontSize=9, leading=13)
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER)
    h2 = ParagraphStyle(
        "h2", fontName=font, fontSize=12.5, leading=20, spaceBefore=8, keepWithNext=1
    )
    right = ParagraphStyle("right", fontName=font, fontSize=11, leading=18, alignment=TA_RIGHT)

    head = _header(c, small, request=request, extra=(f"牵头部门：{c['lead_department']}",))
    flow = [head, Spacer(1, 3 * mm), _p(c["heading"], title), Spacer(1, 5 * mm)]
    flow.append(_p(c["addressee"], plain))
    for text in c["paragraphs"]:
        flow.append(_p(text, body))
    flow += [Spacer(1, 2 * mm), _table(c["table"], small), Spacer(1, 2 * mm)]
    for section in c["sections"]:
        label = section["title"]
        if section.get("subtitle"):
            label += f" · {section['subtitle']}"
        flow.append(_p(f"{label}（文书编号 {section['number']}）", h2))
        for text in section["paragraphs"]:
            flow.append(_p(text, body))
        if section["table"]:
            flow += [Spacer(1, 1 * mm), _table(section["table"], small), Spacer(1, 1 * mm)]
        for text in section.get("closing", ()):
            flow.append(_p(text, body))
    if c["rights"]:
        flow.append(_p("您的权利", h2))
        flow += [_p(text, body) for text in c["rights"]]
    flow += [Spacer(1, 10 * mm), _p(f"{c['issuer']}（印章）", right), _p(c["centre"], right)]
    flow.append(_p(c["issued_on"], right))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"一件事告知单 {c['case_number']}",
        author=c["issuer"],
        subject=c["number"],
    ).build(flow)
    return buffer.getvalue()
