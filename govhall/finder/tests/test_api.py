"""GET /api/v1/items/find — the finder through the API."""

import pytest

from govhall.finder.models import Search

pytestmark = pytest.mark.usefixtures("demo_catalogue")


def test_hits_come_with_score_reasons_and_life_events(client):
    body = client.get("/api/v1/items/find/", {"q": "我家小孩出生证明找不到了", "limit": 3}).json()
    assert body["found"] is True and len(body["results"]) <= 3
    first = body["results"][0]
    assert first["name"] == "出生医学证明补发"
    assert {"field": "keywords", "label": "俗称/关键词", "words": "出生证明"} in first["reasons"]
    assert first["score"] > 1 and 0 < first["similarity"] <= 1
    assert {"code": "shengyu", "name": "生育收养"} in first["life_events"]
    assert first["url"].endswith(f"/items/{first['implementation_code']}/")
    assert Search.objects.get(pk=body["search_id"]).channel == "api"


def test_nothing_found_offers_the_phone_and_12345(client):
    body = client.get("/api/v1/items/find/", {"q": "今天天气怎么样"}).json()
    assert body["found"] is False and body["results"] == []
    assert body["help"]["hotline"] == "12345" and body["help"]["consult_phone"]


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, "query_required"),
        ({"q": "办" * 101}, "query_too_long"),
        ({"q": "户口", "limit": "0"}, "invalid_filter"),
        ({"q": "户口", "limit": "99999999999999999999"}, "invalid_filter"),
        ({"q": "户口", "accepting": "maybe"}, "invalid_filter"),
        ({"q": "户口", "qq": "1"}, "invalid_filter"),
        ({"q": "户\x00口"}, "invalid_filter"),
    ],
)
def test_bad_input_gets_a_stable_code(client, params, code):
    response = client.get("/api/v1/items/find/", params)
    assert response.status_code == 400 and response.json()["code"] == code


def test_an_address_that_searches_without_pause_is_refused_on_every_channel(client, settings):
    from govhall.finder.models import Search

    settings.GOVHALL_FINDER_RATE_PER_ADDRESS = "3/m"
    for _ in range(3):
        assert client.get("/api/v1/items/find/", {"q": "户口"}).status_code == 200
    refused = client.get("/api/v1/items/find/", {"q": "户口"})
    assert refused.status_code == 429 and refused.json()["code"] == "finder_throttled"
    portal = client.get("/items/", {"q": "户口"}).content.decode()
    assert "查询过于频繁" in portal
    assert Search.objects.count() == 3  # the refused ones wrote nothing
    # the window desk (signed in) is not counted
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="clerk"))
    assert client.get("/api/v1/items/find/", {"q": "户口"}).status_code == 200
