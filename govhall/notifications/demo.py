"""The demo's notifications (``demo.loaders.load_notifications``).

The demo cases were handled in the past (``core.clock.frozen``) and queued their
messages then; here they are sent, dated a few seconds after they were queued as if
the worker had run at the time, and one SMS meets a gateway that refuses it: it is
tried as often as a real failure would be and ends ``发送失败`` with its dead-letter
task on the 后台任务 page, where the centre administrator may retry it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.test.utils import override_settings

from govhall.core import tasks as core_tasks

from . import services
from .models import Channel, Notification, Status
from .tasks import MAX_ATTEMPTS, send_notifications

UNAVAILABLE = "govhall.notifications.sms.UnavailableBackend"
FILE_OUTBOX = "govhall.notifications.sms.FileBackend"


def deliver_demo_notifications() -> dict[str, int]:
    queued = Notification.objects.filter(status=Status.QUEUED)
    victim = queued.filter(channel=Channel.SMS).order_by("-created_at", "-id").first()
    if victim is None:
        return {"notifications": 0}
    victim.status = Status.RETRYING  # held back from the drains below
    victim.save(update_fields=["status"])
    before = set(Notification.objects.filter(status=Status.SENT).values_list("pk", flat=True))
    # Hundreds of demo SMS go to the file outbox (var/sms.log), not over the first
    # screen of ``make run``; the console backend serves the running site.
    with override_settings(GOVHALL_SMS_BACKEND=FILE_OUTBOX):
        done = services.send_all()
    Notification.objects.filter(status=Status.SENT).exclude(pk__in=before).update(
        sent_at=F("created_at") + dt.timedelta(seconds=3)
    )
    failed = _fail(victim)
    return {"notifications": done["sent"], "failed_notifications": failed}


def deliver_later_messages() -> dict[str, int]:
    """What the demo's later loaders queued (预警日报, 诉求, 好差评 messages) is sent
    too, dated as the others (3 s after it was queued): no worker runs during
    ``load_demo``, and a demo inbox should not hold messages still waiting."""
    before = set(Notification.objects.filter(status=Status.SENT).values_list("pk", flat=True))
    with override_settings(GOVHALL_SMS_BACKEND=FILE_OUTBOX):
        done = services.send_all()
    Notification.objects.filter(status=Status.SENT).exclude(pk__in=before).update(
        sent_at=F("created_at") + dt.timedelta(seconds=3)
    )
    return {"later_notifications": done["sent"]}


def _fail(victim: Notification) -> int:
    """The gateway refuses ``victim``: the drain's try and every try of its own task."""
    delivery_id = f"notifications:{victim.pk}"
    with override_settings(GOVHALL_SMS_BACKEND=UNAVAILABLE):
        Notification.objects.filter(pk=victim.pk).update(
            attempts=1, last_error="短信 网关不可用：ConnectionError: 短信网关不可用（演示）"
        )
        core_tasks.enqueue(send_notifications, delivery_id=delivery_id, ids=[victim.pk])
        spec = core_tasks.spec_of(send_notifications)
        for _ in range(MAX_ATTEMPTS):  # the database backend queued it: try it here
            core_tasks.attempt(spec, delivery_id, retry_task=None)
    victim.refresh_from_db()
    return int(victim.status == Status.FAILED)
