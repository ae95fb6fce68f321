"""Shared test fixtures: a small real county built through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.core import clock
from govhall.testing import factories


@pytest.fixture(autouse=True)
def _fixed_clock():
    """Every test starts on Monday 2026-11-23, 09:00 (Asia/Shanghai)."""
    with clock.frozen(dt.datetime(2026, 11, 23, 9, 0)):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages link static files by their plain names, so tests need no collectstatic
    manifest (production: whitenoise's manifest storage, govhall/settings.py)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def county(db):
    return factories.build_county()


@pytest.fixture
def org(db):
    """The organisation alone (no catalogue): centres, departments, 进驻, staff."""
    return factories.build_org()
