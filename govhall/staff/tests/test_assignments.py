"""R-STAFF-1 (内乡县 §33 工作期限不少于一年): windows by date, org.Staff.window kept in
sync through org's audited service, and the one-year rule with and without the
centre's approval."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.core import clock
from govhall.core.errors import Conflict, PermissionDenied
from govhall.core.models import AuditEntry
from govhall.staff import services
from govhall.staff.models import WindowAssignment

from .conftest import assign_on

pytestmark = pytest.mark.django_db


def test_an_assignment_puts_the_worker_at_the_window_and_the_org_record_follows(people):
    a = services.assign(
        actor=people.admin.user,
        staff=people.market_worker,
        window=people.market_window,
        starts_on=clock.today(),
        reason="部门派驻",
    )
    people.market_worker.refresh_from_db()
    assert people.market_worker.window == people.market_window
    assert a.department == people.market
    # the org record changed through org's service: its own audit row names the admin
    entry = AuditEntry.objects.filter(
        action="org.staff.update", object_id=str(people.market_worker.pk)
    ).get()
    assert entry.actor == people.admin.user and "window" in entry.changes
    assert AuditEntry.objects.filter(action="staff.assignment.create", object_id=str(a.pk)).exists()


def test_moving_a_worker_younger_than_a_year_needs_the_centres_approval(stationed):
    p = stationed
    with pytest.raises(Conflict) as exc:
        services.assign(
            actor=p.admin.user, staff=p.market_worker, window=p.second, starts_on=clock.today()
        )
    assert exc.value.code == "min_term_not_served"
    assert "2027-03-02" in exc.value.message  # the term ends a year after 2026-03-02
    # nothing moved
    p.market_worker.refresh_from_db()
    assert p.market_worker.window == p.market_window
    assert WindowAssignment.objects.filter(staff=p.market_worker).count() == 1

    services.assign(
        actor=p.admin.user,
        staff=p.market_worker,
        window=p.second,
        starts_on=clock.today(),
        early_reason="综合窗口缺员，中心同意提前调整",
    )
    old = WindowAssignment.objects.get(pk=p.market_assignment.pk)
    assert old.ends_on == clock.today() - dt.timedelta(days=1)
    assert old.early_approved_by == p.admin.user
    assert old.early_reason == "综合窗口缺员，中心同意提前调整"
    entry = AuditEntry.objects.get(action="staff.assignment.end", object_id=str(old.pk))
    assert "中心批准" in entry.reason
    p.market_worker.refresh_from_db()
    assert p.market_worker.window == p.second


def test_after_a_year_the_move_needs_no_approval(stationed):
    p = stationed
    services.assign(
        actor=p.admin.user, staff=p.health_worker, window=p.second, starts_on=clock.today()
    )
    old = WindowAssignment.objects.get(pk=p.health_assignment.pk)
    assert old.ends_on == dt.date(2026, 11, 22) and old.early_approved_by is None


def test_the_last_day_before_the_anniversary_is_still_early(people):
    a = assign_on(people, people.market_worker, people.market_window, dt.date(2025, 11, 24))
    with pytest.raises(Conflict):  # last day 2026-11-22: the year ends 2026-11-24
        services.end_assignment(
            actor=people.admin.user, assignment=a, ends_on=dt.date(2026, 11, 22), reason="调离"
        )
    services.end_assignment(
        actor=people.admin.user, assignment=a, ends_on=dt.date(2026, 11, 23), reason="调离"
    )
    people.market_worker.refresh_from_db()
    assert people.market_worker.window == people.market_window  # still at work today


def test_only_the_centre_assigns(people):
    with pytest.raises(PermissionDenied):
        services.assign(
            actor=people.market_chief.user,
            staff=people.market_worker,
            window=people.market_window,
            starts_on=clock.today(),
        )


def test_a_future_assignment_takes_effect_in_the_morning_run(stationed):
    p = stationed
    services.assign(
        actor=p.admin.user, staff=p.health_worker, window=p.second, starts_on=dt.date(2026, 11, 25)
    )
    p.health_worker.refresh_from_db()
    assert p.health_worker.window == p.health_window
    assert services.run_daily(day=dt.date(2026, 11, 24))["assignments_synced"] == 0
    with clock.frozen(dt.datetime(2026, 11, 25, 6, 30)):
        assert services.run_daily(day=dt.date(2026, 11, 25))["assignments_synced"] == 1
        assert services.run_daily(day=dt.date(2026, 11, 25))["assignments_synced"] == 0
    p.health_worker.refresh_from_db()
    assert p.health_worker.window == p.second
