"""What the lists hear from cases (connected in ``apps.ready``; cases never imports
this app): ``daily_rules_done`` — the morning's daily rules ran, so the morning
publication of every list that changed is queued for that day, once (delivery
``lists:daily:<day>``)."""

from __future__ import annotations

from django.dispatch import receiver

from govhall.cases.signals import daily_rules_done


@receiver(daily_rules_done, dispatch_uid="lists.daily_publish")
def queue_daily(sender, day, **kwargs):
    from . import tasks

    tasks.enqueue_daily(day=day)
