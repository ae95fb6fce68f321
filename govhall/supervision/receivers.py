"""What 电子监察 hears from cases (connected in ``apps.ready``; cases never imports
this app):

* ``case_transitioned`` — every event of a case: the case is noted for the drain of
  this second (``drain.note`` + ``drain.kick``: one statement on the request path),
  which runs the rules and recounts the rollup off the request;
* ``daily_rules_done`` — the morning's daily rules ran: the daily warning run is
  queued for that day (delivery ``supervision:daily:<day>``, once a day).
"""

from __future__ import annotations

import logging

from django.dispatch import receiver

from govhall.cases.signals import case_transitioned, daily_rules_done

logger = logging.getLogger(__name__)


@receiver(case_transitioned, dispatch_uid="supervision.note_on_transition")
def note_on_transition(sender, case, action, event, **kwargs):
    from . import drain

    try:
        drain.note(case_id=case.pk)
    except Exception:  # the case has committed: never fail its request (the morning run)
        logger.exception("supervision: could not note case %s", case.pk)
        return
    drain.kick()


@receiver(daily_rules_done, dispatch_uid="supervision.daily_warnings")
def queue_daily_warnings(sender, day, **kwargs):
    from . import drain, tasks

    tasks.enqueue_daily_warnings(day=day)
    drain.kick_if_stranded()
