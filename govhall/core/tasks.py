"""Reliable background work (可靠投递): delivery ids, retries with back-off, dead letters.

Django's task API (``django_tasks``, docs/tasks.md) queues and runs tasks; this module
adds what the issue asks of every task caused by a change:

* :func:`enqueue` records a :class:`~govhall.core.models.TaskDelivery` under the
  caller's **delivery id** (投递编号) and queues the task, both inside the caller's
  transaction: if the change rolls back, nothing was queued. A second ``enqueue`` with
  the same delivery id is a no-op.
* A task declared with :func:`reliable_task` is queued with the delivery id only (its
  keyword arguments are in the delivery row). Its body runs inside
  ``transaction.atomic`` together with the mark ``done``: a delivery handed over twice
  (a worker killed after the body committed, a task row re-queued by
  ``manage.py run_worker``) runs successfully once. At least once on the wire, once
  in effect.
* A body that raises is retried with exponential back-off (``run_after``: 1, 2, 4, 8 …
  minutes by default, ``GOVHALL_TASK_RETRY_BASE_SECONDS``, capped at
  ``GOVHALL_TASK_RETRY_MAX_SECONDS``); after ``max_attempts`` failed attempts the
  delivery is **dead** (死信), listed on the staff site for the centre administrator,
  who may :func:`retry_delivery` or :func:`discard_delivery` it (both audited).

Usage::

    @reliable_task(max_attempts=5, on_failure=note_failure)
    def send_sms(*, delivery_id, phone, text): ...


    with transaction.atomic():
        case.save()
        tasks.enqueue(send_sms, delivery_id=f"sms:{case.pk}:accepted", phone=..., text=...)

Backends: the database backend (default) stores the queued task in the same
transaction; the ``immediate`` backend (tests, the demo) runs the task at once, in the
caller's transaction, and retries a failing body at once, without waiting (it cannot
defer); RQ (``GOVHALL_TASK_BACKEND=rq``) is not transactional, so the job is pushed to
Redis when the transaction commits (the delivery row is written with the change).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import re
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import task as django_task
from django_tasks.base import Task
from django_tasks.utils import normalize_json

from . import audit, clock
from .errors import Conflict, NotFound
from .models import TaskDelivery
from .validators import mask_id_number, mask_phone

logger = logging.getLogger(__name__)

State = TaskDelivery.State

RETRY = audit.Action("core.delivery.retry", "重试后台任务")
DISCARD = audit.Action("core.delivery.discard", "丢弃后台任务")

ERROR_MAX = 4000  # characters of the last error kept on the delivery

# Backends whose enqueue takes part in the caller's database transaction (the task row
# is written, or the task run, inside it). Any other backend (RQ) is sent on commit.
_TRANSACTIONAL = {
    "django_tasks_db.backend.DatabaseBackend",
    "django_tasks.backends.immediate.ImmediateBackend",
    "django_tasks.backends.dummy.DummyBackend",
}


@dataclass(frozen=True)
class ReliableSpec:
    """What :func:`reliable_task` knows of a task beyond django-tasks."""

    fn: Callable[..., Any]
    max_attempts: int
    on_failure: Callable[..., Any] | None


def reliable_task(*, max_attempts: int = 5, on_failure: Callable | None = None, **task_options):
    """Declare a reliable task (a django-tasks ``Task``): the body is called as
    ``fn(delivery_id=..., **kwargs)`` with the kwargs given to :func:`enqueue`.

    ``on_failure(delivery_id=..., kwargs=..., error=str, final=bool)`` is called in a
    transaction of its own after each failed attempt (``final``: the delivery is now
    dead). ``task_options`` (``priority``, ``queue_name``, ``backend``) go to
    django-tasks' ``task``."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def decorate(fn):
        spec = ReliableSpec(fn=fn, max_attempts=max_attempts, on_failure=on_failure)

        def runner(context, delivery_id: str):
            return _run(spec, context, delivery_id)

        # The Task stands where ``fn`` stood: its module path imports back to it.
        runner.__module__ = fn.__module__
        runner.__qualname__ = fn.__qualname__
        runner.__name__ = fn.__name__
        runner.__doc__ = fn.__doc__
        runner.reliable = spec
        return django_task(takes_context=True, **task_options)(runner)

    return decorate


