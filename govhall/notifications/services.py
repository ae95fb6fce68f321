"""The notifier (通知服务): queue messages with a change, send them after it commits.

* :func:`notify` — called inside the transaction of the change that causes the
  messages: one bulk ``INSERT`` of the :class:`~.models.Notification` rows of the
  change (a *group*) and one reliable task for the group (``core.tasks.enqueue``,
  delivery id ``notifications:<group>``). Rolled back with the change; never sends
  anything itself.
* :func:`deliver` — the task's body: renders each queued notification of the group
  from its template and sends it through its channel's backend (SMS:
  ``govhall.notifications.sms``; email: Django's mail, ``EMAIL_BACKEND``; inbox:
  delivered by being stored). A failure raises (the task is retried with back-off,
  then dead-lettered) and is recorded on the notifications by :func:`note_failure`;
  the change that caused it was committed long before and is not touched.
* :func:`mark_read` — the staff inbox.

Sending is idempotent: only notifications still ``queued`` are sent, inside the
task's transaction with its "done" mark, and a ``dedupe_key`` is never inserted twice.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.template import Engine

from govhall.core import clock
from govhall.core import tasks as core_tasks
from govhall.core.context_processors import FALLBACK_CENTRE_NAME
from govhall.core.validators import mask_phone

from .models import Channel, Notification, Status

logger = logging.getLogger(__name__)

ERROR_MAX = 2000


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to: a staff user (``user_id``), or a person without an
    account named with the phone / email address it is sent to."""

    name: str
    user_id: int | None = None
    phone: str = ""
    email: str = ""

    @property
    def key(self) -> str:
        """Tells recipients apart in a ``dedupe_key`` without writing the phone there."""
        if self.user_id:
            return f"u{self.user_id}"
        return "p" + hashlib.sha256((self.phone or self.email).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Message:
    """One message to queue: ``template`` names ``notifications/<template>.txt`` (first
    line the subject, the rest the body), rendered with ``context`` (JSON values) when
    sent; ``url`` is where the staff inbox links to; ``ref`` overrides the ``ref`` of
    :func:`notify` (a group about several objects). ``key`` is the message's
    ``dedupe_key`` when a message must be unique beyond its group (a light told once
    per case and due date); by default the group, template, channel and recipient."""

    channel: str
    template: str
    to: Recipient
    context: dict = field(default_factory=dict)
    url: str = ""
    key: str = ""
    ref: str = ""

    def dedupe_key(self, group: str) -> str:
        return (self.key or f"{group}:{self.template}:{self.channel}:{self.to.key}")[:200]


def notify(
    *, messages: Iterable[Message], group: str, ref: str = "", centre_id: int | None = None
) -> int:
    """Queue ``messages`` about ``ref`` ("<app>.<model>:<pk>") as one group, in the
    caller's transaction, and the task that sends them after commit. A message whose
    ``dedupe_key`` exists is not created again. Returns the number of messages given."""
    now = clock.now()
    rows = [
        Notification(
            channel=m.channel,
            recipient_user_id=m.to.user_id,
            recipient_name=m.to.name[:100],
            recipient_phone=m.to.phone if m.channel == Channel.SMS else "",
            recipient_email=m.to.email if m.channel == Channel.EMAIL else "",
            centre_id=centre_id,
            template=m.template,
            context=m.context,
            url=m.url,
            ref=m.ref or ref,
            group=group,
            dedupe_key=m.dedupe_key(group),
            created_at=now,
        )
        for m in messages
    ]
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    enqueue_group(group)
    return len(rows)


def enqueue_group(group: str) -> None:
    """The task that sends ``group``, in the caller's transaction. A backend that runs
    tasks at once (``immediate``: tests, demo) would send before the change commits,
    so there the task is enqueued when it commits (nothing is sent for a rollback)."""
    from .tasks import send_notifications

    def send():
        core_tasks.enqueue(send_notifications, delivery_id=f"notifications:{group}", group=group)

    if send_notifications.get_backend().supports_defer:
        send()
    else:
        transaction.on_commit(send)


# --------------------------------------------------------------------------- rendering


@functools.cache
def _engine() -> Engine:
    """Plain-text templates: no HTML escaping; cached loaders (``debug`` off)."""
    return Engine(app_dirs=True, autoescape=False, debug=False)


def _site_name() -> str:
    from govhall.org.site import county_centre_name

    return county_centre_name() or FALLBACK_CENTRE_NAME


def render(notification: Notification, *, site_name: str | None = None) -> tuple[str, str]:
    """``(subject, body)`` of ``notification``: its template with its context, the
    sending centre's name (``centre``) and the recipient's (``recipient``)."""
    centre = notification.centre.name if notification.centre_id else site_name or _site_name()
    template = _engine().get_template(f"notifications/{notification.template}.txt")
    text = template.render(
        _context(
            {**notification.context, "centre": centre, "recipient": notification.recipient_name}
        )
    )
    subject, _, body = text.strip().partition("\n")
    return subject.strip()[:200], body.strip()


def _context(values):
    from django.template import Context

    return Context(values, autoescape=False)


# --------------------------------------------------------------------------- sending


class SendFailed(Exception):
    """Some notifications of a group could not be sent (their errors, phones masked)."""


def _send_one(n: Notification, *, sms_backend, mail_connection) -> None:
    if n.channel == Channel.SMS:
        from .sms import SmsMessage

        sms_backend.send_messages([SmsMessage(phone=n.recipient_phone, text=n.body, ref=n.ref)])
    elif n.channel == Channel.EMAIL:
        mail.EmailMessage(
            n.subject,
            n.body,
            settings.DEFAULT_FROM_EMAIL,
            [n.recipient_email],
            connection=mail_connection,
        ).send()
    # INBOX: stored is delivered; the bell shows it.


def deliver(*, group: str, ids: list[int] | None = None, sms_backend=None) -> dict:
    """Send the queued notifications of ``group`` (only ``ids`` when given). Runs in
    the task's transaction. When every one fails the error is raised (the task is
    retried); when only some fail, the others are marked sent and each failed one
    gets a task of its own (delivery id ``notifications:<group>:<pk>``), so that a
    retry never sends a message twice."""
    from . import sms

    # FAILED too: a dead delivery retried by the centre administrator sends again
    # what it could not send (a notification once sent is never sent again).
    queued = Notification.objects.filter(
        group=group, status__in=(Status.QUEUED, Status.FAILED)
    ).select_related("centre")
    if ids:
        queued = queued.filter(pk__in=ids)
    pending = list(queued.order_by("pk"))
    if not pending:
        return {"group": group, "sent": 0}
    sms_backend = sms_backend or sms.get_backend()
    mail_connection = (
        mail.get_connection() if any(n.channel == Channel.EMAIL for n in pending) else None
    )
    site_name = None if all(n.centre_id for n in pending) else _site_name()
    sent, failed = [], []
    now = clock.now()
    for n in pending:
        try:
            n.subject, n.body = render(n, site_name=site_name)
            _send_one(n, sms_backend=sms_backend, mail_connection=mail_connection)
        except Exception as exc:  # a backend raises what its gateway raises
            failed.append((n, exc))
        else:
            n.status, n.sent_at, n.attempts = Status.SENT, now, n.attempts + 1
            sent.append(n)
    if failed and not sent:
        raise SendFailed("；".join(_error(n, exc) for n, exc in failed))
    fields = ["status", "sent_at", "attempts", "subject", "body"]
    if len(sent) == 1:
        sent[0].save(update_fields=fields)
    else:
        Notification.objects.bulk_update(sent, fields, batch_size=500)
    if failed:
        from .tasks import send_notifications

        for n, exc in failed:
            Notification.objects.filter(pk=n.pk).update(
                attempts=F("attempts") + 1, last_error=_error(n, exc)[:ERROR_MAX]
            )
            core_tasks.enqueue(
                send_notifications,
                delivery_id=f"notifications:{group}:{n.pk}"[:200],
                group=group,
                ids=[n.pk],
            )
    return {"group": group, "sent": len(sent), "failed": len(failed)}


def _error(n: Notification, exc: Exception) -> str:
    """The error as recorded: who (phone masked) and what the backend said."""
    who = mask_phone(n.recipient_phone) if n.channel == Channel.SMS else n.recipient_name
    text = (
        str(exc).replace(n.recipient_phone, mask_phone(n.recipient_phone))
        if n.recipient_phone
        else str(exc)
    )
    return f"{n.get_channel_display()} {who}：{type(exc).__name__}: {text}"


def note_failure(*, delivery_id: str, kwargs: dict, error: str, final: bool) -> None:
    """``on_failure`` of the send task: the attempt is counted on each notification it
    tried; after the last one they are ``failed`` (the delivery is a dead letter the
    centre administrator may retry)."""
    rows = Notification.objects.filter(
        group=kwargs["group"], status__in=(Status.QUEUED, Status.FAILED)
    )
    if kwargs.get("ids"):
        rows = rows.filter(pk__in=kwargs["ids"])
    changes = {"attempts": F("attempts") + 1, "last_error": error[:ERROR_MAX]}
    if final:
        changes["status"] = Status.FAILED
    rows.update(**changes)


# --------------------------------------------------------------------------- inbox


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s inbox messages read (all unread ones when ``ids`` is None);
    another user's messages are never touched. Returns how many changed. (Not
    audited: reading is the user's own state, recorded as ``read_at`` on the row.)"""
    rows = Notification.objects.filter(
        recipient_user=user, channel=Channel.INBOX, read_at__isnull=True
    )
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=clock.now())
