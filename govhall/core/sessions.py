"""Staff sessions (会话) that end after an idle time without a write on every request.

``SESSION_SAVE_EVERY_REQUEST`` makes the idle timeout (``GOVHALL_SESSION_IDLE_MINUTES``)
count from the last request, at the price of an ``UPDATE`` of the session row and a
``COMMIT`` (a WAL flush on PostgreSQL) on every signed-in request, reads included: a
third of the database round trips of the case list (issue 9 §3). Here a session is
saved exactly as Django saves it, except when nothing in it changed and it was saved
less than :data:`REFRESH` ago. The session (row and cookie) then ends between
``SESSION_COOKIE_AGE - REFRESH`` and ``SESSION_COOKIE_AGE`` after the last request:
up to a minute earlier, never later.

``SESSION_ENGINE = "govhall.core.sessions"`` (the database backend, which here keeps the
expiry it read) and this module's :class:`SessionMiddleware` in place of Django's.
Expiry is Django's own clock (``timezone.now()``, as the session backend compares it),
not ``core.clock``: a frozen test clock must not freeze sign-ins.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.utils import timezone
from django.utils.cache import patch_vary_headers

# A session unchanged by a request is saved again only when its expiry is older than this.
REFRESH = dt.timedelta(seconds=60)


class SessionStore(DatabaseSessionStore):
    """The database session backend, remembering the expiry of the row it loaded."""

    stored_expiry: dt.datetime | None = None

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.stored_expiry = row.expire_date if row is not None else None
        return row


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and _recently_saved(request, session):
            if session.accessed:
                patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)


def _recently_saved(request, session) -> bool:
    """Unchanged, loaded from a row saved less than :data:`REFRESH` ago, and the
    cookie the browser sent names it (so the cookie needs no refresh either)."""
    expiry = getattr(session, "stored_expiry", None)
    if expiry is None or session.modified or "_session_expiry" in session:
        return False  # not loaded, changed, or with an expiry of its own (set_expiry)
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME) != session.session_key:
        return False
    saved_at = expiry - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return timezone.now() - saved_at < REFRESH