def spec_of(task: Task) -> ReliableSpec:
    spec = getattr(task.func, "reliable", None)
    if spec is None:
        raise TypeError(f"{task.module_path} is not a reliable task (core.tasks.reliable_task)")
    return spec


def _backend_path(backend) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def _send(task: Task, delivery_id: str, *, run_after: dt.datetime | None = None) -> None:
    """Queue ``task`` for ``delivery_id``: at once when the backend is transactional,
    on commit otherwise (RQ)."""
    backend = task.get_backend()
    if run_after is not None and backend.supports_defer:
        task = task.using(run_after=run_after)
    if _backend_path(backend) in _TRANSACTIONAL:
        task.enqueue(delivery_id=delivery_id)
    else:
        transaction.on_commit(lambda: task.enqueue(delivery_id=delivery_id), robust=True)


def enqueue(task: Task, *, delivery_id: str, **kwargs) -> TaskDelivery:
    """Record the delivery ``delivery_id`` of ``task`` with ``kwargs`` (JSON values)
    and queue it, inside the caller's transaction. A delivery id already recorded
    (whatever its state) is left alone: the existing delivery is returned, nothing is
    queued."""
    spec = spec_of(task)
    if not delivery_id or len(delivery_id) > 200:
        raise ValueError("delivery_id must be 1 to 200 characters")
    kwargs = normalize_json(kwargs)
    now = clock.now()
    # One transaction with the caller's (no savepoint of its own: if queueing fails,
    # the caller's change fails with it); a savepoint only around the insert, so a
    # delivery id already recorded is told apart without spoiling the transaction.
    with transaction.atomic(savepoint=False):
        try:
            with transaction.atomic():
                delivery = TaskDelivery.objects.create(
                    delivery_id=delivery_id,
                    task_path=task.module_path,
                    kwargs=kwargs,
                    max_attempts=spec.max_attempts,
                    next_attempt_at=task.run_after,  # a task deferred by .using(run_after=)
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            return TaskDelivery.objects.get(delivery_id=delivery_id)
        _send(task, delivery_id)
    return delivery


def enqueue_once_a_second(
    task: Task, *, prefix: str, memo: threading.local, delay: dt.timedelta, force: bool = False
) -> None:
    """Queue ``task`` for what was committed up to now, at most once per process and
    second (``memo`` remembers the second): delivery ``<prefix>:<second>``, run
    ``delay`` after that second ends, so everything committed during the second is
    picked up by one run (the notifier's drain, 电子监察's drain of changed cases). A
    backend that runs tasks at once (tests, the demo) runs it at once, every time. The
    second is real time, not ``core.clock``: a worker compares ``run_after`` with its
    own clock, and a frozen clock must not merge the runs of different seconds. A
    queue failure is logged, never raised (the request has committed)."""
    if not task.get_backend().supports_defer:
        delivery_id = f"{prefix}:{uuid.uuid4().hex}"
    else:
        second = math.floor(time.time())
        if not force and getattr(memo, "second", None) == second:
            return
        run_after = dt.datetime.fromtimestamp(second + 1, tz=dt.UTC) + delay
        task = task.using(run_after=run_after)
        delivery_id = f"{prefix}:{second}"
        memo.second = second
    try:
        enqueue(task, delivery_id=delivery_id)
    except Exception:
        memo.second = None
        logger.exception("could not queue %s", delivery_id)


def retry_delay(attempt: int) -> dt.timedelta:
    """The wait after failed attempt ``attempt`` (1, 2, …): base × 2^(attempt−1),
    capped."""
    base = getattr(settings, "GOVHALL_TASK_RETRY_BASE_SECONDS", 60)
    cap = getattr(settings, "GOVHALL_TASK_RETRY_MAX_SECONDS", 6 * 3600)
    return dt.timedelta(seconds=min(cap, base * 2 ** (attempt - 1)))


@dataclass
class _Outcome:
    state: str
    value: Any = None
    retry_at: dt.datetime | None = None


def _run(spec: ReliableSpec, context, delivery_id: str):
    """The django-tasks body of a reliable task: one attempt, the next one queued with
    ``run_after``; a backend that cannot defer (``immediate``) tries again at once."""
    task = context.task_result.task
    defer = task.get_backend().supports_defer
    while True:
        try:
            outcome = attempt(spec, delivery_id, retry_task=task if defer else None)
        except (KeyboardInterrupt, SystemExit):
            # The worker is being stopped inside the body (a second Ctrl-C / SIGTERM):
            # the attempt rolled back. Under db_worker, queue the delivery again so it
            # is not lost with the task row db_worker marks failed (run_worker, whose
            # transaction this is inside, puts its task row back itself).
            if not transaction.get_connection().in_atomic_block:
                try:
                    with transaction.atomic():
                        _send(task, delivery_id)
                except Exception:
                    logger.exception("could not queue delivery %s again", delivery_id)
            raise
        if outcome.state != State.PENDING or defer:
            if outcome.state == State.DONE:
                return outcome.value
            return {"delivery_id": delivery_id, "state": outcome.state}


def attempt(spec: ReliableSpec, delivery_id: str, *, retry_task: Task | None) -> _Outcome:
    """One attempt of a delivery: nothing if it is not pending (done, dead, discarded,
    unknown); else the body and the mark ``done`` in one transaction. A failure is
    recorded (attempts, last error, the next attempt or dead) and, with
    ``retry_task``, the next attempt is queued in the same transaction. Inside a
    transaction already (``run_worker`` marks the task row in it), it joins it."""
    with transaction.atomic(savepoint=False):
        delivery = TaskDelivery.objects.select_for_update().filter(delivery_id=delivery_id).first()
        if delivery is None or delivery.state != State.PENDING:
            state = delivery.state if delivery else "missing"
            logger.info("delivery %s not pending (%s): skipped", delivery_id, state)
            return _Outcome(state=state)
        number = delivery.attempts + 1
        try:
            with transaction.atomic():
                value = spec.fn(delivery_id=delivery_id, **delivery.kwargs)
                now = clock.now()
                delivery.state = State.DONE
                delivery.attempts = number
                delivery.next_attempt_at = None
                delivery.finished_at = now
                delivery.updated_at = now
                delivery.save(
                    update_fields=[
                        "state",
                        "attempts",
                        "next_attempt_at",
                        "finished_at",
                        "updated_at",
                    ]
                )
            return _Outcome(state=State.DONE, value=value)
        except Exception as exc:
            error = "".join(traceback.format_exception_only(exc)).strip()
            detail = traceback.format_exc()
        now = clock.now()
        final = number >= delivery.max_attempts
        delivery.attempts = number
        delivery.last_error = (error + "\n\n" + detail)[:ERROR_MAX]
        delivery.updated_at = now
        if final:
            delivery.state = State.DEAD
            delivery.finished_at = now
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + retry_delay(number)
        delivery.save(
            update_fields=[
                "state",
                "attempts",
                "last_error",
                "updated_at",
                "finished_at",
                "next_attempt_at",
            ]
        )
        if final:
            logger.error("delivery %s dead after %d attempts: %s", delivery_id, number, error)
        else:
            logger.warning(
                "delivery %s attempt %d failed, next at %s: %s",
                delivery_id,
                number,
                delivery.next_attempt_at,
                error,
            )
            if retry_task is not None:
                _send(retry_task, delivery_id, run_after=delivery.next_attempt_at)
    if spec.on_failure is not None:
        try:
            with transaction.atomic():
                spec.on_failure(
                    delivery_id=delivery_id, kwargs=delivery.kwargs, error=error, final=final
                )
        except Exception:
            logger.exception("on_failure of delivery %s failed", delivery_id)
    return _Outcome(state=delivery.state, retry_at=None if final else delivery.next_attempt_at)


# --- the dead-letter list (死信) ---------------------------------------------------


def task_of(delivery: TaskDelivery) -> Task:
    """The reliable task a delivery names (``NotFound`` if the code no longer has it)."""
    try:
        task = import_string(delivery.task_path)
    except ImportError as exc:
        raise NotFound(f"任务 {delivery.task_path} 已不存在") from exc
    if not isinstance(task, Task) or getattr(task.func, "reliable", None) is None:
        raise NotFound(f"{delivery.task_path} 不是后台任务")
    return task


_PK_MAX = 2**63 - 1  # BigAutoField: a larger id from a URL is no row, not an overflow


def _dead(delivery_id: int) -> TaskDelivery:
    if not 0 < delivery_id <= _PK_MAX:
        raise NotFound("没有这个后台任务")
    delivery = TaskDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound("没有这个后台任务")
    if delivery.state != State.DEAD:
        raise Conflict(f"该任务当前为「{delivery.get_state_display()}」，只有死信可以重试或丢弃")
    return delivery


def retry_delivery(*, actor, delivery_id: int, reason: str = "") -> TaskDelivery:
    """重试: a dead delivery is pending again with a fresh count of attempts and is
    queued at once (audited ``core.delivery.retry``). ``delivery_id`` is the row's pk."""
    with transaction.atomic():
        delivery = _dead(delivery_id)
        task = task_of(delivery)
        before = {"state": delivery.state, "attempts": delivery.attempts}
        delivery.state = State.PENDING
        delivery.attempts = 0
        delivery.finished_at = None
        delivery.next_attempt_at = None
        delivery.updated_at = clock.now()
        delivery.save()
        audit.record(
            actor=actor,
            action=RETRY,
            obj=delivery,
            changes=audit.diff(before, {"state": delivery.state, "attempts": 0}),
            reason=reason,
        )
        _send(task, delivery.delivery_id)
    delivery.refresh_from_db()
    return delivery


def discard_delivery(*, actor, delivery_id: int, reason: str = "") -> TaskDelivery:
    """丢弃: a dead delivery is marked discarded and kept (never run, never deleted);
    audited ``core.delivery.discard``."""
    with transaction.atomic():
        delivery = _dead(delivery_id)
        delivery.state = State.DISCARDED
        delivery.updated_at = clock.now()
        delivery.save(update_fields=["state", "updated_at"])
        audit.record(
            actor=actor,
            action=DISCARD,
            obj=delivery,
            changes={"state": [State.DEAD.value, State.DISCARDED.value]},
            reason=reason,
        )
    return delivery


# --- crash recovery (manage.py run_worker) ------------------------------------------
#
# django-tasks-db marks a task RUNNING when a worker claims it and never looks at it
# again: a worker killed with SIGKILL (or its host lost) leaves the row RUNNING for
# ever. ``manage.py run_worker`` names its worker ``host:pid:start`` and, when it
# starts and once a minute, puts back to READY the RUNNING rows of workers that are
# gone: on this host, a pid that is not running (or runs another process, by its start
# time); on any host, a row RUNNING for longer than the lease. A delivery run twice
# this way runs its body once (the delivery's done mark).


def _process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot, /proc), ``""`` where
    /proc is not available, ``None`` if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return fields[19]  # field 22 of proc(5), counted after "pid (comm)"
    except FileNotFoundError:
        return None
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return ""


