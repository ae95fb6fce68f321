"""When the daily rules are enqueued (``manage.py run_scheduler``, docs/tasks.md).

The decision is one plain function, :func:`daily_jobs_due`, so it is tested with the
frozen clock; the command only asks it once a minute (APScheduler) and enqueues.
"Not yet enqueued today" is asked of the day's delivery (``daily-rules:<day>``,
core.tasks), so a restarted scheduler, or a second one, does not enqueue the same
day twice, whatever the task backend.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from govhall.calendar import selectors as calendar_selectors
from govhall.cases.tasks import delivery_id_for, enqueue_daily_rules
from govhall.core import clock

# The last day this process enqueued for: spares asking the database once a minute
# for the rest of that day.
_last_enqueued: dict[str, dt.date] = {}


def daily_jobs_at() -> dt.time:
    """``GOVHALL_DAILY_JOBS_AT`` (HH:MM, the centre's time zone), default 06:30."""
    value = settings.GOVHALL_DAILY_JOBS_AT
    try:
        return dt.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"GOVHALL_DAILY_JOBS_AT={value!r}: 应为 HH:MM，例如 06:30")


def daily_jobs_due(
    *, now: dt.datetime, at: dt.time, is_workday: bool, enqueued_today: bool
) -> bool:
    """Is the daily task due at ``now`` (aware; judged in the centre's time zone)?
    On a working day, from ``at`` until midnight (a scheduler started late still
    enqueues that day), once."""
    local = timezone.localtime(now)
    return is_workday and not enqueued_today and local.time() >= at


def enqueued_on(day: dt.date) -> bool:
    """Has the daily task for ``day`` been enqueued (its delivery, core.tasks)?"""
    from govhall.core.models import TaskDelivery

    if _last_enqueued.get("day") == day:
        return True
    return TaskDelivery.objects.filter(delivery_id=delivery_id_for(day)).exists()


def tick() -> str | None:
    """Enqueue the daily task if it is due now; the day enqueued for, or ``None``."""
    now = clock.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        due = daily_jobs_due(
            now=now,
            at=daily_jobs_at(),
            is_workday=calendar_selectors.is_workday(day=day),
            enqueued_today=enqueued_on(day),
        )
        if not due:
            return None
        enqueue_daily_rules(day=day)
    _last_enqueued["day"] = day
    return day.isoformat()
