"""Reads (``cases.selectors``): the department list by urgency and its overdue count,
and the public progress query."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases import selectors
from govhall.cases.models import Light
from govhall.core import clock
from govhall.core.errors import NotFound

from .conftest import act, submit

D = dt.date


def test_department_list_by_urgency_and_overdue_count(env, tolerance, instant):
    clerk = env.s.clerk.user
    with clock.frozen(dt.datetime(2026, 11, 16, 9)):
        old = act(submit(env, env.tolerance), "accept", clerk)  # due 11-23
    new = act(submit(env), "accept", clerk)  # due 11-30
    pending = submit(env)  # not accepted: last
    done = act(submit(env, env.instant), "accept", clerk)
    done = act(done, "decide", clerk, result="approved", opinion="当场")
    with clock.frozen(dt.datetime(2026, 11, 24, 9)):
        listed = list(selectors.department_cases(department=env.c.market))
        assert listed[:3] == [old, done, new] and listed[-1] == pending
        assert [c.light for c in listed] == [Light.OVERDUE, Light.OVERDUE, Light.NORMAL, ""]
        assert selectors.overdue_count(department=env.c.market) == 2
        assert selectors.overdue_count(department=env.c.health) == 0


def test_public_progress_needs_phone_tail_and_hides_personal_data(env):
    case = act(submit(env), "accept", env.s.clerk.user)
    with pytest.raises(NotFound):
        selectors.public_progress(number=case.number, phone_tail="0000")
    info = selectors.public_progress(number=case.number, phone_tail="1234")
    assert info["applicant"] == "张**" and info["phone"] == "138****1234"
    assert info["state_label"] == "审查中" and info["due_date"] == D(2026, 11, 30)
    assert [step["label"] for step in info["steps"]] == ["申请", "受理"]
    flat = repr(info)
    assert case.applicant_id_number not in flat and "13800001234" not in flat
