"""The one clock of govhall.

The law counts time, so code never calls ``timezone.now()`` or ``date.today()``
itself: it asks this module. Tests (and demo scripts) move time with
:func:`frozen`, and every rule that depends on "today" follows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

# Process-wide on purpose: a frozen clock must hold for every thread of the process,
# including the live test server that answers a browser test.
_state = SimpleNamespace(fixed=None)


def now() -> dt.datetime:
    """Aware current datetime (Asia/Shanghai is the display zone)."""
    fixed = _state.fixed
    if fixed is not None:
        return fixed
    return timezone.now()


def wall_ms() -> int:
    """The centre's wall-clock time (the display zone) as milliseconds, shifted by the
    zone's offset from UTC: a screen in the hall reads it with ``getUTC*`` and shows
    the server's time whatever its own clock or time zone says (a TV's rarely right)."""
    local = timezone.localtime(now())
    return int((local.timestamp() + local.utcoffset().total_seconds()) * 1000)


def today() -> dt.date:
    """The current date in the centre's time zone."""
    return timezone.localdate(now())


def _aware(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(9, 0))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def set_now(value: dt.datetime | dt.date | None) -> None:
    """Fix the clock at ``value`` (``None`` releases it)."""
    _state.fixed = None if value is None else _aware(value)


@contextlib.contextmanager
def frozen(value: dt.datetime | dt.date):
    """Run a block with the clock fixed at ``value`` (a date means 09:00 that day)."""
    previous = _state.fixed
    set_now(value)
    try:
        yield
    finally:
        _state.fixed = previous


def advance(**delta) -> None:
    """Move a frozen clock forward, e.g. ``advance(days=3)``."""
    current = _state.fixed
    if current is None:
        raise RuntimeError("clock.advance() needs a frozen clock")
    _state.fixed = current + dt.timedelta(**delta)
