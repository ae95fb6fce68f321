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
