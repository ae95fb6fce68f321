"""The demo's dead letter (govhall/core/demo.py): made by the real mechanism, a push
to an endpoint that does not answer, failed every attempt with the real back-off."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.core import clock, demo
from govhall.core.models import TaskDelivery

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.parametrize("backend", ["immediate", "db"])
def test_one_dead_push_once(db, settings, backend):
    if backend == "db":
        settings.TASKS = DB_TASKS  # as in `make run`: the attempts run in load_demo
    assert demo.load_demo_dead_letter(case_number="TEST-1", department="市场监督管理局") == 1
    assert demo.load_demo_dead_letter(case_number="TEST-1", department="市场监督管理局") == 0
    dead = TaskDelivery.objects.get()
    assert (dead.state, dead.attempts, dead.max_attempts) == ("dead", 5, 5)
    assert dead.delivery_id == "demo:supervision-push:TEST-1"
    assert dead.task_path == "govhall.core.demo.push_to_supervision"
    assert dead.kwargs["case_number"] == "TEST-1"
    assert dead.last_error.startswith("urllib.error.URLError: <urlopen error [Errno 111]")
    assert dead.created_at == clock.now() - dt.timedelta(minutes=15)  # waits 1+2+4+8 min
    if backend == "db":  # attempts as a worker makes them, after each wait
        assert dead.updated_at == clock.now()
    else:  # the immediate backend cannot wait: all five at once, at enqueue
        assert dead.updated_at == dead.created_at
