"""The legal clock (``cases.deadlines``): due dates, pauses, extension across National
Day 2026, acceptance after §32's five days, the lights.

(§32 deemed acceptance and the 2027 recompute are jobs: ``services/test_jobs.py``.)"""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases import deadlines, selectors
from govhall.cases.models import Case, DocumentKind, Light, SpecialStepRun, State
from govhall.core import clock
from govhall.testing import factories

from .conftest import act, submit

D = dt.date


def test_special_step_pause_and_extension_across_national_day(env, special):
    s = env.s
    with clock.frozen(dt.datetime(2026, 9, 18, 10)):  # Friday
        case = act(submit(env, env.special), "accept", s.clerk.user)
    # 5 working days: Sun 9-20 (调休上班) 21 22 23 24 → Thursday 9-24.
    assert case.due_date == D(2026, 9, 24)
    inspection = env.special.versions.get().special_steps.get(name="现场踏勘")
    notice = {
        "time": "2026-09-25 09:00",
        "place": "申请人生产车间",
        "content": "核查生产条件",
        "persons": "市场审批、市场首代",
        "method": "实地查看",
    }
    with clock.frozen(dt.datetime(2026, 9, 22, 10)):
        case = act(case, "start_special_step", s.market_approver.user,
                   special_step=inspection, notice=notice)  # fmt: skip
    assert case.state == State.SPECIAL_STEP and case.clock_paused
    assert deadlines.light_of(case, D(2026, 9, 30)) == Light.PAUSED
    told = case.documents.get(kind=DocumentKind.SPECIAL_STEP)
    assert told.data["notice"]["place"] == "申请人生产车间" and not told.data["counted_in_limit"]
    with clock.frozen(dt.datetime(2026, 9, 30, 16)):
        case = act(case, "end_special_step", s.market_approver.user, record="现场符合要求")
    # Paused (9-22, 9-30]: 23 24 28 29 30 = 5 working days (25-27 中秋).
    assert SpecialStepRun.objects.get(case=case).paused_days == 5
    assert case.paused_days == 5 and not case.clock_paused
    # 10 working days after 9-18: … 9-30, then 国庆 10-1..7, 10-8, 10-9.
    assert case.due_date == D(2026, 10, 9)
    with clock.frozen(dt.datetime(2026, 10, 8, 9)):
        case = act(case, "extend", s.market_chief.user, days=10, reason="需专家论证")
    # +10: Sat 10-10 (调休上班) 12 13 14 15 16 19 20 21 22.
    assert case.due_date == D(2026, 10, 22) and case.extension_days == 10
    assert not case.deadline_provisional


def test_counted_special_step_does_not_pause(env, special):
    s = env.s
    with clock.frozen(dt.datetime(2026, 9, 18, 10)):
        case = act(submit(env, env.special), "accept", s.clerk.user)
        meeting = env.special.versions.get().special_steps.get(name="会议研究")
        case = act(case, "start_special_step", s.market_chief.user,
                   special_step=meeting, notice={"content": "集体研究"})  # fmt: skip
        assert not case.clock_paused
    with clock.frozen(dt.datetime(2026, 9, 23, 10)):
        case = act(case, "end_special_step", s.market_chief.user, record="同意")
    assert case.due_date == D(2026, 9, 24) and case.paused_days == 0


def test_accepting_late_uses_receipt_date_and_flags(env):
    case = submit(env)
    with clock.frozen(dt.datetime(2026, 12, 2, 9)):
        case = act(case, "accept", env.s.clerk.user)
    assert case.deemed_accepted_s32 and case.accepted_on == D(2026, 11, 23)


@pytest.mark.parametrize(
    ("today", "light", "remaining"),
    [
        (D(2026, 11, 26), Light.NORMAL, 2),
        (D(2026, 11, 27), Light.YELLOW, 1),  # 80% used (4 of 5) and 1 day left
        (D(2026, 11, 28), Light.YELLOW, 1),  # Saturday
        (D(2026, 11, 30), Light.RED, 0),
        (D(2026, 12, 1), Light.OVERDUE, -1),
    ],
)
def test_lights_in_python_and_sql_agree(env, today, light, remaining):
    case = act(submit(env), "accept", env.s.clerk.user)
    assert case.yellow_from == D(2026, 11, 27)
    assert deadlines.light_of(case, today) == light
    assert deadlines.remaining_workdays(case, today) == remaining
    assert selectors.with_light(Case.objects.filter(pk=case.pk), today=today).get().light == light
    listed = selectors.department_cases(department=env.c.market, light=light, today=today)
    assert list(listed) == [case]


def test_yellow_at_80_percent_of_a_long_limit(env):
    with clock.frozen(dt.datetime(2026, 1, 5, 9)):
        long_item = factories.publish_item(
            actor=env.c.root, department=env.c.market, basic_code="000111222009",
            name="长时限事项", promised_limit_days=20,
        )  # fmt: skip
    case = act(submit(env, long_item), "accept", env.s.clerk.user)
    # 20 days from 11-23 → 12-21; 80% = 16 days → 12-15 (before "1 day left" 12-18).
    assert case.due_date == D(2026, 12, 21) and case.yellow_from == D(2026, 12, 15)
