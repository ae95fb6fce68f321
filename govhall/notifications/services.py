"""The notifier (通知服务): queue messages with a change, send them after it commits.

The :class:`~.models.Notification` rows are the outbox (发件箱):

* :func:`notify` — called inside the transaction of the change that causes the
  messages: **one bulk INSERT** of the rows of the change (a *group*). Rolled back
  with the change; it never sends anything itself. When the change commits,
  :func:`kick` makes sure a drain task is queued.
* :func:`kick` — queues the reliable task ``tasks.drain_notifications`` (``core.tasks``:
  delivery id, retries with back-off, dead letters) under the delivery id
  ``notifications:drain:<second>``, deferred to the end of that second (+
  ``DRAIN_DELAY``): every notification committed during a second is picked up by that
  second's drain, and a process queues at most one drain a second (it remembers the
  last one), however many messages it commits.
* :func:`drain` — the drain task's body: takes up to ``DRAIN_BATCH`` queued
  notifications (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers take
  disjoint batches), renders each from its template and sends it through its
  channel's backend (SMS: ``govhall.notifications.sms``; email: Django's mail,
  ``EMAIL_BACKEND``; inbox: delivered by being stored), marks them sent, and queues
  the next drains while the outbox is not empty.
* A notification whose send fails is not tried again by the drains: it is handed to
  a reliable task of its own (``tasks.send_notifications``, delivery id
  ``notifications:<pk>``), retried with back-off and, after ``MAX_ATTEMPTS``, a dead
  letter the centre administrator sees and may retry. :func:`note_failure` records
  each failed attempt on the notification. The change that caused it committed long
  before and is never touched.
* :func:`mark_read` — the staff inbox.

A notification is sent once: only rows still queued are taken, and they are marked
sent in the same transaction as the drain's "done" mark; a ``dedupe_key`` is never
inserted twice.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import math
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.template import Context, Engine

from govhall.core import clock
from govhall.core import tasks as core_tasks
from govhall.core.context_processors import FALLBACK_CENTRE_NAME
from govhall.core.validators import mask_phone

from .models import Channel, Notification, Status

logger = logging.getLogger(__name__)

ERROR_MAX = 2000
DRAIN_BATCH = 200  # notifications per drain transaction
DRAIN_DELAY = dt.timedelta(milliseconds=500)  # after the end of the second kicked
DRAIN_PARALLEL = 2  # drains queued at once while the outbox holds more than a batch


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
    caller's transaction (one INSERT per ``INSERT_ROWS``); they are sent after commit (:func:`kick`). A
    message whose ``dedupe_key`` exists is not created again. Returns the number of
    messages given."""
    now = clock.now()
    rows = [
        (
            m.channel,
            m.to.user_id,
            m.to.name[:100],
            m.to.phone if m.channel == Channel.SMS else "",
            m.to.email if m.channel == Channel.EMAIL else "",
            centre_id,
            m.template,
            m.context,
            m.url,
            m.ref or ref,
            group,
            m.dedupe_key(group),
            now,
        )
        for m in messages
    ]
    if not rows:
        return 0
    for i in range(0, len(rows), INSERT_ROWS):
        _insert(rows[i : i + INSERT_ROWS])
    transaction.on_commit(kick)
    return len(rows)


# Rows per INSERT: 18 parameters a row stays under PostgreSQL's 65,535 and SQLite's
# 32,766 bound parameters (a morning run may tell of tens of thousands of warnings).
INSERT_ROWS = 1000

_COLUMNS = (
    "channel",
    "recipient_user_id",
    "recipient_name",
    "recipient_phone",
    "recipient_email",
    "centre_id",
    "template",
    "context",
    "url",
    "ref",
    "group",
    "dedupe_key",
    "created_at",
)
_DEFAULTS = {"subject": "", "body": "", "status": Status.QUEUED, "attempts": 0, "last_error": ""}


def _insert(rows: list[tuple]) -> None:
    """One ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING`` of ``rows`` (``_COLUMNS``
    order). Written as SQL because it runs inside every case event: the ORM's
    ``bulk_create`` spent about as long building the statement as the database took
    to run it (docs/notifications.md, figures)."""
    from django.db import connection

    ops = connection.ops
    params: list = []
    defaults = list(_DEFAULTS.values())
    for row in rows:
        values = list(row)
        values[7] = ops.adapt_json_value(values[7], None)
        values[12] = ops.adapt_datetimefield_value(values[12])
        params.extend(values)
        params.extend(defaults)
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor, len(rows)), params)


