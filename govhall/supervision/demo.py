"""Demo warnings (issue 11 §1): the daily warning run over the demo cases, as of
today, their inbox messages delivered; the counts are returned for the load_demo
summary."""

from __future__ import annotations

from govhall.core import clock

from . import services
from .models import Kind, Warning


def load_demo_warnings() -> dict[str, int]:
    from django.test import override_settings

    from govhall.notifications import services as notifier

    services.daily_run(today=clock.today())
    # The inbox messages of the new warnings are delivered at once, as the demo's
    # other messages (no worker runs during load_demo).
    with override_settings(GOVHALL_SMS_BACKEND="govhall.notifications.sms.FileBackend"):
        notifier.send_all()
    open_rows = Warning.objects.filter(cleared_at__isnull=True)
    kinds = set(open_rows.values_list("kind", flat=True))
    return {"warnings": open_rows.count(), "warning_kinds": len(kinds & set(Kind.values))}
