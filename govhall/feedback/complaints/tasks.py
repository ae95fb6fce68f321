"""Background work of 有诉即办 / 12345 (reliable tasks, ``core.tasks``; docs/tasks.md).

``run_daily_complaints`` — the morning run for ``day`` (delivery
``complaints:daily:<day>``), queued when the cases' daily rules are done
(``cases.signals.daily_rules_done``, ``receivers.py``), so ``run_scheduler`` +
``run_worker`` and cron's ``run_daily_jobs`` both bring it: 督办 of the answers past
their deadline (``services.supervise_overdue``) and the reminder of those due on the
next working day (``services.remind_due``), and the 回访 due by the next working day
(``services.remind_visits``).
"""

from __future__ import annotations

import datetime as dt

from govhall.core import clock, tasks

from . import services


@tasks.reliable_task(max_attempts=5)
def run_daily_complaints(*, delivery_id: str, day: str) -> dict:
    when = dt.date.fromisoformat(day)
    return {
        "day": day,
        "supervised": services.supervise_overdue(today=when),
        "reminded": services.remind_due(today=when),
        "visits_due": services.remind_visits(today=when),
    }


def daily_delivery_id(day: dt.date) -> str:
    return f"complaints:daily:{day.isoformat()}"


def enqueue_daily(*, day: dt.date | None = None):
    """Queue the morning run for ``day`` (today by the clock), once a day."""
    when = day or clock.today()
    return tasks.enqueue(
        run_daily_complaints, delivery_id=daily_delivery_id(when), day=when.isoformat()
    )
