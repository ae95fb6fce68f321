"""Crash recovery of the database worker (govhall/core/tasks.py, ``manage.py
run_worker``): which RUNNING rows are put back to READY, and overdue deliveries queued
again. The real SIGKILL is in test_tasks_sigkill.py."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from govhall.core import clock, tasks
from govhall.core.models import TaskDelivery

from . import sample_tasks

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def db_tasks(settings, db):
    settings.TASKS = DB_TASKS


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _running(worker: str, *, started: dt.datetime | None = None) -> DBTaskResult:
    with transaction.atomic():
        tasks.enqueue(sample_tasks.write_row, delivery_id=f"r-{worker}")
    row = DBTaskResult.objects.get(args_kwargs__kwargs__delivery_id=f"r-{worker}")
    DBTaskResult.objects.filter(pk=row.pk).update(
        status="RUNNING", worker_ids=[worker], started_at=started or timezone.now()
    )
    return row


def test_worker_id_names_host_pid_and_start():
    host, pid, start = tasks.worker_id().rsplit(":", 2)
    assert host == tasks.host_name() and int(pid) == os.getpid() and start.isdigit()
    assert len(tasks.worker_id()) <= 64


def test_rows_of_gone_workers_are_requeued(db_tasks):
    host = tasks.host_name()
    dead = _running(f"{host}:{_dead_pid()}:123")
    alive = _running(tasks.worker_id())  # this very process: still running
    reused = _running(f"{host}:{os.getpid()}:1")  # our pid, another start: a dead worker
    far = _running("other-host:42:7")  # another host: the lease decides
    old = _running("other-host:43:7", started=clock.now() - dt.timedelta(hours=1))
    plain = _running("Xk2Lr9aQ", started=clock.now() - dt.timedelta(hours=1))  # db_worker id

    recovered = tasks.recover_stale_tasks(lease=dt.timedelta(minutes=30))
    assert set(recovered) == {str(r.pk) for r in (dead, reused, old, plain)}
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[alive.pk] == status[far.pk] == "RUNNING"
    assert status[dead.pk] == "READY"


def test_overdue_deliveries_with_nothing_queued_are_queued_again(db_tasks):
    with transaction.atomic():
        tasks.enqueue(sample_tasks.write_row, delivery_id="lost")
        tasks.enqueue(sample_tasks.write_row, delivery_id="queued")
    DBTaskResult.objects.filter(args_kwargs__kwargs__delivery_id="lost").update(status="FAILED")
    assert tasks.requeue_overdue(lease=dt.timedelta(minutes=30)) == []  # not overdue yet
    clock.advance(hours=1)
    assert tasks.requeue_overdue(lease=dt.timedelta(minutes=30)) == ["lost"]
    assert DBTaskResult.objects.filter(
        args_kwargs__kwargs__delivery_id="lost", status="READY"
    ).exists()
    assert TaskDelivery.objects.get(delivery_id="lost").updated_at == clock.now()
    assert tasks.requeue_overdue(lease=dt.timedelta(minutes=30)) == []  # once per lease


def test_a_deferred_delivery_is_not_overdue_before_its_time(db_tasks):
    later = clock.now() + dt.timedelta(hours=2)
    with transaction.atomic():
        tasks.enqueue(sample_tasks.write_row.using(run_after=later), delivery_id="later")
    assert TaskDelivery.objects.get(delivery_id="later").next_attempt_at == later
    DBTaskResult.objects.update(status="FAILED")  # even with nothing queued for it
    clock.advance(hours=1)
    assert tasks.requeue_overdue(lease=dt.timedelta(minutes=30)) == []
    clock.advance(hours=2)
    assert tasks.requeue_overdue(lease=dt.timedelta(minutes=30)) == ["later"]
