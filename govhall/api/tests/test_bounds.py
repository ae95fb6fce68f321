"""Issue 8 §3/§4 for the public lists: unknown query parameters and out-of-range
integers answer 400 ``invalid_filter``; paths the database cannot compare answer the
object's 404; a version's materials and special steps carry their ids."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from govhall.testing import factories


@pytest.fixture
def county(db):
    return factories.build_hall("market_item")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/items/?typ=licensing",
        "/api/v1/items/?page=2",
        "/api/v1/centres/?levle=county",
        "/api/v1/departments/?centres=150626",
        "/api/v1/windows/?dept=1",
        "/api/v1/life-events/?q=x",
        "/api/v1/items/{code}/versions/?limit=1",
    ],
)
def test_unknown_query_parameter_is_invalid_filter(county, url):
    response = APIClient().get(url.format(code=county.market_item.implementation_code))
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["code"] == "invalid_filter" and "未知" in data["message"]
    assert data["fields"]


@pytest.mark.parametrize("query", ["limit=10&offset=0&format=json", "type=licensing", ""])
def test_known_parameters_still_work(county, query):
    assert APIClient().get(f"/api/v1/items/?{query}").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["department=99999999999999999999", "limit=2147483648", "offset=-1", "q=%00", "limit=²"],
)
def test_out_of_range_or_nul_query_is_invalid_filter(county, query):
    response = APIClient().get(f"/api/v1/items/?{query}")
    assert response.status_code == 400 and response.json()["code"] == "invalid_filter"


@pytest.mark.parametrize(
    "path,code",
    [
        ("/api/v1/items/%00x/", "item_not_found"),
        ("/api/v1/items/{code}/versions/99999999999999999999/", "version_not_found"),
        ("/api/v1/departments/99999999999999999999999/", "department_not_found"),
        ("/api/v1/centres/%00/", "centre_not_found"),
    ],
)
def test_paths_the_database_cannot_compare_are_not_found(county, path, code):
    response = APIClient().get(path.format(code=county.market_item.implementation_code))
    assert response.status_code == 404 and response.json()["code"] == code


def test_version_materials_and_special_steps_have_ids(county):
    item = county.market_item
    version = item.versions.get()
    data = APIClient().get(f"/api/v1/items/{item.implementation_code}/versions/1/").json()
    assert [m["id"] for m in data["materials"]] == list(
        version.materials.order_by("order", "id").values_list("pk", flat=True)
    ) or {m["id"] for m in data["materials"]} == set(version.materials.values_list("pk", flat=True))
    assert all("id" in s for s in data["special_steps"])
    detail = APIClient().get(f"/api/v1/items/{item.implementation_code}/").json()
    assert {m["id"] for m in detail["current_version"]["materials"]} == set(
        version.materials.values_list("pk", flat=True)
    )


def test_calendar_days_are_bounded(db):
    response = APIClient().get("/api/v1/calendar/add-workdays?start=2026-01-05&days=99999999999")
    assert response.status_code == 400 and response.json()["code"] == "invalid_days"
