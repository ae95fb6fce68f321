"""The daily rules as a task (govhall/cases/tasks.py), the django-tasks-db backend
for real (stored with the transaction, run by the worker) and the
scheduler's decision (govhall/cases/scheduler.py); docs/tasks.md."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from govhall.cases import scheduler, tasks
from govhall.core import clock

from .conftest import submit

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
AT = dt.time(6, 30)


def _at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def test_daily_rules_task_applies_section_32_once(env):
    from govhall.core.models import TaskDelivery

    case = submit(env)  # received Monday 11-23, not acted on: deemed accepted on 12-01
    with clock.frozen(dt.datetime(2026, 12, 1, 6, 30)):
        delivery = tasks.enqueue_daily_rules()  # today by the clock; run at once here
        assert delivery.delivery_id == "daily-rules:2026-12-01"
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("done", 1)
        case.refresh_from_db()
        assert case.deemed_accepted_s32
        again = tasks.daily_rules(day=dt.date(2026, 12, 1))  # the rules: idempotent
        assert again == {"deemed": [], "ended": [], "lights": []}
        tasks.enqueue_daily_rules(day=dt.date(2026, 12, 1))  # the same delivery: a no-op
        assert TaskDelivery.objects.get(delivery_id=delivery.delivery_id).attempts == 1


def test_run_daily_jobs_command_keeps_its_output(env):
    case = submit(env)
    out = io.StringIO()
    with clock.frozen(dt.datetime(2026, 12, 1, 0, 10)):
        call_command("run_daily_jobs", stdout=out)
    assert "每日法定任务（2026年12月01日）" in out.getvalue()
    assert f"：1 件：{case.number}" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_db_backend_stores_with_the_transaction_and_the_worker_runs_it(settings):
    settings.TASKS = DB_TASKS
    with pytest.raises(RuntimeError), transaction.atomic():
        tasks.enqueue_daily_rules(day=dt.date(2026, 11, 23))
        raise RuntimeError("the change rolls back")
    assert not DBTaskResult.objects.exists()  # rolled back with it: nothing stored

    with transaction.atomic():
        tasks.enqueue_daily_rules(day=dt.date(2026, 11, 23))
    stored = DBTaskResult.objects.get()
    assert stored.status == TaskResultStatus.READY
    assert stored.args_kwargs["kwargs"] == {"delivery_id": "daily-rules:2026-11-23"}

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    stored.refresh_from_db()
    assert stored.status == TaskResultStatus.SUCCESSFUL
    assert stored.return_value == {"day": "2026-11-23", "deemed": [], "ended": [], "lights": []}


@pytest.mark.parametrize(
    ("now", "workday", "enqueued", "due"),
    [
        (_at(2026, 11, 23, 6, 29), True, False, False),  # before the time
        (_at(2026, 11, 23, 6, 30), True, False, True),  # at the time
        (_at(2026, 11, 23, 18, 0), True, False, True),  # started late: still that day
        (_at(2026, 11, 23, 6, 31), True, True, False),  # once a day
        (_at(2026, 11, 28, 7, 0), False, False, False),  # not a working day
    ],
)
def test_daily_jobs_due(now, workday, enqueued, due):
    assert (
        scheduler.daily_jobs_due(now=now, at=AT, is_workday=workday, enqueued_today=enqueued) is due
    )


def test_due_is_judged_in_the_centres_time_zone():
    utc = dt.datetime(2026, 11, 22, 22, 45, tzinfo=dt.UTC)  # 06:45 on 11-23 in Shanghai
    assert scheduler.daily_jobs_due(now=utc, at=AT, is_workday=True, enqueued_today=False)


def test_tick_enqueues_on_working_days_once_at_the_set_time(db, settings):
    settings.TASKS = DB_TASKS
    settings.GOVHALL_DAILY_JOBS_AT = "07:15"
    with clock.frozen(dt.datetime(2026, 11, 23, 7, 14)):  # Monday
        assert scheduler.tick() is None
    with clock.frozen(dt.datetime(2026, 11, 23, 7, 15)):
        assert scheduler.tick() == "2026-11-23"
    scheduler._last_enqueued.clear()  # a restarted scheduler asks the stored tasks
    with clock.frozen(dt.datetime(2026, 11, 23, 9, 0)):
        assert scheduler.tick() is None
    with clock.frozen(dt.datetime(2026, 11, 28, 8, 0)):  # Saturday
        assert scheduler.tick() is None
    with clock.frozen(dt.datetime(2026, 11, 30, 7, 20)):  # Monday again
        assert scheduler.tick() == "2026-11-30"
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2


def test_bad_time_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.GOVHALL_DAILY_JOBS_AT = "6点半"
    with pytest.raises(ImproperlyConfigured, match="HH:MM"):
        scheduler.daily_jobs_at()
