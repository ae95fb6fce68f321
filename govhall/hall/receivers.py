"""The hall listens to ``cases.signals.daily_rules_done``: each working-day morning it
closes the queue and the appointments the previous days left open (delivery
``hall:close:<day>``, once a day)."""

from __future__ import annotations

from django.dispatch import receiver

from govhall.cases.signals import daily_rules_done


@receiver(daily_rules_done, dispatch_uid="hall.close_day")
def queue_close_day(sender, day, **kwargs):
    from . import tasks

    tasks.enqueue_close_day(day=day)
