"""The changed cases, looked at once a second off the request path.

A case's request must not pay for 电子监察: the ``case_transitioned`` receiver only
notes the case (one ``INSERT … ON CONFLICT DO NOTHING`` into ``PendingCase``) and
makes sure a drain is queued for the current second (:func:`kick`, once per process
and second, as the notifier does). The drain — a reliable task, delivery
``supervision:drain:<second>`` — takes a batch of noted cases (``SKIP LOCKED``, so
two workers never take the same), runs the rules on them
(``services.evaluate_cases``), recounts their days in the rollup
(``rollups.recount_cases``), tells the people concerned of the new warnings and
deletes the notes, all in its transaction: a failure leaves the notes for the retry.

Six events of one case in a second are one evaluation. A note lost between a case's
commit and its receiver (the process died there) is caught by the morning run
(warnings) and by ``rebuild_supervision_rollups`` (counts); ``kick_if_stranded``
re-queues a drain for notes left waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid

from django.db import transaction

from govhall.core import clock
from govhall.core import tasks as core_tasks

from .models import PendingCase

logger = logging.getLogger(__name__)

BATCH = 500
DELAY = dt.timedelta(milliseconds=500)  # after the end of the second kicked

_kicked = threading.local()


def note(*, case_id: int) -> None:
    """Note that ``case_id`` changed (idempotent: a case already noted stays noted)."""
    PendingCase.objects.bulk_create(
        [PendingCase(case_id=case_id, queued_at=clock.now())], ignore_conflicts=True
    )


def forget_kicks() -> None:
    """Forget the drain this process queued this second (tests: their database is
    emptied between them, the drain with it)."""
    _kicked.second = None


def kick(*, force: bool = False) -> None:
    """Make sure a drain is queued for what was noted up to now: the drain of the
    current second (run just after that second ends), queued once per process and
    second unless ``force``. A backend that runs tasks at once (tests, the demo)
    drains at once. The second is real time, not ``core.clock`` (a frozen clock must
    not merge the drains of different seconds)."""
    from .tasks import drain_changed_cases

    core_tasks.enqueue_once_a_second(
        drain_changed_cases, prefix="supervision:drain", memo=_kicked, delay=DELAY, force=force
    )


def kick_if_stranded(*, older_than: dt.timedelta = dt.timedelta(minutes=1)) -> bool:
    """Queue a drain if notes older than ``older_than`` wait (their kick was lost)."""
    stale = PendingCase.objects.filter(queued_at__lt=clock.now() - older_than).exists()
    if stale:
        kick(force=True)
    return stale


def drain(*, batch: int = BATCH, follow: bool = True) -> dict:
    """Look at up to ``batch`` noted cases (the drain task's body, in its transaction):
    the rules, the rollup, the notices; then the notes go. While more notes wait, the
    next drain is queued with this one's commit unless ``follow`` is false."""
    from . import rollups, services
    from .tasks import drain_changed_cases

    notes = list(
        PendingCase.objects.select_for_update(skip_locked=True).order_by("queued_at", "id")[:batch]
    )
    if not notes:
        return {"cases": 0, "raised": 0, "cleared": 0}
    case_ids = [n.case_id for n in notes]
    out = services.evaluate_cases(case_ids=case_ids, today=clock.today())
    rollups.recount_cases(case_ids=case_ids)
    services.tell(warnings=out.raised)
    PendingCase.objects.filter(pk__in=[n.pk for n in notes]).delete()
    if follow and len(notes) == batch:
        core_tasks.enqueue(drain_changed_cases, delivery_id=f"supervision:drain:{uuid.uuid4().hex}")
    return {"cases": len(case_ids), "raised": len(out.raised), "cleared": len(out.cleared)}


def drain_all() -> dict:
    """Everything noted now, batch after batch, without a worker (the demo, commands)."""
    total = {"cases": 0, "raised": 0, "cleared": 0}
    while True:
        with transaction.atomic():
            done = drain(follow=False)
        total = {k: total[k] + done[k] for k in total}
        if done["cases"] == 0:
            return total
