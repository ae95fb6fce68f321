"""What 电子监察 hears from cases (connected in ``apps.ready``; cases never imports
this app):

* ``case_transitioned`` — every event of a case: when the rules would raise or
  clear a warning on that case (``services.needs_evaluation``, reads only), a
  reliable task evaluates it (delivery ``supervision:case:<pk>:v<version>``, once
  per version); the events that change no warning queue nothing;
* ``daily_rules_done`` — the morning's daily rules ran: the daily warning run is
  queued for that day (delivery ``supervision:daily:<day>``, once a day).
"""

from __future__ import annotations

import logging

from django.dispatch import receiver

from govhall.cases.signals import case_transitioned, daily_rules_done

logger = logging.getLogger(__name__)


@receiver(case_transitioned, dispatch_uid="supervision.evaluate_on_transition")
def evaluate_on_transition(sender, case, action, event, **kwargs):
    from govhall.core import tasks as core_tasks

    from . import services, tasks

    if case.bundle_id is not None and case.parent_id is None:
        return  # a 一件事 parent: its children carry the warnings
    try:
        needed = services.needs_evaluation(case=case)
    except Exception:  # the case has committed: never fail its request; the task decides
        logger.exception("supervision: could not pre-check case %s", case.pk)
        needed = True
    if not needed:
        return
    core_tasks.enqueue(
        tasks.evaluate_case_task,
        delivery_id=f"supervision:case:{case.pk}:v{case.version}",
        case_id=case.pk,
    )


@receiver(daily_rules_done, dispatch_uid="supervision.daily_warnings")
def queue_daily_warnings(sender, day, **kwargs):
    from . import tasks

    tasks.enqueue_daily_warnings(day=day)
