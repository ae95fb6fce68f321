"""Reliable tasks for the tests of govhall/core/tasks.py (importable by a worker
process: the SIGKILL test runs them in a real ``manage.py run_worker``)."""

from __future__ import annotations

import os
import time

from django_tasks import task

from govhall.core import clock
from govhall.core.models import AuditEntry, TaskDelivery
from govhall.core.tasks import reliable_task

failures: list[dict] = []  # what on_failure was told, in this process


def note_failure(**info):
    failures.append(info)


@reliable_task()
def write_row(*, delivery_id: str, sleep_ms: int = 0):
    """Write one row keyed by the delivery id (no unique constraint: a second run of
    the body would show as a second row), after ``sleep_ms``."""
    if sleep_ms:
        time.sleep(sleep_ms / 1000)
    AuditEntry.objects.create(
        at=clock.now(), action="tests.task.ran", object_type="test", object_id=delivery_id
    )
    return {"wrote": delivery_id}


@reliable_task(max_attempts=3, on_failure=note_failure)
def flaky(*, delivery_id: str, fail_times: int):
    """Fails its first ``fail_times`` attempts, writing a row each time (rolled back)."""
    AuditEntry.objects.create(
        at=clock.now(), action="tests.task.ran", object_type="test", object_id=delivery_id
    )
    done = TaskDelivery.objects.get(delivery_id=delivery_id).attempts
    if done < fail_times:
        raise ConnectionError(f"endpoint unreachable (attempt {done + 1})")
    return {"attempt": done + 1}


down: set[str] = set()  # endpoints that refuse, in this process


@reliable_task(max_attempts=2)
def push(*, delivery_id: str, endpoint: str, phone: str = ""):
    """Fails while ``endpoint`` is in :data:`down`."""
    if endpoint in down:
        raise ConnectionRefusedError(f"{endpoint} refused the connection")
    AuditEntry.objects.create(
        at=clock.now(), action="tests.task.ran", object_type="test", object_id=delivery_id
    )


@reliable_task()
def batch_row(*, delivery_id: str, sleep_ms: int = 5, hold_file: str = ""):
    """One task of the SIGKILL batch: a row keyed by the delivery id after a few ms.
    With ``hold_file`` the first run of the body creates that file and then keeps its
    transaction open for 30 s, so the test can kill the worker inside a body; a run
    after it finds the file and does not wait."""
    AuditEntry.objects.create(
        at=clock.now(), action="tests.task.ran", object_type="test", object_id=delivery_id
    )
    if hold_file and not os.path.exists(hold_file):
        open(hold_file, "w").close()
        time.sleep(30)
    time.sleep(sleep_ms / 1000)


@task()
def plain():
    """A django-tasks task that is not a reliable one."""
