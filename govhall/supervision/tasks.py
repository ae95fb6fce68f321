"""Background tasks of 电子监察 (reliable tasks, ``core.tasks``; docs/tasks.md).

* ``drain_changed_cases`` — the cases changed in the last second (delivery
  ``supervision:drain:<second>``, queued by ``drain.kick``);
* ``run_daily_warnings`` — the morning run over every watched case (delivery
  ``supervision:daily:<day>``), queued when the cases' daily rules are done
  (``cases.signals.daily_rules_done``), so ``run_scheduler`` + ``run_worker`` and
  cron's ``run_daily_jobs`` both bring it; it ends by escalating the overdue 督办
  orders (``services.escalate_overdue``) and reminding the departments of the replies
  due today or on the next working day (``services.remind_due_orders``).
"""

from __future__ import annotations

import datetime as dt

from govhall.core import clock, tasks

from . import services


@tasks.reliable_task(max_attempts=5)
def drain_changed_cases(*, delivery_id: str) -> dict:
    """The cases changed in the last second: rules, rollup, notices (``drain.drain``)."""
    from . import drain

    return drain.drain()


@tasks.reliable_task(max_attempts=5)
def run_daily_warnings(*, delivery_id: str, day: str) -> dict:
    """The daily warning run as of ``day`` (ISO date: the day it was queued for), then
    the 督办 orders past their reply deadline are escalated (``escalate_overdue``)."""
    when = dt.date.fromisoformat(day)
    out = {"day": day, **services.daily_run(today=when)}
    out["orders_escalated"] = services.escalate_overdue(today=when)
    out["orders_reminded"] = services.remind_due_orders(today=when)
    return out


def daily_delivery_id(day: dt.date) -> str:
    return f"supervision:daily:{day.isoformat()}"


def enqueue_daily_warnings(*, day: dt.date | None = None):
    """Queue the daily warning run for ``day`` (today by the clock), once a day."""
    when = day or clock.today()
    return tasks.enqueue(
        run_daily_warnings, delivery_id=daily_delivery_id(when), day=when.isoformat()
    )
