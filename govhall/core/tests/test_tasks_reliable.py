"""Reliable delivery (govhall/core/tasks.py): one delivery per delivery id, the body
and the mark done together, retries with back-off, dead letters, retry and discard
(audited); docs/tasks.md."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from govhall.core import actors, clock, tasks
from govhall.core.errors import Conflict
from govhall.core.models import AuditEntry, TaskDelivery

from . import sample_tasks

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
State = TaskDelivery.State


def _runs(delivery_id: str) -> int:
    return AuditEntry.objects.filter(action="tests.task.ran", object_id=delivery_id).count()


@pytest.fixture(autouse=True)
def _no_failures():
    sample_tasks.failures.clear()


def test_enqueue_runs_once_per_delivery_id(db):
    delivery = tasks.enqueue(sample_tasks.write_row, delivery_id="d-1")
    assert delivery.state == State.PENDING  # the row as written; the task ran since
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.task_path) == (
        State.DONE,
        1,
        "govhall.core.tests.sample_tasks.write_row",
    )
    again = tasks.enqueue(sample_tasks.write_row, delivery_id="d-1", sleep_ms=5)
    assert again.pk == delivery.pk and again.kwargs == {}  # a no-op: the first kwargs stay
    assert _runs("d-1") == 1


def test_enqueue_rolls_back_with_the_change(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue(sample_tasks.write_row, delivery_id="d-2")
        raise RuntimeError("the change rolls back")
    assert not TaskDelivery.objects.exists() and _runs("d-2") == 0


def test_only_reliable_tasks_and_json_kwargs(db):
    with pytest.raises(TypeError, match="not a reliable task"):
        tasks.enqueue(sample_tasks.plain, delivery_id="x")
    with pytest.raises(TypeError):
        tasks.enqueue(sample_tasks.write_row, delivery_id="x", sleep_ms=object())


def test_immediate_backend_retries_at_once_then_succeeds(db):
    tasks.enqueue(sample_tasks.flaky, delivery_id="f-1", fail_times=2)
    delivery = TaskDelivery.objects.get(delivery_id="f-1")
    assert (delivery.state, delivery.attempts) == (State.DONE, 3)
    assert "endpoint unreachable (attempt 2)" in delivery.last_error
    assert _runs("f-1") == 1  # the failed attempts' rows rolled back with them
    assert [(f["delivery_id"], f["final"]) for f in sample_tasks.failures] == [
        ("f-1", False),
        ("f-1", False),
    ]
    assert sample_tasks.failures[0]["kwargs"] == {"fail_times": 2}
    assert sample_tasks.failures[0]["error"] == "ConnectionError: endpoint unreachable (attempt 1)"


def test_dead_after_max_attempts(db):
    tasks.enqueue(sample_tasks.flaky, delivery_id="f-2", fail_times=99)
    delivery = TaskDelivery.objects.get(delivery_id="f-2")
    assert (delivery.state, delivery.attempts, delivery.finished_at) == (
        State.DEAD,
        3,
        clock.now(),
    )
    assert delivery.last_error.startswith("ConnectionError: endpoint unreachable (attempt 3)")
    assert [f["final"] for f in sample_tasks.failures] == [False, False, True]
    assert _runs("f-2") == 0


def test_back_off_doubles_and_is_capped(settings):
    settings.GOVHALL_TASK_RETRY_BASE_SECONDS = 60
    settings.GOVHALL_TASK_RETRY_MAX_SECONDS = 600
    assert [tasks.retry_delay(n).total_seconds() for n in range(1, 6)] == [
        60,
        120,
        240,
        480,
        600,
    ]


@pytest.mark.django_db(transaction=True)
def test_db_backend_defers_each_retry_and_the_worker_runs_them(settings):
    settings.TASKS = DB_TASKS
    settings.GOVHALL_TASK_RETRY_BASE_SECONDS = 60
    with transaction.atomic():
        tasks.enqueue(sample_tasks.flaky, delivery_id="f-3", fail_times=1)
    stored = DBTaskResult.objects.get()
    assert stored.args_kwargs == {"args": [], "kwargs": {"delivery_id": "f-3"}}

    # one attempt: fails, and queues the next one a minute later (by the one clock)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--max-tasks=1")
    delivery = TaskDelivery.objects.get(delivery_id="f-3")
    assert (delivery.state, delivery.attempts) == (State.PENDING, 1)
    assert delivery.next_attempt_at == clock.now() + dt.timedelta(minutes=1)
    retry = DBTaskResult.objects.exclude(pk=stored.pk).get()
    assert retry.run_after == delivery.next_attempt_at

    # the frozen clock is in the past of the real one, so the worker takes it now
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.DONE, 2)
    assert _runs("f-3") == 1
    # handed over again (at least once on the wire): nothing runs twice
    with transaction.atomic():
        tasks._send(sample_tasks.flaky, "f-3")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert _runs("f-3") == 1


def test_retry_and_discard_a_dead_letter(db):
    actor = actors.SYSTEM
    sample_tasks.down.add("supervision")
    tasks.enqueue(sample_tasks.push, delivery_id="f-4", endpoint="supervision")
    dead = TaskDelivery.objects.get(delivery_id="f-4")
    assert (dead.state, dead.attempts) == (State.DEAD, 2)
    sample_tasks.down.clear()

    retried = tasks.retry_delivery(actor=actor, delivery_id=dead.pk, reason="对方接口已恢复")
    assert (retried.state, retried.attempts) == (State.DONE, 1)  # immediate: ran at once
    entry = AuditEntry.objects.get(action="core.delivery.retry")
    assert entry.reason == "对方接口已恢复" and entry.object_id == str(dead.pk)
    assert entry.changes == {"attempts": [2, 0], "state": ["dead", "pending"]}
    with pytest.raises(Conflict):
        tasks.discard_delivery(actor=actor, delivery_id=dead.pk, reason="已完成的不能丢弃")

    tasks.enqueue(sample_tasks.flaky, delivery_id="f-5", fail_times=99)
    other = TaskDelivery.objects.get(delivery_id="f-5")
    discarded = tasks.discard_delivery(actor=actor, delivery_id=other.pk, reason="对方已线下办理")
    assert discarded.state == State.DISCARDED and TaskDelivery.objects.filter(pk=other.pk).exists()
    entry = AuditEntry.objects.get(action="core.delivery.discard")
    assert entry.reason == "对方已线下办理"


def test_enqueue_costs_four_statements_in_the_callers_transaction(settings, db):
    settings.TASKS = DB_TASKS
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            tasks.enqueue(sample_tasks.write_row, delivery_id="q-1")
        sql = [q["sql"].split()[0] for q in queries.captured_queries]
        assert sql == ["SAVEPOINT", "INSERT", "RELEASE", "INSERT"]
        with CaptureQueriesContext(connection) as queries:
            tasks.enqueue(sample_tasks.write_row, delivery_id="q-1")  # a no-op
        sql = [q["sql"].split()[0] for q in queries.captured_queries]
        assert sql == ["SAVEPOINT", "INSERT", "ROLLBACK", "RELEASE", "SELECT"]
