"""Reactions of the cases app to other apps' signals (connected in ``apps.ready``)."""

from django.dispatch import receiver

from govhall.calendar.signals import schedule_changed


@receiver(schedule_changed, dispatch_uid="cases.recompute_provisional_deadlines")
def recompute_on_schedule_change(sender, years=(), **kwargs):
    """A year's schedule was entered: provisional deadlines in it are recomputed."""
    from . import services

    services.recompute_provisional_deadlines(years=list(years))
