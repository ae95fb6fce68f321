"""What 有诉即办 hears from cases (connected in ``apps.ready``; cases never imports
this app): ``daily_rules_done`` — the morning's daily rules ran, so the complaints'
morning run (督办 and reminders) is queued for that day, once (delivery
``complaints:daily:<day>``)."""

from __future__ import annotations

from django.dispatch import receiver

from govhall.cases.signals import daily_rules_done


@receiver(daily_rules_done, dispatch_uid="complaints.daily")
def queue_daily(sender, day, **kwargs):
    from . import tasks

    tasks.enqueue_daily(day=day)
