"""文书 — the notices a case issues to the applicant, as printable HTML and as PDF.

The services create :class:`~govhall.cases.models.CaseDocument` rows (受理通知书,
一次性告知书, 不予受理决定书, 特殊环节告知书, 延期告知书, 决定书, 送达回证, 一件事告知单); this
package only renders them. One function, :func:`content`, states what each notice
says (the legal wording, 行政许可法 §32/§38/§42/§45, 行政复议法 §20, 行政诉讼法 §46),
so the HTML page and the PDF always say the same thing. Each carries the 受理编号
and a QR code that opens the public progress page (办件进度查询) of that case.
"""

from __future__ import annotations

from .content import (
    bundle_content,
    bundle_notice_of,
    content,
    is_bundle_notice,
    progress_url,
    qr_data_uri,
    qr_png,
)
from .pdf import render_bundle_pdf, render_pdf

__all__ = [
    "bundle_content",
    "bundle_notice_of",
    "content",
    "is_bundle_notice",
    "progress_url",
    "qr_png",
    "qr_data_uri",
    "render_bundle_pdf",
    "render_pdf",
]
