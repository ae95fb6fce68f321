"""The demo catalogue, encoded, once per test module: the finder is measured on what
``load_demo`` gives a county (107 guides), so a test reads the same index a visitor's
portal does. Rolled back after the module."""

import datetime as dt

import pytest
from django.db import transaction
from django.test.utils import override_settings

from govhall.core import clock


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    from govhall.demo.loaders import DemoContext, load_catalogue, load_organisation
    from govhall.finder import index, services

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        ctx = DemoContext()
        with clock.frozen(dt.datetime(2026, 9, 24, 9, 0)):
            load_organisation(ctx)
            load_catalogue(ctx)
        services.index_missing()
        index.clear()
        yield ctx
        transaction.set_rollback(True)
        index.clear()


@pytest.fixture
def demo_catalogue(catalogue, db):
    """The encoded demo catalogue inside the test's own transaction."""
    return catalogue