def host_name() -> str:
    return socket.gethostname()[:40]


def worker_id() -> str:
    """This process's worker id: ``host:pid:start`` (at most 64 characters)."""
    pid = os.getpid()
    return f"{host_name()}:{pid}:{_process_start(pid) or get_random_string(8)}"


def _worker_gone(worker: str, *, host: str) -> bool | None:
    """Is ``worker`` (an id of :func:`worker_id`) gone? ``None`` if this host cannot
    tell (another host, or a worker not started by ``run_worker``): the lease decides."""
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return None
    start = _process_start(int(parts[1]))
    return start is None or (start != "" and start != parts[2])


def _stale(row, *, host: str, expired: dt.datetime) -> bool:
    gone = _worker_gone(row.worker_ids[-1], host=host) if row.worker_ids else None
    if gone is not None:
        return gone
    return row.started_at is not None and row.started_at < expired


def lease_time() -> dt.timedelta:
    """How long a task may run, or a delivery stay overdue, before it is taken for
    lost (``GOVHALL_TASK_LEASE_MINUTES``, 30)."""
    return dt.timedelta(minutes=getattr(settings, "GOVHALL_TASK_LEASE_MINUTES", 30))


def recover_stale_tasks(*, lease: dt.timedelta | None = None) -> list[str]:
    """Put back to READY the RUNNING task rows whose worker is gone (see above); their
    ids. django-tasks-db only."""
    from django_tasks_db.models import DBTaskResult

    lease = lease if lease is not None else lease_time()
    host, expired = host_name(), clock.now() - lease
    stale = [
        row.pk
        for row in DBTaskResult.objects.running().only("id", "worker_ids", "started_at")
        if _stale(row, host=host, expired=expired)
    ]
    if stale:
        DBTaskResult.objects.filter(pk__in=stale, status="RUNNING").update(status="READY")
        logger.warning("re-queued %d task(s) left running by a worker that is gone", len(stale))
    return [str(pk) for pk in stale]


