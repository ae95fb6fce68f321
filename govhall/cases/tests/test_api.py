"""The cases API (``cases.api``): idempotent create, visibility and filters,
transitions with the optimistic lock, errors {code, message, fields}, masking, file
uploads (multipart/form-data) for 补正 resubmit and 容缺补齐 catch-up, the OpenAPI
schema, and the idempotent 一件事 bundle-case API."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from govhall.cases import services
from govhall.cases.models import Case, State
from govhall.core import clock
from govhall.testing import factories
from govhall.testing.factories import make_id_number

from .conftest import act, api, health_proof, pdf, submit

PHONE = "13904775678"


def body(hall, serial=3, name="王小明"):
    version = hall.market_item.versions.get()
    return {
        "item": hall.market_item.implementation_code,
        "applicant": {
            "kind": "person",
            "name": name,
            "id_number": factories.make_id_number(serial),
            "phone": PHONE,
        },
        "materials": [{"material": m.pk} for m in version.materials.all()],
    }


def test_create_is_idempotent_and_masks(hall):
    client = api(hall.staff.clerk.user)
    first = client.post("/api/v1/cases", body(hall), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/cases/", body(hall), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1
    other = client.post(
        "/api/v1/cases", body(hall, name="别人"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_mismatch" and other.json()["message"]
    applicant = first.json()["applicant"]
    assert applicant["phone"] != PHONE and applicant["phone"].endswith("5678")
    assert "*" in applicant["id_number"]
    assert first.json()["state"]["value"] == "submitted"


def test_create_validation_error_shape(hall):
    data = body(hall)
    good = data["applicant"]["id_number"]
    data["applicant"]["id_number"] = good[:17] + ("1" if good[17] != "1" else "2")
    response = api(hall.staff.clerk.user).post("/api/v1/cases", data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_id_number"
    assert "applicant.id_number" in response.json()["fields"]


def test_anonymous_is_refused(db):
    assert APIClient().get("/api/v1/cases").status_code in (401, 403)


def _case(hall, serial=3, item=None):
    return factories.window_case(hall, item, applicant=factories.person(serial, "申请人", PHONE))


def test_full_flow_through_transitions_and_stale_conflict(hall):
    case = _case(hall)
    chief = api(hall.staff.market_chief.user)
    url = f"/api/v1/cases/{case.number}"
    accepted = chief.post(f"{url}/accept", {"expected_version": case.version}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"]["value"] == "in_review"
    stale = chief.post(
        f"{url}/review", {"expected_version": case.version, "opinion": "同意"}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_case"
    v = accepted.json()["version"]
    v = chief.post(
        f"{url}/review/", {"expected_version": v, "opinion": "同意"}, format="json"
    ).json()["version"]
    decided = chief.post(
        f"{url}/decide",
        {"expected_version": v, "result": "approved", "opinion": "准予"},
        format="json",
    )
    assert decided.json()["state"]["value"] == "decided"
    v = decided.json()["version"]
    v = chief.post(
        f"{url}/certify", {"expected_version": v, "result_number": "JY1"}, format="json"
    ).json()["version"]
    v = chief.post(
        f"{url}/deliver", {"expected_version": v, "method": "window"}, format="json"
    ).json()["version"]
    done = chief.post(f"{url}/complete", {"expected_version": v}, format="json")
    assert done.json()["state"]["value"] == "completed"
    again = chief.post(
        f"{url}/complete", {"expected_version": done.json()["version"]}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_missing_input_and_other_department(hall):
    case = _case(hall)
    url = f"/api/v1/cases/{case.number}"
    refused = api(hall.staff.clerk.user).post(
        f"{url}/refuse", {"expected_version": case.version}, format="json"
    )
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]
    other = api(hall.staff.health_chief.user)
    assert other.get(url).status_code == 403
    forbidden = other.post(f"{url}/accept", {"expected_version": case.version}, format="json")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "permission_denied"
    case.refresh_from_db()
    assert case.state == State.SUBMITTED


def test_correction_lists_materials(hall):
    case = _case(hall)
    material = hall.market_item.versions.get().materials.first()
    response = api(hall.staff.clerk.user).post(
        f"/api/v1/cases/{case.number}/request-correction",
        {
            "expected_version": case.version,
            "corrections": [{"material": material.pk, "problem": "缺少签字"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"]["value"] == "awaiting_correction"
    assert any(d["kind"]["value"] == "correction" for d in response.json()["documents"])


def test_list_filters_and_visibility(hall, old_item, health_item):
    with clock.frozen(dt.datetime(2026, 11, 2, 9, 0)):
        late = _case(hall, 4, item=old_item)
        services.transition(
            action="accept",
            actor=hall.staff.market_chief.user,
            case=late,
            expected_version=late.version,
        )
    fresh = _case(hall, 5)
    health = services.submit_application(
        actor=hall.staff.clerk.user,
        item=hall.health_item,
        centre=hall.county,
        channel="window",
        applicant={
            "kind": "person",
            "name": "丙",
            "id_number": factories.make_id_number(6),
            "phone": PHONE,
        },
    )
    market = api(hall.staff.market_approver.user)
    numbers = [c["number"] for c in market.get("/api/v1/cases").json()["results"]]
    assert set(numbers) == {late.number, fresh.number}
    overdue = market.get("/api/v1/cases", {"light": "overdue"}).json()["results"]
    assert [c["number"] for c in overdue] == [late.number]
    submitted = market.get("/api/v1/cases", {"state": "submitted"}).json()["results"]
    assert [c["number"] for c in submitted] == [fresh.number]
    recent = market.get("/api/v1/cases", {"received_from": "2026-11-20"}).json()["results"]
    assert [c["number"] for c in recent] == [fresh.number]
    clerk = api(hall.staff.clerk.user)
    dept = clerk.get("/api/v1/cases", {"department": hall.health.pk}).json()["results"]
    assert [c["number"] for c in dept] == [health.number]
    bad = market.get("/api/v1/cases", {"light": "purple"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_filter"


# --------------------------------------------------------------------------- uploads


def _png() -> bytes:
    """A real 1×1 PNG (uploads are decoded, not only sniffed)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def test_api_resubmit_accepts_multipart_files_checked_by_magic_bytes(env):
    version = env.c.market_item.versions.get()
    first, *rest = version.materials.all()
    case = submit(env, materials=[{"material": m, "file": pdf()} for m in rest])
    case = act(
        case, "request_correction", env.s.clerk.user,
        corrections=[{"material": first, "problem": "未提交"}],
    )  # fmt: skip
    client = api(env.s.clerk.user)
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


