"""What 好差评 hears from cases (connected in ``apps.ready``; cases never imports
this app):

* ``case_transitioned`` with ``complete`` / ``complete_bundle`` (办结, names of
  ``cases.workflow``): the rating SMS is queued (``tasks.enqueue_invitation``, one
  delivery a case). A 一件事 child completed by its parent's cascade sends nothing:
  the parent's link rates the 一件事.
* ``daily_rules_done`` — the morning's reminders of 回访整改 due (``tasks.enqueue_daily``).
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
