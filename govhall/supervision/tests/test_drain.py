"""The changed cases are looked at off the request path: the request notes the case
(one statement), the drain of the second runs the rules, tells, and recounts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.core import clock
from govhall.core.models import TaskDelivery
from govhall.notifications.models import Notification
from govhall.supervision import drain
from govhall.supervision.models import DailyCount, Kind, PendingCase, Warning

from .helpers import act, submit

pytestmark = pytest.mark.django_db

STORED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def stored_tasks(settings):
    """Tasks stored for a worker, as on a site (the tests' default runs them at once)."""
    settings.TASKS = STORED
    drain.forget_kicks()
    yield
    drain.forget_kicks()


def test_with_tasks_run_at_once_a_transition_is_looked_at_at_once(
    env, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = act(submit(env), "refuse", env.s.clerk.user, reason="不符合条件")
    w = Warning.objects.get(case=case, kind=Kind.WEAK_REASON)
    assert Notification.objects.filter(
        ref=f"supervision.warning:{w.pk}", recipient_user_id=env.s.market_chief.user_id
    ).exists()
    assert not PendingCase.objects.exists()
    assert TaskDelivery.objects.filter(
        delivery_id__startswith="supervision:drain:", state="done"
    ).exists()


def test_the_request_only_notes_the_case_and_queues_one_drain_a_second(
    env, stored_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(env)
    with django_capture_on_commit_callbacks(execute=True):
        case = act(case, "refuse", env.s.clerk.user, reason="不符合条件")
    assert list(PendingCase.objects.values_list("case_id", flat=True)) == [case.pk]
    assert not Warning.objects.filter(case=case).exists()  # not in the request
    drains = TaskDelivery.objects.filter(delivery_id__startswith="supervision:drain:")
    assert drains.count() <= 2  # one a second (two if the second turned meanwhile)
    assert drain.drain_all() == {"cases": 1, "raised": 1, "cleared": 0}
    assert Warning.objects.filter(case=case, kind=Kind.WEAK_REASON, cleared_at=None).exists()
    assert not PendingCase.objects.exists()
    assert DailyCount.objects.filter(department=case.department, received=1).exists()
    assert drain.drain_all() == {"cases": 0, "raised": 0, "cleared": 0}


def test_after_commit_a_transition_costs_one_statement_and_reads_no_case(
    env, stored_tasks, django_capture_on_commit_callbacks
):
    case = submit(env)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = act(case, "accept", env.s.clerk.user)
    drain.kick()  # this second's drain is queued already (by an earlier event)
    from govhall.notifications import services as notifier

    notifier.kick()
    with CaptureQueriesContext(connection) as ctx:
        for callback in callbacks:
            callback()
    sql = [q["sql"] for q in ctx.captured_queries]
    pending = [q for q in sql if "supervision_pendingcase" in q]
    assert len(pending) == 1 and pending[0].lstrip().upper().startswith("INSERT")
    assert not [q for q in sql if "supervision_warning" in q or '"cases_case"' in q]


def test_a_note_left_waiting_gets_a_drain(env, stored_tasks):
    case = submit(env)
    PendingCase.objects.update_or_create(case=case, defaults={"queued_at": clock.now()})
    assert drain.kick_if_stranded() is False  # fresh: its own kick will come
    PendingCase.objects.update(queued_at=clock.now() - dt.timedelta(minutes=5))
    TaskDelivery.objects.filter(delivery_id__startswith="supervision:drain:").delete()
    drain.forget_kicks()
    assert drain.kick_if_stranded() is True
    assert TaskDelivery.objects.filter(delivery_id__startswith="supervision:drain:").exists()
