"""日统计 (issue 11 §5): the rollup recounted as cases move equals a rebuild from
scratch; what each bucket counts; the readers; the rebuild command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from govhall.calendar.selectors import workdays_between
from govhall.cases import services
from govhall.cases.models import Channel
from govhall.cases.tests.conftest import bundle_case
from govhall.cases.tests.conftest import instant as instant_fixture
from govhall.cases.tests.conftest import restaurant_bundle as bundle_fixture
from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.core.errors import ValidationFailed
from govhall.supervision import rollups
from govhall.supervision.models import DailyCount

from .helpers import D, act, submit

pytestmark = pytest.mark.django_db
instant = instant_fixture
restaurant_bundle = bundle_fixture


def table() -> list[tuple]:
    cols = ["day", "department_id", "window_id", "staff_id", *rollups.METRICS]
    return sorted(DailyCount.objects.values_list(*cols), key=repr)


def moved(case):
    """What the drain does after a case changed."""
    rollups.recount_cases(case_ids=[case.pk])
    return case


def complete(env, case, *, review=True):
    clerk, chief = env.s.clerk.user, env.s.market_chief.user
    if review:
        case = moved(act(case, "review", chief, opinion="符合"))
    case = moved(act(case, "decide", chief, result="approved", opinion="同意"))
    case = moved(act(case, "certify", chief, result_number=f"SC{case.pk}"))
    case = moved(act(case, "deliver", clerk, method="electronic"))
    return moved(act(case, "complete", clerk))


def test_a_case_handed_over_leaves_its_old_departments_day(env):
    """划转 (governance) moves an open case to the new department: recounting the case
    must take it out of the old department's day, not only into the new one's."""
    with clock.frozen(dt.datetime(2026, 11, 23, 10)):
        case = moved(submit(env))
        moved(submit(env))  # a second one stays
    day = D(2026, 11, 23)

    def received(department):
        rows = DailyCount.objects.filter(day=day, department=department)
        return sum(rows.values_list("received", flat=True))

    assert (received(env.c.market), received(env.c.health)) == (2, 0)
    type(case).objects.filter(pk=case.pk).update(department=env.c.health)  # as hand_over does
    moved(case)
    assert (received(env.c.market), received(env.c.health)) == (1, 1)
    recounted = table()
    rollups.rebuild()
    assert table() == recounted


def one(**filters) -> dict:
    rows = rollups.totals(start=D(2020, 1, 1), end=D(2030, 12, 31), group_by=(), **filters)
    return rows[0]


def test_recounting_as_cases_move_equals_a_rebuild_from_scratch(env, instant, restaurant_bundle):
    clerk = env.s.clerk.user
    with clock.frozen(dt.datetime(2026, 11, 23, 10)):
        a = moved(submit(env))
        a = moved(act(a, "accept", clerk, responsible=env.s.market_approver))
        refused = moved(act(moved(submit(env)), "refuse", clerk, reason="材料不全，不符合法定形式"))
        quick = moved(submit(env, instant))
        quick = moved(act(quick, "accept", clerk))
    with clock.frozen(dt.datetime(2026, 11, 24, 15)):
        quick = complete(env, quick, review=False)
        parent = moved(bundle_case(env, restaurant_bundle))
        children = list(parent.children.all())
        for child in children:
            moved(child)
    with clock.frozen(dt.datetime(2026, 11, 25, 10)):
        a = complete(env, a)
        late = moved(act(moved(submit(env)), "accept", clerk))
    with clock.frozen(dt.datetime(2026, 12, 15, 0, 30)):  # 00:30 in Shanghai: 16:30 UTC
        late = complete(env, late)
    recounted = table()
    assert recounted

    written = rollups.rebuild()
    assert written == len(recounted)
    assert table() == recounted
    DailyCount.objects.all().delete()
    rollups.rebuild()
    assert table() == recounted

    market = env.c.market.pk
    assert one(department_ids=[market]) == {
        "received": 5,
        "received_online": 0,
        "accepted": 3,
        "deemed_accepted": 0,
        "not_accepted": 1,
        "completed": 3,
        # 即办件 due the day accepted (11-23), done 11-24; the last one long after its due date
        "completed_on_time": 1,
        "completed_instant": 1,
        "days_used": sum(used(c) for c in (a, quick, late)),
        "days_promised": a.limit_days + quick.limit_days + late.limit_days,
    }
    # 一件事: each child counts once in its department; the parent nowhere.
    health = one(department_ids=[env.c.health.pk])
    assert health["received"] == 1
    assert one()["received"] == 4 + len(children)  # the market child is among the 5
    assert not DailyCount.objects.filter(day=D(2026, 12, 14)).exists()
    assert DailyCount.objects.get(day=D(2026, 12, 15)).completed == 1
    by_staff = {
        r["staff"]: r["accepted"]
        for r in rollups.totals(
            start=D(2026, 11, 23), end=D(2026, 11, 23), group_by=("staff",), department_ids=[market]
        )
    }
    assert by_staff[env.s.market_approver.pk] == 1
    assert refused.state == "refused_acceptance"


def used(case) -> int:
    """Working days from 受理 to the local 办结 day, less the paused days."""
    done = timezone.localdate(case.completed_at)
    return max(0, workdays_between(start=case.accepted_on, end=done).count - case.paused_days)


def test_a_recount_replaces_only_the_buckets_of_its_cases(env):
    case = moved(submit(env))
    other = DailyCount.objects.create(day=D(2026, 1, 5), department=env.c.market, received=9)
    moved(act(case, "accept", env.s.clerk.user))
    assert DailyCount.objects.filter(pk=other.pk).exists()
    row = DailyCount.objects.get(day=D(2026, 11, 23))
    assert (row.received, row.accepted) == (1, 1)
    assert rollups.recount_cases(case_ids=[]) == 0


def test_the_rebuild_of_a_range_keeps_the_other_days(env):
    submit(env)  # 11-23
    with clock.frozen(dt.datetime(2026, 11, 26, 9)):
        submit(env)
    rollups.rebuild()
    assert DailyCount.objects.count() == 2
    DailyCount.objects.filter(day=D(2026, 11, 23)).update(received=7)
    assert rollups.rebuild(start=D(2026, 11, 24), end=D(2026, 11, 30)) == 1
    assert DailyCount.objects.get(day=D(2026, 11, 23)).received == 7
    assert rollups.rebuild(start=D(2026, 11, 23), end=D(2026, 11, 23)) == 1
    assert DailyCount.objects.get(day=D(2026, 11, 23)).received == 1
    assert rollups.rebuild(department_id=env.c.health.pk) == 0
    assert DailyCount.objects.count() == 2


def test_series_has_every_day_and_totals_group_by_month(env):
    submit(env)
    submit(env, channel=Channel.WINDOW)
    rollups.rebuild()
    days = rollups.series(start=D(2026, 11, 22), end=D(2026, 11, 24))
    assert days == [
        {"day": D(2026, 11, 22), "received": 0, "completed": 0, "completed_on_time": 0},
        {"day": D(2026, 11, 23), "received": 2, "completed": 0, "completed_on_time": 0},
        {"day": D(2026, 11, 24), "received": 0, "completed": 0, "completed_on_time": 0},
    ]
    months = rollups.totals(
        start=D(2026, 1, 1), end=D(2026, 12, 31), group_by=("department", "month")
    )
    assert [(r["department"], r["month"], r["received"]) for r in months] == [
        (env.c.market.pk, D(2026, 11, 1), 2)
    ]
    assert rollups.totals(start=D(2026, 1, 1), end=D(2026, 1, 2), group_by=()) == [
        dict.fromkeys(rollups.METRICS, 0)
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": D(2026, 2, 1), "end": D(2026, 1, 1)},
        {"start": "2026-01-01", "end": D(2026, 1, 1)},
        {"start": D(1990, 1, 1), "end": D(2026, 1, 1)},
        {"start": D(2026, 1, 1), "end": D(2026, 1, 2), "group_by": ("case",)},
    ],
)
def test_bad_reads_are_refused_in_chinese(kwargs):
    with pytest.raises(ValidationFailed) as err:
        rollups.totals(**kwargs)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value))


def test_the_command_rebuilds_and_says_what(env):
    submit(env)
    out = StringIO()
    call_command("rebuild_supervision_rollups", stdout=out)
    assert "重建日统计" in out.getvalue() and "1 行" in out.getvalue()
    out = StringIO()
    call_command(
        "rebuild_supervision_rollups",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--department",
        str(env.c.market.pk),
        stdout=out,
    )
    text = out.getvalue()
    assert "2026-11-01" in text and "2026-11-30" in text and env.c.market.name in text
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("rebuild_supervision_rollups", "--from", "11/01")
    with pytest.raises(CommandError, match="部门"):
        call_command("rebuild_supervision_rollups", "--department", "999999")
    with pytest.raises(CommandError, match="早于"):
        call_command("rebuild_supervision_rollups", "--from", "2026-12-01", "--to", "2026-11-01")


def test_online_and_deemed_acceptance_count_on_the_day_the_materials_came(env):
    online = moved(
        submit(
            env, actor=Applicant(), channel=Channel.ONLINE, idempotency_key="r1", fingerprint="f"
        )
    )
    late = moved(submit(env))
    with clock.frozen(dt.datetime(2026, 12, 3, 9)):
        deemed = services.apply_deemed_acceptance()
    assert {online.number, late.number} <= set(deemed)
    rollups.recount_cases(case_ids=[online.pk, late.pk])
    row = DailyCount.objects.get(day=D(2026, 11, 23))
    assert (row.received, row.received_online, row.accepted, row.deemed_accepted) == (2, 1, 2, 2)
    assert not DailyCount.objects.filter(day=D(2026, 12, 3)).exists()
    recounted = table()
    rollups.rebuild()
    assert table() == recounted


def test_the_drain_of_changed_cases_keeps_the_rollup_equal_to_a_rebuild(
    env, django_capture_on_commit_callbacks
):
    """Through the real path: a transition notes its case, the drain recounts it."""
    clerk = env.s.clerk.user
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(env)
    with django_capture_on_commit_callbacks(execute=True):
        case = act(case, "accept", clerk, responsible=env.s.market_approver)
    with django_capture_on_commit_callbacks(execute=True):
        act(submit(env), "refuse", clerk, reason="材料不全，不符合法定形式")
    row = DailyCount.objects.get(day=D(2026, 11, 23), staff=env.s.market_approver)
    assert (row.received, row.accepted) == (1, 1)
    assert one()["not_accepted"] == 1
    drained = table()
    rollups.rebuild()
    assert table() == drained
