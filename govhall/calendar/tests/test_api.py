"""The public working-day API and its OpenAPI description."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_add_workdays_over_national_day(api):
    r = api.get("/api/v1/calendar/add-workdays", {"start": "2026-09-30", "days": "1"})
    assert r.status_code == 200
    assert r.json() == {"date": "2026-10-08", "provisional": False}
    r = api.get("/api/v1/calendar/add-workdays", {"start": "2027-09-14", "days": "1"})
    assert r.json() == {"date": "2027-09-16", "provisional": True}


def test_workdays_between(api):
    r = api.get("/api/v1/calendar/workdays", {"from": "2026-09-30", "to": "2026-10-10"})
    assert r.status_code == 200
    assert r.json() == {"count": 3, "provisional": False}


@pytest.mark.parametrize(
    "url,params,code",
    [
        ("add-workdays", {"start": "2026-02-30", "days": "1"}, "invalid_date"),
        ("add-workdays", {"start": "2026-09-30", "days": "-3"}, "invalid_days"),
        ("add-workdays", {"start": "2026-09-30", "days": "abc"}, "invalid_days"),
        ("add-workdays", {"days": "3"}, "invalid_date"),
        ("add-workdays", {"start": "1990-01-01", "days": "3"}, "date_out_of_range"),
        ("workdays", {"from": "2026-09-30", "to": "10/10/2026"}, "invalid_date"),
    ],
)
def test_bad_input_is_400_with_code_and_chinese_message(api, url, params, code):
    r = api.get(f"/api/v1/calendar/{url}", params)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_endpoints_are_in_the_openapi_schema(api):
    r = api.get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    schema = r.json()
    op = schema["paths"]["/api/v1/calendar/add-workdays"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"start", "days"}
    assert "400" in op["responses"]
    assert "/api/v1/calendar/workdays" in schema["paths"]
    estimate = schema["paths"]["/api/v1/calendar/estimate"]["get"]
    assert {p["name"] for p in estimate["parameters"]} == {"year"}


def test_estimate_gives_every_day_of_the_predicted_year(api):
    r = api.get("/api/v1/calendar/estimate", {"year": "2027"})
    assert r.status_code == 200
    body = r.json()
    assert body["year"] == 2027 and len(body["days"]) == 365
    days = {d["date"]: d for d in body["days"]}
    assert days["2027-02-05"] == {
        "date": "2027-02-05",
        "kind": "holiday",
        "label": "法定节假日",
        "name": "春节",
        "counted_as_workday": False,
        "certain": True,
    }
    assert days["2027-03-10"]["kind"] == "workday" and days["2027-03-10"]["certain"]
    # an uncertain day is counted as a working day
    unsure = [d for d in body["days"] if not d["certain"]]
    assert unsure and all(d["counted_as_workday"] for d in unsure)


def test_estimate_of_a_known_year_ignores_its_own_schedule(api):
    """2026 computed from 2025 and before only: the 2026 backtest."""
    from govhall.calendar import predict, rules

    body = api.get("/api/v1/calendar/estimate", {"year": "2026"}).json()
    known = {y: rules.official_year(y) for y in range(rules.FIRST_YEAR, 2026)}
    expected = predict.predict_year(2026, known=known)
    assert [(d["date"], d["kind"], d["certain"]) for d in body["days"]] == [
        (p.date.isoformat(), p.kind, p.certain) for p in expected
    ]
    assert len(body["days"]) == 365


@pytest.mark.parametrize(
    "params,code",
    [
        ({}, "invalid_year"),
        ({"year": ""}, "invalid_year"),
        ({"year": "二〇二七"}, "invalid_year"),
        ({"year": "2027.5"}, "invalid_year"),
        ({"year": "-2027"}, "invalid_year"),
        ({"year": "2014"}, "year_out_of_range"),
        ({"year": "2101"}, "year_out_of_range"),
        ({"year": "99999999999999999999"}, "year_out_of_range"),
    ],
)
def test_estimate_errors(api, params, code):
    r = api.get("/api/v1/calendar/estimate", params)
    assert r.status_code == 400
    assert r.json()["code"] == code and r.json()["message"]


def test_estimate_bounds_are_accepted(api):
    for year in ("2015", "2100"):
        r = api.get("/api/v1/calendar/estimate", {"year": year})
        assert r.status_code == 200 and len(r.json()["days"]) in (365, 366)