def requeue_overdue(*, lease: dt.timedelta | None = None) -> list[str]:
    """Queue again the pending deliveries due longer than the lease ago with nothing
    queued for them (the database backend: no READY or RUNNING task row names them;
    RQ: cannot be asked, so queued again — the delivery id keeps it to one run). The
    safety net for work the queue lost (a Redis restarted without its data, a job RQ
    moved to its failed registry when its worker died). Their delivery ids."""
    lease = lease if lease is not None else lease_time()
    now = clock.now()
    overdue = TaskDelivery.objects.filter(state=State.PENDING, updated_at__lt=now - lease).filter(
        models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lt=now - lease)
    )[:500]
    sent = []
    for delivery in overdue:
        try:
            task = task_of(delivery)
        except NotFound:
            continue
        if _backend_path(task.get_backend()) == "django_tasks_db.backend.DatabaseBackend":
            from django_tasks_db.models import DBTaskResult

            if DBTaskResult.objects.filter(
                status__in=["READY", "RUNNING"],
                task_path=delivery.task_path,
                args_kwargs__kwargs__delivery_id=delivery.delivery_id,
            ).exists():
                continue
        with transaction.atomic():
            TaskDelivery.objects.filter(pk=delivery.pk).update(updated_at=now)
            _send(task, delivery.delivery_id)
        sent.append(delivery.delivery_id)
    if sent:
        logger.warning("queued again %d overdue deliveries", len(sent))
    return sent


