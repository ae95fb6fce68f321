"""``GOVHALL_TASK_BACKEND=rq`` (django-tasks-rq, RQ on Redis): a reliable task is
pushed to Redis when the transaction commits (never for a change that rolls back) and
a real RQ worker (``manage.py run_worker --batch`` → ``rqworker --burst
--with-scheduler``, a subprocess) runs it once, with a retry deferred by RQ's
scheduler. Against the Redis on this machine; skipped only if none answers."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
import redis
from django.db import transaction
from django.utils import timezone

from govhall.core import clock, tasks

from . import sample_tasks
from .test_tasks_sigkill import BASE_DIR, STATE, _env, _python

RQ_URL = "redis://127.0.0.1:6379/13"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rq_backend(settings):
    try:
        redis.Redis.from_url(RQ_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis 不可用（{RQ_URL}：{exc}），跳过 RQ 测试")
    settings.RQ_QUEUES = {"default": {"URL": RQ_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    return redis.Redis.from_url(RQ_URL)


def _queued(conn) -> list[str]:
    return [j.decode() for j in conn.lrange("rq:queue:default", 0, -1)]


def test_rq_pushes_on_commit_and_a_real_worker_runs_it_once(rq_backend, tmp_path):
    # the worker runs on the real clock: so does this test (else the deliveries would
    # look overdue to it, and be queued again; harmless, but not what is tested here)
    clock.set_now(timezone.now())
    run = uuid.uuid4().hex[:8]
    before = len(_queued(rq_backend))
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue(sample_tasks.write_row, delivery_id=f"rq-{run}-rolled-back")
        raise RuntimeError("the change rolls back")
    assert len(_queued(rq_backend)) == before  # nothing pushed

    with transaction.atomic():
        tasks.enqueue(sample_tasks.write_row, delivery_id=f"rq-{run}-a")
        tasks.enqueue(sample_tasks.flaky, delivery_id=f"rq-{run}-b", fail_times=1)
        assert len(_queued(rq_backend)) == before  # not before the commit
    assert len(_queued(rq_backend)) == before + 2
    tasks.enqueue(sample_tasks.write_row, delivery_id=f"rq-{run}-a")  # a no-op
    assert len(_queued(rq_backend)) == before + 2

    env = _env(tmp_path)
    env.update(
        GOVHALL_TASK_BACKEND="rq", GOVHALL_RQ_URL=RQ_URL, GOVHALL_TASK_RETRY_BASE_SECONDS="0"
    )
    # the test's database, as the SIGKILL test shares it (SQLite: a copy, taken now)
    for _ in range(2):  # the retry is scheduled by the first burst, run by the second
        proc = subprocess.run(
            [sys.executable, "manage.py", "run_worker", "--batch"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    state = json.loads(_python(STATE, env=env))
    assert state["rows"] == {f"rq-{run}-a": 1, f"rq-{run}-b": 1}
    assert state["each"] == {f"rq-{run}-a": ["done", 1], f"rq-{run}-b": ["done", 2]}
