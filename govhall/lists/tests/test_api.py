"""The lists' API: the index, a list now or as published on a date, its publications,
two dates compared; bad keys and dates answer stable codes."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.core import clock
from govhall.lists import services

from .conftest import take_off_negative_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(county):
    services.publish(actor=county.admin)  # 2026-11-23
    with clock.frozen(dt.datetime(2026, 11, 26, 10, 0)):
        take_off_negative_list(county)
        services.publish(actor=county.admin, note="移出")
    return county


def test_the_index_names_every_list_with_its_latest_publication(client, history):
    body = client.get("/api/v1/lists/").json()
    assert len(body) == 13
    negative = next(r for r in body if r["list"]["key"] == "negative")
    assert negative["list"]["name"] == "政务服务事项进驻负面清单"
    assert {"key": "reason", "header": "不进驻理由"} in negative["list"]["columns"]
    assert negative["publication"]["sequence"] == 2
    assert negative["publication"]["removed"] == 1


def test_a_list_now_and_as_published_on_a_date(client, history):
    now = client.get("/api/v1/lists/negative/").json()
    assert now["rows"] == [] and now["publication"]["published_on"] == "2026-11-26"
    then = client.get("/api/v1/lists/negative/", {"date": "2026-11-24"}).json()
    assert [r["code"] for r in then["rows"]] == [history.secret.implementation_code]
    assert then["publication"]["sequence"] == 1
    early = client.get("/api/v1/lists/negative/", {"date": "2026-11-01"})
    assert early.status_code == 404 and early.json()["code"] == "not_published"


def test_a_list_never_published_shows_the_catalogue_as_it_is(client, county):
    body = client.get("/api/v1/lists/negative/").json()
    assert body["publication"] is None and len(body["rows"]) == 1


def test_publications_and_comparison(client, history):
    pubs = client.get("/api/v1/lists/negative/publications/").json()
    assert [p["sequence"] for p in pubs] == [2, 1]
    assert pubs[0]["changes"]["removed"][0]["code"] == history.secret.implementation_code
    body = client.get(
        "/api/v1/lists/catalogue/compare/", {"from": "2026-11-23", "to": "2026-11-26"}
    ).json()
    assert body["added"] == [] and body["removed"] == []
    (changed,) = body["changed"]
    assert changed["columns"] == ["hall"]
    assert (changed["before"]["hall"], changed["after"]["hall"]) == (
        "负面清单（不进驻）",
        "进驻中心",
    )


@pytest.mark.parametrize(
    "url, params, status, code",
    [
        ("/api/v1/lists/nope/", {}, 404, "list_not_found"),
        ("/api/v1/lists/" + "x" * 30 + "/", {}, 404, "list_not_found"),
        ("/api/v1/lists/nope/publications/", {}, 404, "list_not_found"),
        ("/api/v1/lists/negative/", {"date": "2026-13-01"}, 400, "invalid_filter"),
        ("/api/v1/lists/negative/", {"day": "2026-11-01"}, 400, "invalid_filter"),
        ("/api/v1/lists/negative/compare/", {"from": "2026-11-01"}, 400, "missing_parameter"),
        (
            "/api/v1/lists/negative/compare/",
            {"from": "x", "to": "2026-11-01"},
            400,
            "invalid_filter",
        ),
        (
            "/api/v1/lists/negative/compare/",
            {"from": "2026-11-30", "to": "2026-11-01"},
            400,
            "invalid_range",
        ),
    ],
)
def test_bad_keys_and_dates_answer_stable_codes(client, county, url, params, status, code):
    response = client.get(url, params)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_the_api_reads_in_a_fixed_number_of_queries(client, history, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get("/api/v1/lists/")
    with django_assert_max_num_queries(2):
        client.get("/api/v1/lists/catalogue/", {"date": "2026-11-24"})
