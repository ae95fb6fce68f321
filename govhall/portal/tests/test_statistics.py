"""办件统计 on the portal (政务公开, issue 11 §4): per month of the last twelve, the
cases received and completed and the on-time rate, for the county and per department,
from the rollups; no personal data; public.

The cases: a market case (an item published in October) received 10-12 and completed
on time on 10-14; a market case received 11-23 and completed late on 12-01 (due
11-30); a health case received 11-24, still open. Seen on 2026-12-01."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases import guards
from govhall.cases.models import State
from govhall.cases.tests import conftest as case_fixtures
from govhall.cases.tests.conftest import act, submit
from govhall.core import clock
from govhall.supervision import dashboard, rollups

pytestmark = pytest.mark.django_db

# the fixtures of the cases tests: the hall, its health item, an item published in October
env, hall = case_fixtures.env, case_fixtures.hall
health_item, old_item = case_fixtures.health_item, case_fixtures.old_item

T = dt.date(2026, 12, 1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour)


def _received(env, item, day):
    with clock.frozen(at(day)):
        return act(submit(env, item), "accept", env.s.clerk.user)


def _finish(env, case, day):
    chief = env.s.market_chief.user
    with clock.frozen(at(day, 11)):
        while case.state == State.IN_REVIEW and case.current_step < len(guards.review_steps(case)):
            case = act(case, "review", chief, opinion="材料齐全，符合条件")
        case = act(case, "decide", chief, result="approved", opinion="同意")
        case = act(case, "certify", chief, result_number=f"JY1150626{case.pk:07d}")
        case = act(case, "deliver", env.s.clerk.user, method="window")
        return act(case, "complete", env.s.clerk.user)


@pytest.fixture
def cases(env, old_item, health_item):
    early = _finish(env, _received(env, old_item, dt.date(2026, 10, 12)), dt.date(2026, 10, 14))
    late = _finish(env, _received(env, env.c.market_item, dt.date(2026, 11, 23)), T)
    open_ = _received(env, health_item, dt.date(2026, 11, 24))
    rollups.rebuild()
    return [early, late, open_]


def _month(rows, year, month):
    return next(r for r in rows if r["month"] == dt.date(year, month, 1))


def test_the_figures_per_month_and_department(env, cases):
    s = dashboard.public_statistics(today=T)
    assert s["start"] == dt.date(2026, 1, 1) and len(s["months"]) == 12
    assert (
        _month(s["county"], 2026, 10)["received"],
        _month(s["county"], 2026, 10)["completed"],
    ) == (1, 1)
    assert _month(s["county"], 2026, 10)["on_time_rate"] == 100.0
    assert _month(s["county"], 2026, 11)["received"] == 2
    assert _month(s["county"], 2026, 11)["on_time_rate"] is None  # nothing completed
    assert _month(s["county"], 2026, 12)["on_time_rate"] == 0.0  # the late one
    assert s["total"] == {
        "month": None,
        "received": 3,
        "completed": 2,
        "on_time": 1,
        "on_time_rate": 50.0,
    }
    market, health = (
        next(d for d in s["departments"] if d["id"] == x.pk) for x in (env.c.market, env.c.health)
    )
    assert (market["total"]["received"], market["total"]["completed"]) == (2, 2)
    assert (health["total"]["received"], health["total"]["completed"]) == (1, 0)
    assert _month(health["months"], 2026, 11)["received"] == 1
    assert _month(market["months"], 2026, 12)["completed"] == 1
    assert [r["month"] for r in s["county"]] == [dt.date(2026, m, 1) for m in range(1, 13)]


def test_the_public_page_without_login_and_without_personal_data(client, env, cases):
    with clock.frozen(at(T)):
        response = client.get("/statistics/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "办件统计" in html and "2026年10月" in html and "2026年12月" in html
    assert "测试县市场监督管理局" in html and "测试县卫生健康委员会" in html
    assert 'id="total-received">3<' in html and 'id="total-rate">50.0%<' in html
    for case in cases:
        assert case.number not in html
        assert case.applicant_name not in html and case.applicant_phone not in html
    assert 'href="/statistics/"' in html  # the portal's nav


def test_the_page_is_cached_for_the_day(client, env, cases):
    with clock.frozen(at(T)):
        assert 'id="total-received">3<' in client.get("/statistics/").content.decode()
        with clock.frozen(at(T, 11)):
            submit(env)  # a new case: the rollups recount, the page waits for its hour
        rollups.rebuild()
        assert 'id="total-received">3<' in client.get("/statistics/").content.decode()


def test_with_no_cases_the_page_says_so(client, db):
    response = client.get("/statistics/")
    assert response.status_code == 200
    assert "暂无数据" in response.content.decode()
