"""Staff sessions (``core/sessions.py``): a read does not write the session again when
it was saved less than a minute ago; an older one, or a changed one, is saved as
before, so the idle timeout still counts from the last request (to the minute)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govhall.testing import factories


def _writes(client, path: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    sql = [q["sql"] for q in ctx.captured_queries]
    return response.status_code, [s for s in sql if "django_session" in s and "UPDATE" in s]


def test_a_read_right_after_a_save_writes_nothing_an_older_session_is_refreshed(client, db):
    staff = factories.make_staff(
        username="u1", name="甲", role="centre_admin", centre=factories.make_centre()
    )
    assert client.login(username="u1", password="govhall-test")
    row = Session.objects.get()
    status, writes = _writes(client, "/staff/")
    assert status == 200 and writes == []
    assert Session.objects.get().expire_date == row.expire_date
    # the cookie says Vary: Cookie as Django's middleware would
    assert "Cookie" in client.get("/staff/").headers.get("Vary", "")

    # saved two minutes ago: this request saves it again, the idle time restarts
    Session.objects.update(expire_date=row.expire_date - dt.timedelta(minutes=2))
    status, writes = _writes(client, "/staff/")
    assert status == 200 and len(writes) == 1
    expiry = Session.objects.get().expire_date
    age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(expiry - (timezone.now() + age)) < dt.timedelta(seconds=30)
    assert staff.user.is_authenticated


def test_a_session_never_outlives_the_idle_time(client, db):
    factories.make_staff(
        username="u2", name="乙", role="centre_admin", centre=factories.make_centre()
    )
    assert client.login(username="u2", password="govhall-test")
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login/" in response.headers["Location"]


def test_a_changed_session_is_saved_at_once(client, db):
    factories.make_staff(
        username="u3", name="丙", role="centre_admin", centre=factories.make_centre()
    )
    assert client.login(username="u3", password="govhall-test")
    client.post("/staff/logout/")
    assert not Session.objects.exists()
    assert client.get("/staff/").status_code == 302
