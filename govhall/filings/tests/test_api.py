"""The filing API: 接口报送, the register with bounded filters, actions, stable codes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govhall.filings.models import State

from .conftest import COMPANY, PERSON, online, pdf

pytestmark = pytest.mark.django_db

LIST = "/api/v1/filings/"


def _login(client, staff):
    client.force_login(staff.user)
    return client


def _body(for_item, **overrides):
    data = {
        "item": for_item.implementation_code,
        **PERSON,
        "activity": "开设便利店，仅销售预包装食品",
        "activity_date": "2026-11-20",
        "files": [pdf()],
    }
    data.update(overrides)
    return data


def test_a_clerk_files_a_notify_filing_through_the_api(client, org, items):
    r = _login(client, org.staff.clerk).post(LIST, _body(items.notify))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == State.FILED and body["number"] == "BA2026-000001"
    assert body["channel"] == "api" and body["filer_id"].count("*") == 8
    pdf_response = client.get(f"{LIST}{body['number']}/receipt/")
    assert pdf_response["Content-Type"] == "application/pdf"
    assert pdf_response.content.startswith(b"%PDF")


def test_a_confirm_filing_through_the_api_then_confirmed_by_the_department(client, org, items):
    r = _login(client, org.staff.clerk).post(LIST, _body(items.confirm, **COMPANY))
    assert r.status_code == 201 and r.json()["state"] == State.SUBMITTED
    tracking = r.json()["tracking"]
    assert r.json()["due_date"] == "2026-11-30"
    client.force_login(org.staff.market_chief.user)
    detail = client.get(f"{LIST}{tracking}/").json()
    assert [a["action"] for a in detail["actions"]] == ["confirm", "return"]
    assert detail["filer_id"] == COMPANY["filer_id"]  # the department sees it in full
    r = client.post(
        f"{LIST}{tracking}/confirm/", {"expected_version": 0}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["number"] == "BA2026-000001"
    r = client.post(
        f"{LIST}{tracking}/confirm/", {"expected_version": 0}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "stale_filing"


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"item": "NOPE"}, 400, "unknown_item"),
        ({"filer_id": "123"}, 400, "invalid_id_number"),
        ({"files": []}, 400, "materials_missing"),
        ({"activity_date": "yesterday"}, 400, "validation_failed"),
    ],
)
def test_api_filing_errors_have_stable_codes(client, org, items, overrides, status, code):
    r = _login(client, org.staff.clerk).post(LIST, _body(items.notify, **overrides))
    assert (r.status_code, r.json()["code"]) == (status, code)


def test_api_refuses_an_item_not_on_the_filing_list_and_fees(client, org, items):
    from govhall.testing.factories import publish_item

    from .conftest import notify_item

    licence = publish_item(
        actor=org.root,
        department=org.market,
        basic_code="000111444009",
        name="食品经营许可",
    )
    fee = notify_item(
        org, basic_code="000111444003", name="收费备案", has_fee=True, fee_standard="10元",
        fee_basis="文件",
    )  # fmt: skip
    _login(client, org.staff.clerk)
    for item, code in ((licence, "not_filing_item"), (fee, "filing_has_fee")):
        r = client.post(LIST, _body(item))
        assert (r.status_code, r.json()["code"]) == (409, code)


def test_only_clerks_file_and_anonymous_callers_get_nothing(client, org, items):
    assert client.get(LIST).status_code in (401, 403)
    r = _login(client, org.staff.market_chief).post(LIST, _body(items.notify))
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")


def test_the_register_filters_and_is_department_scoped(client, org, items):
    a = online(items.notify)
    b = online(items.confirm, COMPANY)
    _login(client, org.staff.market_chief)
    numbers = lambda **q: [x["tracking"] for x in client.get(LIST, q).json()["results"]]  # noqa: E731
    assert numbers() == [b.tracking, a.tracking]
    assert numbers(state="filed") == [a.tracking]
    assert numbers(kind="confirm") == [b.tracking]
    assert numbers(number="BA2026") == [a.tracking]
    assert numbers(name="康宁") == [b.tracking]
    assert numbers(item=items.confirm.implementation_code) == [b.tracking]
    assert numbers(date_from="2026-11-24") == []
    assert numbers(date_from="2026-11-23", date_to="2026-11-23") == [b.tracking, a.tracking]
    assert numbers(overdue="true") == []
    client.force_login(org.staff.health_chief.user)
    assert numbers() == []
    r = client.get(f"{LIST}{a.number}/")
    assert (r.status_code, r.json()["code"]) == (404, "filing_not_found")


@pytest.mark.parametrize(
    "query",
    [
        {"stat": "filed"},
        {"state": "refused"},
        {"department": "abc"},
        {"date_from": "2026-13-01"},
        {"date_from": "2026-11-24", "date_to": "2026-11-23"},
        {"name": "x" * 101},
        {"number": "B\x00"},
        {"limit": "0"},
    ],
)
def test_bad_register_params_are_invalid_filter(client, org, query):
    r = _login(client, org.staff.admin).get(LIST, query)
    assert (r.status_code, r.json()["code"]) == (400, "invalid_filter")


def test_unknown_action_path_and_overlong_ref_are_404(client, org, items):
    f = online(items.confirm, COMPANY)
    _login(client, org.staff.market_chief)
    assert client.post(f"{LIST}{f.tracking}/refuse/", {}).status_code == 404
    r = client.get(f"{LIST}{'B' * 300}/")
    assert (r.status_code, r.json()["code"]) == (404, "filing_not_found")


def test_the_filing_list_items_endpoint_is_public(client, items):
    r = client.get(reverse("api:filing-items"))
    assert r.status_code == 200
    assert [x["filing_kind"] for x in r.json()["results"]] == ["notify", "confirm"]


def test_a_filing_through_the_api_costs_a_fixed_number_of_queries(
    client, org, items, django_assert_max_num_queries
):
    _login(client, org.staff.clerk).post(LIST, _body(items.notify))
    # session and user (2), staff and its centre (2), the item (1), the version with
    # materials and fees (3), the savepoint, two counters, filing, event, attachment,
    # audit row, release (8); the response reads what is loaded (0).
    with django_assert_max_num_queries(17):
        r = client.post(LIST, _body(items.notify))
    assert r.status_code == 201
