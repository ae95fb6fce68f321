"""Fixtures of the 人员管理 tests: the organisation of ``factories.build_org`` (county
centre, 市场监管局 and 卫健委 with their 首席代表, the window clerk, the administrator
and the supervisor) with department windows and window workers of both departments."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from govhall.core import clock
from govhall.org.models import Role, Window
from govhall.staff import services
from govhall.testing import factories


@pytest.fixture
def people(org):
    county = org.county
    market_window = Window.objects.create(
        centre=county, number="05", name="市场监管专窗", type="department", department=org.market
    )
    health_window = Window.objects.create(
        centre=county, number="06", name="卫健专窗", type="department", department=org.health
    )
    second = Window.objects.create(
        centre=county, number="02", name="综合受理二", type="comprehensive"
    )

    def worker(username, name, department):
        return factories.make_staff(
            username=username, name=name, role=Role.APPROVER, centre=county, department=department
        )

    s = org.staff
    ns = SimpleNamespace(
        org=org,
        county=county,
        market=org.market,
        health=org.health,
        comprehensive=org.window,
        second=second,
        market_window=market_window,
        health_window=health_window,
        admin=s.admin,
        market_chief=s.market_chief,
        health_chief=s.health_chief,
        clerk=s.clerk,
        supervisor=s.supervisor,
        market_worker=worker("market_worker", "市场窗口甲", org.market),
        market_spare=worker("market_spare", "市场窗口乙", org.market),
        health_worker=worker("health_worker", "卫健窗口甲", org.health),
    )
    return ns


def assign_on(p, staff, window, day: dt.date, **kw):
    """An assignment made (and started) on ``day``."""
    with clock.frozen(dt.datetime.combine(day, dt.time(9, 0))):
        return services.assign(actor=p.admin.user, staff=staff, window=window, starts_on=day, **kw)


@pytest.fixture
def stationed(people):
    """The market worker at the market window since 2026-03-02 (under a year), the
    health worker at the health window since 2025-03-03 (over a year), the clerk at
    window 01 since 2025-01-06."""
    people.market_assignment = assign_on(
        people, people.market_worker, people.market_window, dt.date(2026, 3, 2)
    )
    people.health_assignment = assign_on(
        people, people.health_worker, people.health_window, dt.date(2025, 3, 3)
    )
    people.clerk_assignment = assign_on(
        people, people.clerk, people.comprehensive, dt.date(2025, 1, 6)
    )
    return people