# --- what the staff page shows ------------------------------------------------------

_PHONE_KEYS = ("phone", "mobile", "tel")
_ID_KEYS = ("id_number", "id_no", "idcard", "certificate_number")
_PHONE_RE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def masked(value, key: str = ""):
    """``value`` (a delivery's kwargs) with phone numbers and ID numbers masked: by the
    key's name (``phone``, ``mobile``, ``id_number`` …) and, in any string, what looks
    like a mobile number or an 18-digit ID number."""
    if isinstance(value, dict):
        return {k: masked(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, key) for v in value]
    if not isinstance(value, str):
        return value
    name = key.lower()
    if any(part in name for part in _PHONE_KEYS):
        return mask_phone(value)
    if any(part in name for part in _ID_KEYS):
        return mask_id_number(value)
    value = _ID_RE.sub(lambda m: mask_id_number(m.group()), value)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group()), value)


def deliveries(*, state: str = State.DEAD, limit: int = 200):
    """The deliveries in ``state``, most recently changed first (the staff page)."""
    return TaskDelivery.objects.filter(state=state).order_by("-updated_at", "-id")[:limit]


def counts() -> dict[str, int]:
    """How many deliveries are in each state (every state named, 0 included)."""
    found = dict(
        TaskDelivery.objects.values_list("state")
        .annotate(n=models.Count("id"))
        .values_list("state", "n")
    )
    return {state: found.get(state, 0) for state in State.values}
