"""What 审管联动 hears from cases (connected in ``apps.ready``; cases never imports
this app):

* ``case_event_recorded`` — inside the transaction of every case event: a 制证 enters
  the licence and pushes the decision, a 不予许可 / 退件 decision pushes at once
  (``services.on_case_event``). An error here refuses the change (a certificate
  number already in the registry, for one): nothing is half done;
* ``daily_rules_done`` — the morning run is queued for that day (delivery
  ``licences:daily:<day>``, once a day).
"""

from __future__ import annotations

from django.dispatch import receiver

from govhall.cases.signals import case_event_recorded, daily_rules_done

_ACTIONS = frozenset({"decide", "certify"})


@receiver(case_event_recorded, dispatch_uid="licences.push_on_decision")
def push_on_decision(sender, case, event, **kwargs):
    if event.action not in _ACTIONS:
        return
    from . import services

    services.on_case_event(case=case, event=event)


@receiver(daily_rules_done, dispatch_uid="licences.daily")
def queue_daily(sender, day, **kwargs):
    from . import tasks

    tasks.enqueue_daily(day=day)