@functools.cache
def _insert_sql(vendor: str, count: int) -> str:
    from django.db import connection

    quote = connection.ops.quote_name
    names = [*_COLUMNS, *_DEFAULTS]
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    return (
        f"INSERT INTO {quote(Notification._meta.db_table)} "
        f"({', '.join(quote(c) for c in names)}) VALUES {', '.join([one] * count)} "
        f"ON CONFLICT ({quote('dedupe_key')}) DO NOTHING"
    )


_kicked = threading.local()


def forget_kicks() -> None:
    """Forget the drain this process queued this second (tests: their database is
    emptied between them, the drain with it)."""
    _kicked.second = None


def kick(*, force: bool = False) -> None:
    """Make sure a drain is queued for what was committed up to now: the drain of the
    current second (delivery id ``notifications:drain:<second>``, run after that second
    ends), queued once per process and second unless ``force``. A backend that runs
    tasks at once (``immediate``: tests, the demo) drains at once.

    The second is the worker's real time (``time.time()``), not ``core.clock``: the
    worker compares ``run_after`` with its own clock, and a frozen clock (tests, the
    demo) must not hold a drain back or merge the drains of different seconds."""
    from .tasks import drain_notifications

    core_tasks.enqueue_once_a_second(
        drain_notifications,
        prefix="notifications:drain",
        memo=_kicked,
        delay=DRAIN_DELAY,
        force=force,
    )


def kick_if_stranded(*, older_than: dt.timedelta = dt.timedelta(minutes=1)) -> bool:
    """The safety net for a kick lost between a commit and its ``on_commit`` (the
    process died there): if queued notifications older than ``older_than`` wait, queue
    a drain now. Called by the daily rules; any later notification's kick sends them
    as well."""
    stale = Notification.objects.filter(
        status=Status.QUEUED, created_at__lt=clock.now() - older_than
    ).exists()
    if stale:
        kick(force=True)
    return stale


# --------------------------------------------------------------------------- rendering


@functools.cache
def _engine() -> Engine:
    """Plain-text templates: no HTML escaping; cached loaders (``debug`` off)."""
    return Engine(app_dirs=True, autoescape=False, debug=False)


def _site_name() -> str:
    from govhall.org.site import county_centre_name

    return county_centre_name() or FALLBACK_CENTRE_NAME


def _centre_names(rows) -> dict[int | None, str]:
    from govhall.org.models import Centre

    ids = {n.centre_id for n in rows if n.centre_id}
    names: dict[int | None, str] = dict(Centre.objects.filter(pk__in=ids).values_list("pk", "name"))
    if any(not n.centre_id for n in rows):
        names[None] = _site_name()
    return names


def render(notification: Notification, *, centre: str) -> tuple[str, str]:
    """``(subject, body)`` of ``notification``: its template with its context, the
    sending centre's name (``centre``) and the recipient's (``recipient``)."""
    template = _engine().get_template(f"notifications/{notification.template}.txt")
    values = {**notification.context, "centre": centre, "recipient": notification.recipient_name}
    text = template.render(Context(values, autoescape=False))
    subject, _, body = text.strip().partition("\n")
    return subject.strip()[:200], body.strip()


# --------------------------------------------------------------------------- sending


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


def _send(rows: list[Notification], *, sms_backend=None):
    """Render and send ``rows``; ``(sent, [(row, exception)])``. Sent rows are updated
    in memory (status, sent_at, attempts, subject, body), not saved."""
    from . import sms

    sms_backend = sms_backend or sms.get_backend()
    emails = any(n.channel == Channel.EMAIL for n in rows)
    mail_connection = mail.get_connection() if emails else None
    names = _centre_names(rows)
    now = clock.now()
    sent, failed = [], []
    for n in rows:
        try:
            n.subject, n.body = render(n, centre=names.get(n.centre_id) or _site_name())
            _send_one(n, sms_backend=sms_backend, mail_connection=mail_connection)
        except Exception as exc:  # a backend raises what its gateway raises
            failed.append((n, exc))
        else:
            n.status, n.sent_at, n.attempts = Status.SENT, now, n.attempts + 1
            sent.append(n)
    return sent, failed


