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


def _pdf_text(doc) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=documents.render_pdf(doc),
        capture_output=True,
        check=True,
    ).stdout.decode()


def _decided(hall, result="approved", **inputs):
    from govhall.cases.tests.conftest import act

    s = hall.staff
    case = act(_case(hall), "accept", s.clerk.user)
    case = act(case, "review", s.market_chief.user, opinion="材料齐全，符合条件")
    return act(case, "decide", s.market_chief.user, result=result, opinion="同意", **inputs)


def test_a_licence_decision_cites_its_basis_names_its_result_and_how_to_get_it(hall):
    case = _decided(hall)
    c = documents.content(case.documents.get(kind=DocumentKind.DECISION))
    text = "".join(c["paragraphs"])
    assert "《中华人民共和国行政许可法》第三十八条第一款" in text
    assert case.item_version.legal_basis.rstrip("。") in text
    assert "决定：准予行政许可" in text and "决定意见：同意" in text and "审查意见" not in text
    assert f"办理结果：{case.item_version.result_name}" in text and "第三十九条" in text
    assert "请按约定方式" not in text and f"到{case.centre.name}窗口领取" in text


def test_a_denial_names_the_review_body_the_court_and_the_time_limits(hall):
    case = _decided(hall, result="denied", reason="经营场所不符合要求")
    c = documents.content(case.documents.get(kind=DocumentKind.DECISION))
    assert "第三十八条第二款" in "".join(c["paragraphs"])
    remedy = "".join(c["rights"])
    assert "六十日内向测试县人民政府申请行政复议" in remedy
    assert "六个月内向测试县人民法院提起行政诉讼" in remedy


def test_a_confirmation_does_not_cite_the_licensing_law(hall):
    """结婚登记 (行政确认) cited 行政许可法 §32: a non-licence cites its own basis."""
    Item = type(hall.market_item)
    Item.objects.filter(pk=hall.market_item.pk).update(type="confirmation")
    hall.market_item.versions.update(legal_basis="《婚姻登记条例》第四条、第五条")
    hall.market_item.refresh_from_db()
    case = _decided(hall)
    for doc in case.documents.filter(kind__in=[DocumentKind.ACCEPTANCE, DocumentKind.DECISION]):
        text = "".join(documents.content(doc)["paragraphs"])
        assert "行政许可法" not in text, doc.kind
    decision = "".join(
        documents.content(case.documents.get(kind=DocumentKind.DECISION))["paragraphs"]
    )
    assert "依据《婚姻登记条例》第四条、第五条，决定：予以确认" in decision


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils 未安装")
def test_correction_notice_asks_after_its_table_and_the_number_sits_on_its_label_line(hall):
    case = _case(hall)
    mats = list(hall.market_item.versions.get().materials.all())
    case = services.transition(
        action="request_correction",
        actor=hall.staff.clerk.user,
        case=case,
        expected_version=case.version,
        corrections=[{"material": mats[0], "problem": "未签字"}],
    )
    text = _pdf_text(case.documents.get(kind=DocumentKind.CORRECTION))
    assert text.index("未签字") < text.index("请按上述要求一次补齐")
    line = next(line for line in text.splitlines() if "受理编号" in line)
    assert case.number in line


def test_the_desk_banner_shows_only_for_the_desk(client, hall):
    case = _decided(hall)
    doc = case.documents.get(kind=DocumentKind.DECISION)
    url = reverse("cases:notice", args=[case.number, doc.number])
    client.force_login(hall.staff.market_chief.user)
    html = client.get(url).content.decode()
    assert "继续收件" not in html and "第3步" not in html
    html = client.get(url + "?from=desk").content.decode()
    assert "继续收件" in html
