"""The cases API: idempotent create, visibility and filters, transitions with the
optimistic lock, errors {code, message, fields}, masking."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from govhall.cases import services
from govhall.cases.models import Case, State
from govhall.core import clock
from govhall.testing import factories

PHONE = "13904775678"


def body(county, serial=3, name="王小明"):
    version = county.market_item.versions.get()
    return {
        "item": county.market_item.implementation_code,
        "applicant": {
            "kind": "person",
            "name": name,
            "id_number": factories.make_id_number(serial),
            "phone": PHONE,
        },
        "materials": [{"material": m.pk} for m in version.materials.all()],
    }


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_is_idempotent_and_masks(county):
    client = api(county.staff.clerk.user)
    first = client.post("/api/v1/cases", body(county), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/cases/", body(county), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1
    other = client.post(
        "/api/v1/cases", body(county, name="别人"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_mismatch" and other.json()["message"]
    applicant = first.json()["applicant"]
    assert applicant["phone"] != PHONE and applicant["phone"].endswith("5678")
    assert "*" in applicant["id_number"]
    assert first.json()["state"]["value"] == "submitted"


def test_create_validation_error_shape(county):
    data = body(county)
    good = data["applicant"]["id_number"]
    data["applicant"]["id_number"] = good[:17] + ("1" if good[17] != "1" else "2")
    response = api(county.staff.clerk.user).post("/api/v1/cases", data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_id_number"
    assert "applicant.id_number" in response.json()["fields"]


def test_anonymous_is_refused(county):
    assert APIClient().get("/api/v1/cases").status_code in (401, 403)


def _case(county, serial=3, item=None):
    item = item or county.market_item
    return services.submit_application(
        actor=county.staff.clerk.user,
        item=item,
        centre=county.county,
        channel="window",
        applicant={
            "kind": "person",
            "name": "申请人",
            "id_number": factories.make_id_number(serial),
            "phone": PHONE,
        },
        materials=[{"material": m} for m in item.versions.get().materials.all()],
    )


def test_full_flow_through_transitions_and_stale_conflict(county):
    case = _case(county)
    chief = api(county.staff.market_chief.user)
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


def test_missing_input_and_other_department(county):
    case = _case(county)
    url = f"/api/v1/cases/{case.number}"
    refused = api(county.staff.clerk.user).post(
        f"{url}/refuse", {"expected_version": case.version}, format="json"
    )
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]
    other = api(county.staff.health_chief.user)
    assert other.get(url).status_code == 403
    forbidden = other.post(f"{url}/accept", {"expected_version": case.version}, format="json")
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "permission_denied"
    case.refresh_from_db()
    assert case.state == State.SUBMITTED


def test_correction_lists_materials(county):
    case = _case(county)
    material = county.market_item.versions.get().materials.first()
    response = api(county.staff.clerk.user).post(
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


@pytest.fixture
def old_item(county):
    with clock.frozen(dt.datetime(2026, 10, 9, 9, 0)):
        return factories.publish_item(
            actor=county.root, department=county.market, basic_code="000111222009", name="旧事项"
        )


def test_list_filters_and_visibility(county, old_item):
    with clock.frozen(dt.datetime(2026, 11, 2, 9, 0)):
        late = _case(county, 4, item=old_item)
        services.transition(
            action="accept",
            actor=county.staff.market_chief.user,
            case=late,
            expected_version=late.version,
        )
    fresh = _case(county, 5)
    health = services.submit_application(
        actor=county.staff.clerk.user,
        item=county.health_item,
        centre=county.county,
        channel="window",
        applicant={
            "kind": "person",
            "name": "丙",
            "id_number": factories.make_id_number(6),
            "phone": PHONE,
        },
    )
    market = api(county.staff.market_approver.user)
    numbers = [c["number"] for c in market.get("/api/v1/cases").json()["results"]]
    assert set(numbers) == {late.number, fresh.number}
    overdue = market.get("/api/v1/cases", {"light": "overdue"}).json()["results"]
    assert [c["number"] for c in overdue] == [late.number]
    submitted = market.get("/api/v1/cases", {"state": "submitted"}).json()["results"]
    assert [c["number"] for c in submitted] == [fresh.number]
    recent = market.get("/api/v1/cases", {"received_from": "2026-11-20"}).json()["results"]
    assert [c["number"] for c in recent] == [fresh.number]
    clerk = api(county.staff.clerk.user)
    dept = clerk.get("/api/v1/cases", {"department": county.health.pk}).json()["results"]
    assert [c["number"] for c in dept] == [health.number]
    bad = market.get("/api/v1/cases", {"light": "purple"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_filter"