def _save_sent(sent: list[Notification]) -> None:
    fields = ["status", "sent_at", "attempts", "subject", "body"]
    if len(sent) == 1:
        sent[0].save(update_fields=fields)
    elif sent:
        Notification.objects.bulk_update(sent, fields, batch_size=DRAIN_BATCH)


def drain(*, batch: int = DRAIN_BATCH, sms_backend=None, follow: bool = True) -> dict:
    """Send up to ``batch`` queued notifications, oldest first (the drain task's body,
    in its transaction). Each failed one is handed to a task of its own
    (``notifications:<pk>``, retried with back-off, then a dead letter). While the
    outbox holds more, the next drains are queued (committed with this one) unless
    ``follow`` is false (:func:`send_all`)."""
    from .tasks import drain_notifications, send_notifications

    rows = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(status=Status.QUEUED)
        .order_by("id")[:batch]
    )
    if not rows:
        return {"sent": 0, "failed": 0}
    sent, failed = _send(rows, sms_backend=sms_backend)
    _save_sent(sent)
    for n, exc in failed:
        Notification.objects.filter(pk=n.pk).update(
            status=Status.RETRYING,
            attempts=F("attempts") + 1,
            last_error=_error(n, exc)[:ERROR_MAX],
        )
        core_tasks.enqueue(send_notifications, delivery_id=f"notifications:{n.pk}", ids=[n.pk])
    if follow and len(rows) == batch:
        left = (
            Notification.objects.filter(status=Status.QUEUED)
            .exclude(pk__in=[n.pk for n in rows])
            .count()
        )
        for _ in range(min(DRAIN_PARALLEL, math.ceil(left / batch))):
            core_tasks.enqueue(
                drain_notifications, delivery_id=f"notifications:drain:{uuid.uuid4().hex}"
            )
    return {"sent": len(sent), "failed": len(failed)}


def send_all(*, sms_backend=None) -> dict:
    """Send everything queued now, in batches of one transaction each, without a
    worker (``manage.py send_notifications``, the demo)."""
    total = {"sent": 0, "failed": 0}
    while True:
        with transaction.atomic():
            done = drain(sms_backend=sms_backend, follow=False)
        total = {k: total[k] + done[k] for k in total}
        if done["sent"] + done["failed"] == 0:
            return total


def deliver(*, ids: list[int], sms_backend=None) -> dict:
    """Send the notifications ``ids`` handed over by a drain (retrying, or failed and
    retried by the centre administrator): the body of their own task. Raises when one
    fails, so that the task is retried (a notification once sent is never sent
    again)."""
    rows = list(
        Notification.objects.select_for_update()
        .filter(pk__in=ids, status__in=(Status.RETRYING, Status.FAILED, Status.QUEUED))
        .order_by("id")
    )
    sent, failed = _send(rows, sms_backend=sms_backend)
    if failed:
        raise SendFailed("；".join(_error(n, exc) for n, exc in failed))
    _save_sent(sent)
    return {"sent": len(sent)}


class SendFailed(Exception):
    """A notification could not be sent (its error, phone masked)."""


def _error(n: Notification, exc: Exception) -> str:
    """The error as recorded: who (phone masked) and what the backend said."""
    text = str(exc)
    if n.recipient_phone:
        text = text.replace(n.recipient_phone, mask_phone(n.recipient_phone))
        who = mask_phone(n.recipient_phone)
    else:
        who = n.recipient_name
    return f"{n.get_channel_display()} {who}：{type(exc).__name__}: {text}"


def note_failure(*, delivery_id: str, kwargs: dict, error: str, final: bool) -> None:
    """``on_failure`` of a notification's own task: the attempt is counted; after the
    last one it is ``failed`` (the delivery is a dead letter the centre administrator
    may retry, which sends it again)."""
    changes = {"attempts": F("attempts") + 1, "last_error": error[:ERROR_MAX]}
    if final:
        changes["status"] = Status.FAILED
    Notification.objects.filter(pk__in=kwargs.get("ids") or [], status__in=_UNSENT).update(
        **changes
    )


_UNSENT = (Status.QUEUED, Status.RETRYING, Status.FAILED)


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
