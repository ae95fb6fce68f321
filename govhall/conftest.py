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


@pytest.fixture(autouse=True)
def _memory_cache(settings):
    """Each test counts its throttles in a fresh local-memory cache of its own (the
    site's default is files under var/, shared by the server's workers)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "govhall-tests",
        }
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_steps_from_another_test():
    """The process keeps published versions' 办理环节 (guards.version_steps); a test
    that committed (a live server, a worker) and flushed its data would hand them to a
    later test whose version got the same id and, under the frozen clock, the same
    publishing time. Each test starts with none."""
    from govhall.cases import guards

    guards.forget_published_steps()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run at once, in the test's own transaction (the site's default stores
    them for `manage.py db_worker`; govhall/cases/tests/test_tasks.py tests that)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from govhall.cases import scheduler

    scheduler._last_enqueued.clear()


@pytest.fixture
def county(db):
    return factories.build_county()


@pytest.fixture
def org(db):
    """The organisation alone (no catalogue): centres, departments, 进驻, staff."""
    return factories.build_org()


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (browser, live server, threads) ends with a flush, which
    empties the working-day table migration 0002 seeded: once its teardown (and so the
    flush) is over, refill the table, so that the tests after it on the same worker
    count working days as before (tests run in any order across workers)."""
    yield
    if nextitem is None or not _transactional(item):
        return  # the last test: the session's teardown has dropped the test database
    from pytest_django.plugin import blocking_manager_key

    from govhall.calendar import selectors as calendar_selectors
    from govhall.calendar import services as calendar_services

    with item.config.stash[blocking_manager_key].unblock():
        calendar_services.seed_if_empty()
        calendar_selectors.invalidate_cache()