def test_api_catch_up_accepts_a_png_and_json_without_files_still_works(env, tolerance):
    health = health_proof(env)
    form = env.tolerance.versions.get().materials.get(name="申请书")
    client = api(env.s.clerk.user)

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


def test_openapi_documents_multipart_for_resubmit_and_catch_up(org):
    schema = api(org.staff.clerk.user).get("/api/schema/", {"format": "json"})
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


# --------------------------------------------------------------------------- 一件事

BUNDLE_PHONE = "13904771234"


def _bundle_body(env, name="王小明"):
    materials = []
    for item in (env.c.market_item, env.c.health_item):
        for m in item.versions.get().materials.all():
            materials.append({"item": item.implementation_code, "material": m.pk})
    return {
        "bundle": "open-restaurant",
        "applicant": {
            "kind": "person",
            "name": name,
            "id_number": make_id_number(3),
            "phone": BUNDLE_PHONE,
        },
        "materials": materials,
    }


def test_bundle_case_api_is_idempotent_and_shows_children(env, restaurant_bundle):
    client = api(env.s.clerk.user)
    first = client.post(
        "/api/v1/bundle-cases", _bundle_body(env), format="json", HTTP_IDEMPOTENCY_KEY="b-1"
    )
    assert first.status_code == 201, first.json()
    again = client.post(
        "/api/v1/bundle-cases/", _bundle_body(env), format="json", HTTP_IDEMPOTENCY_KEY="b-1"
    )
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    assert Case.objects.filter(parent__isnull=True).count() == 1
    assert Case.objects.count() == 3
    other = client.post(
        "/api/v1/bundle-cases",
        _bundle_body(env, name="别人"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="b-1",
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_mismatch"

    number = first.json()["number"]
    detail = client.get(f"/api/v1/bundle-cases/{number}").json()
    assert detail["bundle"] == "open-restaurant"
    assert [c["item"]["name"] for c in detail["children"]] == ["食品经营许可", "公共场所卫生许可"]
    assert {c["state"]["value"] for c in detail["children"]} == {"submitted"}
    assert detail["applicant"]["id_number"] != make_id_number(3)  # masked
    children = Case.objects.get(number=number).children.all()
    assert all(c.materials.count() == 2 for c in children)
    # Accepting the parent through the case API accepts the children.
    client.post(
        f"/api/v1/cases/{number}/accept", {"expected_version": detail["version"]}, format="json"
    )
    detail = client.get(f"/api/v1/bundle-cases/{number}").json()
    assert {c["state"]["value"] for c in detail["children"]} == {"in_review"}
    assert all(c["due_date"] for c in detail["children"])
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/bundle-cases/" in schema and "/api/v1/bundle-cases/{number}/" in schema


def test_bundle_case_api_refuses_an_item_outside_the_bundle(env, restaurant_bundle, instant):
    body = _bundle_body(env)
    body["materials"][0]["item"] = env.instant.implementation_code
    response = api(env.s.clerk.user).post("/api/v1/bundle-cases", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"materials.0.item": ["不属于该一件事"]}
    assert not Case.objects.exists()
