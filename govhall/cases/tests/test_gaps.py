"""The last gaps of issue 3 in the case interfaces: 容缺受理 of a 一件事 at the window
desk, the 一件事告知单 as ONE PDF (DocumentKind ``bundle_notice``), and file uploads
(multipart/form-data) for 补正 resubmit and 容缺补齐 catch-up through the API."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from govhall.cases import selectors as bundle_selectors
from govhall.cases import services as bundles
from govhall.cases.models import Case, DocumentKind, State
from govhall.core.models import AuditEntry
from govhall.testing.factories import make_id_number

from .conftest import act, pdf, submit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def bundle(env):
    """小餐饮登记 (容缺 allowed for 健康证明, 承诺 5 working days) + 公共场所卫生许可
    (no 容缺), lead 市场监管局."""
    return bundles.create_bundle(
        actor=env.s.admin.user,
        code="small-restaurant",
        name="开办小餐饮一件事",
        lead_department=env.c.market,
        items=[env.tolerance, env.c.health_item],
    )


def _post(bundle, *, action, tolerate=(), missing=(), **extra):
    """The desk form: every material ticked except ``missing`` and ``tolerate``
    (names), the latter ticked 容缺."""
    data = {
        "a-kind": "person",
        "a-name": "王五",
        "a-id_number": make_id_number(9),
        "a-phone": "13904775678",
        "x-action": action,
        **{f"x-{k}": v for k, v in extra.items()},
    }
    for part in bundle_selectors.bundle_parts(bundle=bundle):
        prefix = f"i{part['item'].pk}"
        for m in part["version"].materials.all():
            if m.name in tolerate:
                data[f"{prefix}-t{m.pk}"] = "on"
            elif m.name in missing:
                data[f"{prefix}-p{m.pk}"] = "未带"
            else:
                data[f"{prefix}-m{m.pk}"] = "on"
    return data


# --------------------------------------------------------------------------- 1. desk 容缺


def test_desk_bundle_tolerance_accepts_that_child_with_catch_up_and_one_notice(client, env, bundle):
    client.force_login(env.s.clerk.user)
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    form = client.get(url).content.decode()
    assert "容缺受理" in form and "x-commitment" in form
    response = client.post(
        url,
        _post(
            bundle,
            action="accept_with_tolerance",
            tolerate={"健康证明"},
            commitment="本人承诺3个工作日内补齐健康证明",
            catch_up_days="3",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    parent = Case.objects.get(parent__isnull=True)
    assert response["Location"] == reverse("cases:bundle_notice", args=[parent.number])
    small = parent.children.get(item=env.tolerance)
    health = parent.children.get(item=env.c.health_item)
    assert small.state == State.IN_REVIEW and small.tolerance_due == dt.date(2026, 11, 26)
    tolerated = small.materials.get(tolerated=True)
    assert tolerated.name == "健康证明" and tolerated.catch_up_due == dt.date(2026, 11, 26)
    assert health.state == State.IN_REVIEW and health.tolerance_due is None
    # The parent follows its children: accepted, deadline = the latest child's.
    parent.refresh_from_db()
    assert parent.state == State.IN_REVIEW
    assert parent.due_date == max(small.due_date, health.due_date)
    # The printed notice names the 容缺 material and its catch-up date.
    page = client.get(response["Location"]).content.decode()
    assert "容缺" in page and "健康证明" in page and "2026年11月26日前补齐" in page
    assert small.number in page and health.number in page


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        # 6 working days exceed 小餐饮登记's promised 5
        (
            {"tolerate": {"健康证明"}, "commitment": "承诺", "catch_up_days": "6"},
            "小餐饮登记：容缺补齐期限应为1至5个工作日",
        ),
        # 公共场所卫生许可 does not allow 容缺 at all: its missing 营业执照 blocks
        (
            {
                "tolerate": {"健康证明"},
                "missing": {"营业执照"},
                "commitment": "承诺",
                "catch_up_days": "3",
            },
            "营业执照（该事项不适用容缺受理）",
        ),
        # 申请书 of 小餐饮登记 may not be tolerated
        (
            {"missing": {"申请书"}, "commitment": "承诺", "catch_up_days": "3"},
            "小餐饮登记：申请书（该材料不允许容缺）",
        ),
        ({"tolerate": {"健康证明"}, "commitment": "", "catch_up_days": "3"}, "承诺书"),
    ],
)
def test_desk_bundle_tolerance_refused_registers_nothing(client, env, bundle, post, expected):
    client.force_login(env.s.clerk.user)
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    response = client.post(url, _post(bundle, action="accept_with_tolerance", **post))
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not Case.objects.exists()


# --------------------------------------------------------------------------- 2. 一件事告知单


def _pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_correction_path_issues_exactly_one_bundle_notice_as_one_pdf(client, env, bundle):
    client.force_login(env.s.clerk.user)
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    response = client.post(url, _post(bundle, action="request_correction", missing={"营业执照"}))
    assert response.status_code == 302
    parent = Case.objects.get(parent__isnull=True)
    small = parent.children.get(item=env.tolerance)
    health = parent.children.get(item=env.c.health_item)
    assert (small.state, health.state) == (State.IN_REVIEW, State.AWAITING_CORRECTION)
    # Exactly one notice for the applicant on the parent: the 一件事告知单.
    notice = parent.documents.get()
    assert notice.kind == DocumentKind.BUNDLE_NOTICE
    assert [c["number"] for c in notice.data["children"]] == [small.number, health.number]
    assert AuditEntry.objects.filter(action="cases.case.bundle_notice").count() == 1

    page = client.get(response["Location"]).content.decode()
    pdf_url = reverse("cases:notice_pdf", args=[parent.number, notice.number])
    assert pdf_url in page  # linked from the bundle notice page
    got = client.get(pdf_url)
    assert got["Content-Type"] == "application/pdf" and got.content.startswith(b"%PDF")
    text = _pdf_text(got.content)
    assert "一件事告知单" in text and parent.number in text
    for child in (small, health):
        assert child.number in text and child.item_version.name in text
    assert "待补正" in text and "审查中" in text  # each child's state
    assert "一次性告知书" in text and "营业执照" in text and "未带" in text
    # The notice URL of the bundle notice leads to the whole bundle page.
    assert client.get(reverse("cases:notice", args=[parent.number, notice.number]))[
        "Location"
    ] == reverse("cases:bundle_notice", args=[parent.number])


def test_accepted_bundle_pdf_is_the_whole_bundle_with_children_and_deadlines(client, env, bundle):
    client.force_login(env.s.clerk.user)
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    assert client.post(url, _post(bundle, action="accept")).status_code == 302
    parent = Case.objects.get(parent__isnull=True)
    notice = parent.documents.get()  # still the one 受理通知书 of the parent
    assert notice.kind == DocumentKind.ACCEPTANCE
    assert {c["state"] for c in notice.data["children"]} == {State.IN_REVIEW}
    text = _pdf_text(
        client.get(reverse("cases:notice_pdf", args=[parent.number, notice.number])).content
    )
    assert "一件事告知单" in text and "受理通知书" in text
    for child in parent.children.all():
        assert child.number in text and child.item_version.name in text
        assert f"{child.due_date:%Y年%-m月%-d日}" in text


# --------------------------------------------------------------------------- 3. API uploads


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_resubmit_accepts_multipart_files_checked_by_magic_bytes(env):
    version = env.c.market_item.versions.get()
    first, *rest = version.materials.all()
    case = submit(env, materials=[{"material": m, "file": pdf()} for m in rest])
    case = act(
        case, "request_correction", env.s.clerk.user,
        corrections=[{"material": first, "problem": "未提交"}],
    )  # fmt: skip
    client = _api(env.s.clerk.user)
    url = f"/api/v1/cases/{case.number}/resubmit"
    fake = SimpleUploadedFile("假.pdf", b"not a pdf at all", content_type="application/pdf")
    refused = client.post(
        url, {"expected_version": case.version, "material": [first.pk], "file": [fake]},
        format="multipart",
    )  # fmt: skip
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_file"
    case.refresh_from_db()
    assert case.state == State.AWAITING_CORRECTION
    ok = client.post(
        url, {"expected_version": case.version, "material": [first.pk], "file": [pdf("补.pdf")]},
        format="multipart",
    )  # fmt: skip
    assert ok.status_code == 200, ok.content
    assert ok.json()["state"]["value"] == State.SUBMITTED
    row = case.materials.get(material=first)
    assert row.file and row.file.read().startswith(b"%PDF")
    assert [m for m in ok.json()["materials"] if m["material"] == first.pk][0]["has_file"]


def test_api_catch_up_accepts_a_png_and_json_without_files_still_works(env):
    health = env.tolerance.versions.get().materials.get(name="健康证明")
    form = env.tolerance.versions.get().materials.get(name="申请书")
    client = _api(env.s.clerk.user)

    def tolerated_case():
        case = submit(env, env.tolerance, materials=[{"material": form, "file": pdf()}])
        return act(case, "accept_with_tolerance", env.s.clerk.user, tolerated=[health],
                   commitment="承诺", catch_up_days=3)  # fmt: skip

    case = tolerated_case()
    wrong = SimpleUploadedFile("证明.exe", PNG)
    refused = client.post(
        f"/api/v1/cases/{case.number}/catch-up",
        {"expected_version": case.version, "material": [health.pk], "file": [wrong]},
        format="multipart",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_file"
    ok = client.post(
        f"/api/v1/cases/{case.number}/catch-up",
        {
            "expected_version": case.version,
            "material": [health.pk],
            "file": [SimpleUploadedFile("健康证明.png", PNG)],
        },
        format="multipart",
    )
    assert ok.status_code == 200, ok.content
    row = case.materials.get(material=health)
    assert row.caught_up_at is not None and row.file.name.endswith(".png")
    case.refresh_from_db()
    assert case.tolerance_due is None
    # Mismatched pairs are refused before anything is written.
    other = tolerated_case()
    bad = client.post(
        f"/api/v1/cases/{other.number}/catch-up",
        {"expected_version": other.version, "material": [health.pk, form.pk], "file": [pdf()]},
        format="multipart",
    )
    assert bad.status_code == 400
    # JSON (no files) keeps working.
    json_ok = client.post(
        f"/api/v1/cases/{other.number}/catch-up",
        {"expected_version": other.version, "materials": [{"material": health.pk}]},
        format="json",
    )
    assert json_ok.status_code == 200, json_ok.content
    other.refresh_from_db()
    assert other.tolerance_due is None and not other.materials.get(material=health).file


def test_openapi_documents_multipart_for_resubmit_and_catch_up(env):
    schema = _api(env.s.clerk.user).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    doc = schema.json() if schema["Content-Type"].startswith("application/json") else None
    if doc is None:
        import yaml

        doc = yaml.safe_load(io.StringIO(schema.content.decode()))
    for route in ("resubmit", "catch-up"):
        body = doc["paths"][f"/api/v1/cases/{{number}}/{route}/"]["post"]["requestBody"]
        content = body["content"]
        assert "application/json" in content and "multipart/form-data" in content
        ref = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
        props = doc["components"]["schemas"][ref]["properties"]
        assert props["file"]["items"]["format"] == "binary"
        assert props["material"]["items"]["type"] == "integer"
    accept = doc["paths"]["/api/v1/cases/{number}/accept/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" not in accept or "file" not in str(accept)
