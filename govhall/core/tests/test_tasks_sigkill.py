"""Issue 9 §1: a real worker (``manage.py run_worker``, a subprocess) killed with
SIGKILL in the middle of a batch; after it restarts every task is done exactly once
(at least once on the wire, once in effect by the delivery id). On the database the
tests run on: SQLite (the migrated test database copied to a file both processes
open) or PostgreSQL (the test database itself)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from govhall.testing import workers

BASE_DIR = Path(settings.BASE_DIR)
BATCH = 150
HOLD = 60  # the delivery whose body the worker is killed in

pytestmark = pytest.mark.django_db(transaction=True)

ENQUEUE = f"""
import django; django.setup()
from django.db import transaction
from govhall.core import tasks
from govhall.core.tests.sample_tasks import batch_row
import sys
hold_file = sys.argv[1]
with transaction.atomic():
    for n in range({BATCH}):
        tasks.enqueue(batch_row, delivery_id=f"batch-{{n:03d}}", sleep_ms=5,
                      hold_file=hold_file if n == {HOLD} else "")
"""

STATE = """
import django, json; django.setup()
from django.db.models import Count
from django_tasks_db.models import DBTaskResult
from govhall.core.models import AuditEntry, TaskDelivery
rows = dict(AuditEntry.objects.filter(action="tests.task.ran").values_list("object_id")
            .annotate(n=Count("id")).values_list("object_id", "n"))
print(json.dumps({
    "deliveries": dict(TaskDelivery.objects.values_list("state").annotate(n=Count("id"))
                       .values_list("state", "n")),
    "tasks": dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id"))
                  .values_list("status", "n")),
    "rows": rows,
    "each": {d: [s, n] for d, s, n in TaskDelivery.objects.values_list(
        "delivery_id", "state", "attempts")},
}))
"""


def _env(tmp_path) -> dict[str, str]:
    return workers.worker_env(tmp_path, filename="tasks.sqlite3")


def _python(code: str, *args: str, env) -> str:
    return workers.run_python(code, *args, env=env)


def _state(env) -> dict:
    return json.loads(_python(STATE, env=env))


def _worker(env, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--interval=0.05",
            "--no-startup-delay",
            *extra,
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_sigkill_mid_batch_then_restart_runs_every_task_once(tmp_path):
    env = _env(tmp_path)
    hold_file = tmp_path / "held"
    _python(ENQUEUE, str(hold_file), env=env)

    worker = _worker(env)
    try:
        deadline = time.monotonic() + 30
        while not hold_file.exists():  # the worker is inside the body of batch-060
            assert worker.poll() is None, worker.stdout.read()
            assert time.monotonic() < deadline, "the worker did not reach the held task"
            time.sleep(0.02)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == -signal.SIGKILL

    killed = _state(env)
    # left behind RUNNING: the held task and the others the worker had claimed with it
    # (django-tasks-db never looks at them again); the rest still READY
    running = killed["tasks"]["RUNNING"]
    assert 1 <= running <= 20 and killed["tasks"]["READY"] == BATCH - HOLD - running
    assert killed["deliveries"] == {"done": HOLD, "pending": BATCH - HOLD}
    assert "batch-060" not in killed["rows"]  # the held body's row rolled back with it

    started = time.monotonic()
    restarted = _worker(env, "--batch")
    out, _ = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, out
    assert f"已重新排队 {running} 个崩溃遗留的任务" in out
    drained = time.monotonic() - started

    after = _state(env)
    assert after["deliveries"] == {"done": BATCH}
    assert after["tasks"] == {"SUCCESSFUL": BATCH}
    assert len(after["rows"]) == BATCH and set(after["rows"].values()) == {1}
    print(f"restart drained {BATCH - HOLD} deliveries in {drained:.1f} s (with start-up)")


def test_two_sigterms_inside_a_body_give_the_task_back(tmp_path):
    """The first SIGTERM asks the worker to stop after the task; the second stops it
    inside the body: the attempt rolls back, the task row is READY again and the
    claimed tasks after it too; the next worker does them all, once."""
    env = _env(tmp_path)
    hold_file = tmp_path / "held"
    _python(ENQUEUE, str(hold_file), env=env)
    worker = _worker(env)
    try:
        deadline = time.monotonic() + 30
        while not hold_file.exists():
            assert worker.poll() is None, worker.stdout.read()
            assert time.monotonic() < deadline, "the worker did not reach the held task"
            time.sleep(0.02)
        os.kill(worker.pid, signal.SIGTERM)
        time.sleep(0.3)
        assert worker.poll() is None  # still inside the held body
        os.kill(worker.pid, signal.SIGTERM)
        out, _ = worker.communicate(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 1, out
    stopped = _state(env)
    assert stopped["each"]["batch-060"] == ["pending", 0]
    assert stopped["tasks"].get("RUNNING", 0) == 0  # the held task and the claimed: READY
    assert stopped["tasks"]["READY"] == BATCH - HOLD

    restarted = _worker(env, "--batch")
    out, _ = restarted.communicate(timeout=60)
    assert restarted.returncode == 0, out
    after = _state(env)
    assert after["deliveries"] == {"done": BATCH}
    assert len(after["rows"]) == BATCH and set(after["rows"].values()) == {1}
