"""The daily run (idempotent, audited), the people told, and the daily rules that
bring it (the drain of changed cases: test_drain.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases import tasks as case_tasks
from govhall.core import actors, clock
from govhall.core.models import AuditEntry, TaskDelivery
from govhall.notifications.models import Notification
from govhall.supervision import services
from govhall.supervision.models import Kind, Warning

from .helpers import D, act, submit

pytestmark = pytest.mark.django_db


def _raised():
    return AuditEntry.objects.filter(action="supervision.warning.raise")


def test_daily_run_raises_once_and_a_second_run_raises_nothing(env):
    late = act(submit(env), "accept", env.s.clerk.user)  # due 11-30
    with clock.frozen(dt.datetime(2026, 11, 30, 10)):  # closed within the recent days
        refused = act(submit(env), "refuse", env.s.clerk.user, reason="材料不全")
    first = services.daily_run(today=D(2026, 12, 1))
    assert first["raised"] >= 2 and first["cleared"] == 0
    assert {Kind.OVERDUE, Kind.REVIEW_STEP_OVERDUE} <= set(
        Warning.objects.filter(case=late).values_list("kind", flat=True)
    )
    assert Warning.objects.filter(case=refused, kind=Kind.WEAK_REASON).exists()
    rows, audits, told = Warning.objects.count(), _raised().count(), Notification.objects.count()
    assert audits == rows and told > 0
    again = services.daily_run(today=D(2026, 12, 1))
    assert again == {**first, "raised": 0, "cleared": 0}
    assert (Warning.objects.count(), _raised().count()) == (rows, audits)
    assert Notification.objects.count() == told


def test_a_raise_is_audited_as_the_system_and_clearing_too(env):
    case = act(submit(env), "accept", env.s.clerk.user)
    services.evaluate_case(case=case, today=D(2026, 11, 27))
    w = Warning.objects.get(case=case, kind=Kind.YELLOW_LIGHT)
    entry = AuditEntry.objects.get(action="supervision.warning.raise", object_id=str(w.pk))
    assert entry.actor is None and entry.actor_name == actors.SYSTEM.name
    services.evaluate_case(case=case, today=D(2026, 11, 30))
    assert AuditEntry.objects.filter(
        action="supervision.warning.clear", object_id=str(w.pk), reason="预警条件已消除"
    ).exists()


def test_the_chief_rep_and_the_responsible_are_told_once(env):
    case = act(submit(env), "accept", env.s.clerk.user, responsible=env.s.market_approver)
    services.evaluate_case(case=case, today=D(2026, 11, 27))
    w = Warning.objects.get(case=case, kind=Kind.YELLOW_LIGHT)
    told = Notification.objects.filter(
        template="supervision/warning", ref=f"supervision.warning:{w.pk}"
    )
    assert set(told.values_list("recipient_user_id", flat=True)) == {
        env.s.market_chief.user_id,
        env.s.market_approver.user_id,
    }
    services.tell(warnings=[w])  # a second telling: deduplicated
    assert told.count() == 2
    assert w.staff == env.s.market_approver


def test_the_daily_rules_queue_the_daily_warning_run(env, django_capture_on_commit_callbacks):
    case = act(submit(env), "accept", env.s.clerk.user)
    with clock.frozen(dt.datetime(2026, 11, 30, 6, 30)):
        with django_capture_on_commit_callbacks(execute=True):
            case_tasks.enqueue_daily_rules()
    run = TaskDelivery.objects.get(delivery_id="supervision:daily:2026-11-30")
    assert run.state == "done"
    assert Warning.objects.filter(case=case, kind=Kind.RED_LIGHT, cleared_at=None).exists()


def test_the_command_runs_the_daily_warnings(env):
    from io import StringIO

    from django.core.management import call_command

    act(submit(env), "accept", env.s.clerk.user)
    out = StringIO()
    call_command("run_daily_warnings", "--day", "2026-11-30", stdout=out)
    assert "2026-11-30：检查办件 1 件，新增预警" in out.getvalue()
    assert Warning.objects.filter(kind=Kind.RED_LIGHT).exists()


def test_the_daily_run_reads_in_batches_not_per_case(env):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    act(submit(env), "accept", env.s.clerk.user)
    services.daily_run(today=D(2026, 11, 24))  # the guide's steps are cached
    with CaptureQueriesContext(connection) as one:
        services.daily_run(today=D(2026, 11, 24))
    for _ in range(4):
        act(submit(env), "accept", env.s.clerk.user)
    services.daily_run(today=D(2026, 11, 24))
    with CaptureQueriesContext(connection) as five:
        assert services.daily_run(today=D(2026, 11, 24))["cases"] == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_the_morning_run_sends_each_person_one_daily_report(env):
    """预警日报: the chief rep hears of the department's new warnings and the 承办人 of
    their own, once a person however many warnings the run raised; a second run that
    raised nothing sends nothing, one that raised more sends the new count."""
    mine = [
        act(submit(env), "accept", env.s.clerk.user, responsible=env.s.market_approver)
        for _ in range(3)
    ]
    services.daily_run(today=D(2026, 11, 30))  # each due today: red light, step overdue
    raised = Warning.objects.filter(raised_on=D(2026, 11, 30))
    assert raised.count() >= 3
    daily = Notification.objects.filter(template="supervision/daily")
    assert not Notification.objects.filter(template="supervision/warning").exists()
    chief = daily.get(recipient_user_id=env.s.market_chief.user_id)
    approver = daily.get(recipient_user_id=env.s.market_approver.user_id)
    assert chief.context["total"] == raised.count() == approver.context["total"]
    assert chief.context["red"] == raised.filter(level="red").count()
    assert mine[0].number in chief.context["numbers"]
    assert "mine=1" in approver.url and "raised_on=2026-11-30" in approver.url
    assert "mine=1" not in chief.url
    services.daily_run(today=D(2026, 11, 30))
    assert daily.count() == 2
    later = act(submit(env), "accept", env.s.clerk.user)  # also due 11-30, not yet watched
    services.daily_run(today=D(2026, 11, 30))
    told = daily.filter(recipient_user_id=env.s.market_chief.user_id).order_by("id")
    assert told.count() == 2 and later.number in told.last().context["numbers"]
    assert daily.filter(recipient_user_id=env.s.market_approver.user_id).count() == 1


def test_the_warning_page_and_api_filter_by_day_and_by_mine(env, client):
    case = act(submit(env), "accept", env.s.clerk.user, responsible=env.s.market_approver)
    other = act(submit(env), "accept", env.s.clerk.user)
    services.daily_run(today=D(2026, 11, 27))
    services.daily_run(today=D(2026, 11, 30))
    client.force_login(env.s.market_approver.user)
    body = client.get("/staff/supervision/warnings/?status=all&raised_on=2026-11-30&mine=1")
    text = body.content.decode()
    assert case.number in text and other.number not in text
    assert "黄灯预警" not in text.split("<tbody>")[1]  # the yellow light was raised 11-27
    assert client.get("/staff/supervision/warnings/?raised_on=2026-13-40").status_code == 200
    client.force_login(env.s.supervisor.user)
    api = client.get("/api/v1/supervision/warnings/?raised_on=2026-11-27&status=open")
    assert api.status_code == 200
    rows = api.json()["results"]
    assert rows and {row["raised_on"] for row in rows} == {"2026-11-27"}
    assert {row["case_number"] for row in rows} == {case.number, other.number}
    bad = client.get("/api/v1/supervision/warnings/?raised_on=27.11.2026")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_filter"
