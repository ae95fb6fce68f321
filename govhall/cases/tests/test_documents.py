"""Notices (文书) as PDF: valid, with the 受理编号, an embedded CJK font and the QR."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import zlib

import pytest
from django.urls import reverse

from govhall.cases import documents, services
from govhall.cases.models import DocumentKind
from govhall.testing import factories


def _case(hall):
    item = hall.market_item
    return services.submit_application(
        actor=hall.staff.clerk.user,
        item=item,
        centre=hall.county,
        channel="window",
        applicant={
            "kind": "person",
            "name": "张三丰",
            "id_number": factories.make_id_number(1),
            "phone": "13904771234",
        },
        materials=[{"material": m} for m in item.versions.get().materials.all()],
    )


def _streams(pdf: bytes) -> bytes:
    out = b""
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = match.group(1).strip()
        if data.endswith(b"~>"):  # reportlab: ASCII85 then Flate
            data = base64.a85decode(data, adobe=True)
        try:
            out += zlib.decompress(data)
        except zlib.error:
            out += data
    return out


def test_acceptance_pdf_is_valid_with_number_and_embedded_cjk_font(hall):
    case = _case(hall)
    services.transition(
        action="accept", actor=hall.staff.clerk.user, case=case, expected_version=case.version
    )
    doc = case.documents.get(kind=DocumentKind.ACCEPTANCE)
    pdf = documents.render_pdf(doc)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert case.number.encode() in _streams(pdf)
    assert b"/FontFile2" in pdf  # an embedded TrueType font …
    assert b"GovhallCJK" in pdf or b"WenQuanYi" in pdf  # … the Chinese one
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf  # the QR code
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert "受理通知书" in text and case.number in text and "承办人" in text


def test_correction_notice_names_every_problem(hall):
    case = _case(hall)
    mats = list(hall.market_item.versions.get().materials.all())
    services.transition(
        action="request_correction",
        actor=hall.staff.clerk.user,
        case=case,
        expected_version=case.version,
        corrections=[
            {"material": mats[0], "problem": "未签字"},
            {"material": mats[1], "problem": "已过有效期"},
        ],
    )
    doc = case.documents.get(kind=DocumentKind.CORRECTION)
    c = documents.content(doc)
    cells = [cell for row in c["table"]["rows"] for cell in row]
    assert {"申请书", "营业执照", "未签字", "已过有效期"} <= set(cells)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=documents.render_pdf(doc), capture_output=True
        ).stdout.decode()
        assert "已过有效期" in text


def test_refusal_names_reason_and_remedies(hall):
    case = _case(hall)
    services.transition(
        action="refuse",
        actor=hall.staff.clerk.user,
        case=case,
        expected_version=case.version,
        reason="不属于本机关职权",
    )
    c = documents.content(case.documents.get(kind=DocumentKind.REFUSAL))
    text = "".join(c["paragraphs"] + c["rights"])
    assert "不属于本机关职权" in text and "行政复议" in text and "行政诉讼" in text


def test_pdf_view_requires_visibility(client, hall):
    case = _case(hall)
    services.transition(
        action="accept", actor=hall.staff.clerk.user, case=case, expected_version=case.version
    )
    doc = case.documents.get()
    url = reverse("cases:notice_pdf", args=[case.number, doc.number])
    client.force_login(hall.staff.health_chief.user)
    assert client.get(url).status_code == 403
    client.force_login(hall.staff.market_approver.user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("kind", ["acceptance"])
def test_qr_points_to_public_progress(hall, kind):
    case = _case(hall)
    url = documents.progress_url(case.number)
    assert reverse("cases_public:progress") in url and case.number in url
    assert documents.qr_png(url).startswith(b"\x89PNG")
