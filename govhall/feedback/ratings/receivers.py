"""What 好差评 hears from cases (connected in ``apps.ready``; cases never imports
this app):

* ``case_transitioned`` with ``complete`` / ``complete_bundle`` (办结, names of
  ``cases.workflow``): the rating SMS is queued (``tasks.enqueue_invitation``, one
  delivery a case). A 一件事 child completed by its parent's cascade sends nothing:
  the parent's link rates the 一件事.
* ``daily_rules_done`` — the morning's reminders of 回访整改 due (``tasks.enqueue_daily``).

And one reaction of this app's own: :func:`invite_next_round`, run on commit when a
差评 is rectified (``services.advance``'s 立行立改 step): the SMS link of the new
round is queued (one delivery a case and round).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver

from govhall.cases.signals import case_transitioned, daily_rules_done

logger = logging.getLogger(__name__)

COMPLETING_ACTIONS = {"complete", "complete_bundle"}


@receiver(case_transitioned, dispatch_uid="ratings.invite_on_completion")
def invite_on_completion(sender, case, action, event=None, **kwargs):
    if action not in COMPLETING_ACTIONS or case.parent_id is not None:
        return
    from . import tasks

    try:
        with transaction.atomic():
            tasks.enqueue_invitation(case_id=case.pk)
    except Exception:  # the case has committed: never fail its request
        logger.exception("ratings: could not queue the rating SMS of case %s", case.pk)


@receiver(daily_rules_done, dispatch_uid="ratings.daily_reminders")
def queue_daily_reminders(sender, day, **kwargs):
    from . import tasks

    tasks.enqueue_daily(day=day)


def invite_next_round(*, case_id: int, round: int) -> None:
    """After commit of a rectified 差评: queue the rating SMS of ``round`` (the task
    sends it; nothing is sent in the request). Never fails the caller."""
    from . import tasks

    try:
        with transaction.atomic():
            tasks.enqueue_invitation(case_id=case_id, round=round)
    except Exception:  # the rectification has committed
        logger.exception("ratings: could not queue the round-%s SMS of case %s", round, case_id)
