"""OpenAPI schema and the documentation pages, served from the app's own static files."""

import re

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema


@pytest.fixture
def schema(db, client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_and_lists_the_public_endpoints(schema):
    validate_schema(schema)
    for path in (
        "/api/v1/centres/",
        "/api/v1/centres/{code}/",
        "/api/v1/departments/",
        "/api/v1/departments/{id}/",
        "/api/v1/windows/",
        "/api/v1/items/",
        "/api/v1/items/{implementation_code}/",
        "/api/v1/items/{implementation_code}/versions/",
        "/api/v1/items/{implementation_code}/versions/{number}/",
    ):
        assert "get" in schema["paths"][path], path


def test_schema_documents_item_filters_and_errors(schema):
    operation = schema["paths"]["/api/v1/items/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert {"q", "department", "type", "level", "life_event", "accepting", "limit"} <= set(params)
    assert "licensing" in params["type"]["schema"]["enum"]
    assert params["level"]["schema"]["enum"] == ["county", "township", "village"]
    assert "400" in operation["responses"]
    detail = schema["paths"]["/api/v1/items/{implementation_code}/"]["get"]
    assert "404" in detail["responses"]
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message"}


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_load_assets_only_from_local_static(db, client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assets = _asset_urls(html)
    assert assets, "the page should load its JS/CSS"
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "http://" not in html and "https://" not in html
    assert "/api/schema/" in html


def test_swagger_does_not_call_the_online_validator(db, client):
    assert '"validatorUrl": null' in client.get("/api/docs/").content.decode()
