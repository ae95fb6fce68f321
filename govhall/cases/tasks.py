"""Background tasks of cases (Django's task API, django-tasks backport; docs/tasks.md).

``daily_rules`` is the one definition of the daily rules, called directly by
``manage.py run_daily_jobs`` (cron) and by the task ``run_daily_rules``, which
``manage.py run_scheduler`` enqueues every working-day morning and ``manage.py
run_worker`` runs. Both services select only cases not yet handled, so a second run
for the same day changes nothing (idempotent).
"""

from __future__ import annotations

import datetime as dt

from govhall.cases import messages, services, signals
from govhall.core import clock, tasks


def daily_rules(*, day: dt.date) -> dict[str, list[str]]:
    """Apply 行政许可法 §32 deemed acceptance and 容缺 expiry as of ``day``, then tell
    staff of the cases turning yellow or red (红黄灯提醒, told once per case and
    light: ``messages.announce_lights``); the 受理编号 each rule changed or told of.
    Then ``signals.daily_rules_done`` lets the apps above queue their morning jobs."""
    result = {
        "deemed": services.apply_deemed_acceptance(today=day),
        "ended": services.expire_tolerance_catchups(today=day),
        "lights": messages.announce_lights(today=day),
    }
    signals.daily_rules_done.send(sender=None, day=day, result=result)
    return result


@tasks.reliable_task(max_attempts=5)
def run_daily_rules(*, delivery_id: str, day: str) -> dict:
    """The daily rules as a reliable task (core.tasks: one delivery per day, retried
    with back-off, a dead letter if it keeps failing). ``day`` (ISO date) is the day
    the rules are judged as of: the scheduler passes the day it enqueued for, so a
    worker that runs the task late still judges that day. The return value (JSON)
    names the cases changed."""
    when = dt.date.fromisoformat(day)
    return {"day": when.isoformat(), **daily_rules(day=when)}


def delivery_id_for(day: dt.date) -> str:
    return f"daily-rules:{day.isoformat()}"


def enqueue_daily_rules(*, day: dt.date | None = None):
    """Enqueue the daily rules for ``day`` (today by the clock), once per day: a
    second call for the same day is a no-op (the delivery id)."""
    when = day or clock.today()
    return tasks.enqueue(run_daily_rules, delivery_id=delivery_id_for(when), day=when.isoformat())
