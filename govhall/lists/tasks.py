"""Background work of the lists (reliable tasks, ``core.tasks``; docs/tasks.md).

``publish_changed_lists`` — the morning publication for ``day`` (delivery
``lists:daily:<day>``), queued when the cases' daily rules are done
(``cases.signals.daily_rules_done``, ``receivers.py``): every list whose rows
changed since its last publication is published by ``SYSTEM`` (a change approved
yesterday is on the portal this morning even if nobody pressed 公布).
"""

from __future__ import annotations

import datetime as dt

from govhall.core import actors, clock, tasks

from . import services

DAILY_NOTE = "每日早间自动公布"


@tasks.reliable_task(max_attempts=5)
def publish_changed_lists(*, delivery_id: str, day: str) -> dict:
    made = services.publish(actor=actors.SYSTEM, note=DAILY_NOTE)
    return {"day": day, "published": [p.key for p in made]}


def daily_delivery_id(day: dt.date) -> str:
    return f"lists:daily:{day.isoformat()}"


def enqueue_daily(*, day: dt.date | None = None):
    """Queue the morning publication for ``day`` (today by the clock), once a day."""
    when = day or clock.today()
    return tasks.enqueue(
        publish_changed_lists, delivery_id=daily_delivery_id(when), day=when.isoformat()
    )
