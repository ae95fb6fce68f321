"""/healthz tells a load balancer whether this server may get traffic (issue 8 §5)."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db


def test_a_healthy_server_answers_200_without_login_or_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert "sessionid" not in response.cookies
    assert "no-cache" in response["Cache-Control"]


def test_an_unapplied_migration_answers_503_with_its_name(client):
    leaf = sorted(MigrationExecutor(connection).loader.graph.leaf_nodes())[0]
    MigrationRecorder(connection).record_unapplied(*leaf)  # rolled back after the test
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["migrations"] == "pending"
    assert f"{leaf[0]}.{leaf[1]}" in body["reasons"][0]
    assert "尚未执行" in body["reasons"][0]


def test_an_unreachable_database_answers_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "error"
    assert "数据库无法连接" in body["reasons"][0]
    assert "refused" not in body["reasons"][0]  # no detail of the database leaks out


def test_the_https_redirect_spares_the_load_balancers_plain_http_probe(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200
