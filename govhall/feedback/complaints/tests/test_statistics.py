"""诉求统计: volume by category and department, on-time rate, 满意率, 重办."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.core import clock
from govhall.feedback.complaints import selectors

from .conftest import act, portal

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)


def _answered(org, category, *, dept, evaluate=None, late=False):
    c = act(
        act(portal(category), "accept", org.staff.clerk), "assign", org.staff.clerk, handler=dept
    )
    chief = org.staff.market_chief if dept == org.market else org.staff.health_chief
    c = act(c, "handle", chief)
    if late:
        with clock.frozen(dt.datetime(2026, 11, 24, 10, 0)):
            return act(c, "reply", chief, reply="迟复")
    c = act(c, "reply", chief, reply="答复")
    if evaluate:
        c = act(c, "close", org.staff.clerk)
        c = act(c, "visit", org.staff.clerk, method="phone", content="回访")
        c = act(c, "evaluate", org.staff.clerk, result=evaluate)
    return c


def test_statistics(org, django_assert_max_num_queries):
    _answered(org, "complaint", dept=org.market, evaluate="satisfied")
    _answered(org, "complaint", dept=org.market, evaluate="unsatisfied")  # reopened
    _answered(org, "urgent", dept=org.health, late=True)  # due the 23rd, replied the 24th
    act(
        act(portal("urgent"), "accept", org.staff.clerk),
        "assign",
        org.staff.clerk,
        handler=org.health,
    )
    portal("consultation")  # not yet accepted
    with clock.frozen(dt.datetime(2026, 11, 25, 9, 0)):
        with django_assert_max_num_queries(2):
            stats = selectors.statistics(start=DAY, end=DAY)
    by_category = {row["category"]: row["count"] for row in stats["by_category"]}
    assert by_category == {
        "urgent": 2,
        "consultation": 1,
        "help": 0,
        "suggestion": 0,
        "complaint": 2,
        "report": 0,
    }
    market, health = (
        next(r for r in stats["by_department"] if r["department"] == d.pk)
        for d in (org.market, org.health)
    )
    assert (market["total"], market["answered"], market["on_time"]) == (2, 2, 2)
    assert market["satisfaction_rate"] == 100.0  # the reopened one is open again
    assert market["reopened"] == 1
    assert (health["total"], health["answered"], health["on_time"], health["overdue_open"]) == (
        2,
        1,
        0,
        1,
    )
    assert health["on_time_rate"] == 0.0
    totals = stats["totals"]
    assert totals["total"] == 5 and totals["on_time_rate"] == 50.0
    assert (
        selectors.statistics(start=DAY, end=DAY, user=org.staff.health_chief.user)["totals"][
            "total"
        ]
        == 2
    )


def test_supervision_s_evaluation_scores_complaint_handling(org, settings):
    """诉求办理 in the department evaluation: 100 × (按时答复率 + 满意率) ÷ 2 of the
    complaints assigned to the department in the period; without complaints, 暂无数据."""
    from govhall.supervision.evaluation import Period, evaluate
    from govhall.testing import factories

    factories.make_department(serial=9, name="测试县交通运输局")  # no complaint
    _answered(org, "complaint", dept=org.market, evaluate="satisfied")  # on time, 满意
    _answered(org, "urgent", dept=org.health, late=True)  # replied a day late
    with clock.frozen(dt.datetime(2026, 11, 25, 9, 0)):
        rows = {r.unit_id: r for r in evaluate(period=Period.month(2026, 11))}

    def value(dept):
        return {v.key: v for v in rows[dept.pk].values}["complaint_handling"]

    market, health = value(org.market), value(org.health)
    assert market.score == 100 and market.shown == "1 件 · 按时答复 100.0% · 满意 100.0%"
    assert health.score == 0 and health.shown == "1 件 · 按时答复 0.0%"
    others = [r for r in rows.values() if r.unit_id not in (org.market.pk, org.health.pk)]
    assert others and all(
        {v.key: v for v in r.values}["complaint_handling"].shown == "暂无数据" for r in others
    )
