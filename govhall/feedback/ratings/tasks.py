"""Background work of 好差评 (reliable tasks, ``core.tasks``; docs/tasks.md).

* ``send_rating_invitation`` — the SMS with the signed rating link after a case's 办结
  (delivery ``ratings:invite:<case id>``, once a case), queued by ``receivers``; and
  again for the next round after a 差评 is rectified (delivery
  ``ratings:invite:<case id>:r<round>``, once a case and round);
* ``run_daily_reminders`` — the 回访整改 due today or on the next working day
  (delivery ``ratings:daily:<day>``), queued when the cases' daily rules are done
  (``cases.signals.daily_rules_done``).
"""

from __future__ import annotations

import datetime as dt

from govhall.core import clock, tasks

from . import services


@tasks.reliable_task(max_attempts=5)
def send_rating_invitation(*, delivery_id: str, case_id: int, round: int = 1) -> dict:
    """Queue the rating SMS of ``case_id`` through the notifier (for the case's
    current round: ``services.send_invitation`` reads it; ``round`` names the
    delivery's)."""
    return {"queued": services.send_invitation(case_id=case_id), "round": round}


@tasks.reliable_task(max_attempts=5)
def run_daily_reminders(*, delivery_id: str, day: str) -> dict:
    return {"day": day, "reminded": services.remind_due(today=dt.date.fromisoformat(day))}


def enqueue_invitation(*, case_id: int, round: int = 1):
    """The rating SMS of ``case_id``: after 办结 (round 1, one delivery a case), or
    for the new round after a rectified 差评 (one delivery a case and round)."""
    if round <= 1:
        return tasks.enqueue(
            send_rating_invitation, delivery_id=f"ratings:invite:{case_id}", case_id=case_id
        )
    return tasks.enqueue(
        send_rating_invitation,
        delivery_id=f"ratings:invite:{case_id}:r{round}",
        case_id=case_id,
        round=round,
    )


def enqueue_daily(*, day: dt.date | None = None):
    when = day or clock.today()
    return tasks.enqueue(
        run_daily_reminders, delivery_id=f"ratings:daily:{when.isoformat()}", day=when.isoformat()
    )
