"""What 人员管理 hears from cases (connected in ``apps.ready``; nothing imports this
app): ``daily_rules_done`` — the morning run is queued for that day (delivery
``staff:daily:<day>``, once a day): future assignments take effect on
``org.Staff.window`` and returns not replaced in time are marked late and told to
the department's 首席代表 (``services.run_daily``)."""

from __future__ import annotations

from django.dispatch import receiver

from govhall.cases.signals import daily_rules_done


@receiver(daily_rules_done, dispatch_uid="staff.daily")
def queue_daily(sender, day, **kwargs):
    from . import tasks

    tasks.enqueue_daily(day=day)
