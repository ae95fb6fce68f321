"""R-STAFF-2 and R-STAFF-3 (达拉特旗 §21): a department asks 5 working days ahead to
move a worker; a worker the centre returns is replaced within 5 working days, else
the morning run marks it late, tells the 首席代表 and the pages warn."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from govhall.core import clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.notifications.models import Notification
from govhall.staff import services
from govhall.staff.models import MoveState, WindowAssignment

pytestmark = pytest.mark.django_db


def test_five_working_days_ahead_is_enough_four_is_not(stationed):
    p = stationed
    # Monday 2026-11-23: five working days later is Monday 11-30
    with pytest.raises(ValidationFailed) as exc:
        services.request_move(
            actor=p.market_chief.user,
            staff=p.market_worker,
            planned_on=dt.date(2026, 11, 27),
            reason="局内业务调整",
        )
    assert exc.value.code == "too_short_notice"
    assert "2026-11-30" in exc.value.message
    request = services.request_move(
        actor=p.market_chief.user,
        staff=p.market_worker,
        planned_on=dt.date(2026, 11, 30),
        reason="局内业务调整",
    )
    assert request.state == MoveState.PENDING


def test_the_five_days_are_working_days_across_national_day(stationed):
    p = stationed
    with clock.frozen(dt.datetime(2026, 9, 29, 10, 0)):  # Tuesday before 国庆 (10-01…10-07)
        assert services.notice_deadline(day=clock.today()) == dt.date(2026, 10, 12)
        with pytest.raises(ValidationFailed) as exc:  # ten calendar days, three working days
            services.request_move(
                actor=p.market_chief.user,
                staff=p.market_worker,
                planned_on=dt.date(2026, 10, 9),
                reason="局内业务调整",
            )
        assert exc.value.code == "too_short_notice"
        services.request_move(
            actor=p.market_chief.user,
            staff=p.market_worker,
            planned_on=dt.date(2026, 10, 12),
            reason="局内业务调整",
        )


def test_only_the_workers_own_chief_asks(stationed):
    p = stationed
    for actor in (p.health_chief, p.market_worker, p.clerk):
        with pytest.raises(PermissionDenied):
            services.request_move(
                actor=actor.user,
                staff=p.market_worker,
                planned_on=dt.date(2026, 12, 7),
                reason="调整",
            )


def test_the_centre_approves_and_the_move_is_made_on_the_planned_date(stationed):
    p = stationed
    request = services.request_move(
        actor=p.health_chief.user,
        staff=p.health_worker,
        planned_on=dt.date(2026, 11, 30),
        reason="回局工作",
    )
    with pytest.raises(ValidationFailed):  # refusing needs a note
        services.decide_move(actor=p.admin.user, request=request, approve=False)
    with pytest.raises(PermissionDenied):
        services.decide_move(actor=p.health_chief.user, request=request, approve=True)
    services.decide_move(actor=p.admin.user, request=request, approve=True, note="同意")
    old = WindowAssignment.objects.get(pk=p.health_assignment.pk)
    assert old.ends_on == dt.date(2026, 11, 29)
    p.health_worker.refresh_from_db()
    assert p.health_worker.window == p.health_window  # until the planned date
    with clock.frozen(dt.datetime(2026, 11, 30, 6, 30)):
        services.run_daily(day=clock.today())
    p.health_worker.refresh_from_db()
    assert p.health_worker.window is None
    assert AuditEntry.objects.filter(action="staff.move.approve").count() == 1


def test_an_early_move_through_a_request_needs_the_approval_reason(stationed):
    p = stationed
    request = services.request_move(
        actor=p.market_chief.user,
        staff=p.market_worker,
        planned_on=dt.date(2026, 11, 30),
        to_window=p.second,
        reason="综合窗口需要",
    )
    with pytest.raises(Conflict) as exc:
        services.decide_move(actor=p.admin.user, request=request, approve=True)
    assert exc.value.code == "min_term_not_served"
    request.refresh_from_db()
    assert request.state == MoveState.PENDING  # nothing half done
    services.decide_move(
        actor=p.admin.user, request=request, approve=True, early_reason="中心同意提前调整"
    )
    assert (
        WindowAssignment.objects.get(pk=p.market_assignment.pk).early_reason == "中心同意提前调整"
    )


def test_a_return_gives_five_working_days_and_a_timely_replacement_takes_the_window(stationed):
    p = stationed
    notice = services.return_worker(
        actor=p.admin.user, staff=p.market_worker, opinion="多次迟到早退，不服从窗口管理"
    )
    assert notice.due_on == dt.date(2026, 11, 30)
    p.market_worker.refresh_from_db()
    assert p.market_worker.window is None
    with clock.frozen(dt.datetime(2026, 11, 27, 10, 0)):
        services.replace_worker(
            actor=p.market_chief.user, notice=notice, replacement=p.market_spare
        )
        assert services.run_daily(day=dt.date(2026, 12, 1))["returns_late"] == 0
    p.market_spare.refresh_from_db()
    assert p.market_spare.window == p.market_window
    with pytest.raises(Conflict):
        services.replace_worker(
            actor=p.market_chief.user, notice=notice, replacement=p.market_spare
        )


def test_a_chief_of_another_department_cannot_replace(stationed):
    p = stationed
    notice = services.return_worker(
        actor=p.admin.user, staff=p.market_worker, opinion="不适合窗口工作"
    )
    with pytest.raises(PermissionDenied):
        services.replace_worker(
            actor=p.health_chief.user, notice=notice, replacement=p.health_worker
        )
    with pytest.raises(ValidationFailed) as exc:
        services.replace_worker(
            actor=p.market_chief.user, notice=notice, replacement=p.health_worker
        )
    assert exc.value.code == "invalid_replacement"


def test_a_late_replacement_is_marked_told_and_shown(stationed):
    p = stationed
    notice = services.return_worker(actor=p.admin.user, staff=p.market_worker, opinion="不服从管理")
    assert services.run_daily(day=dt.date(2026, 11, 30))["returns_late"] == 0  # due that day
    with clock.frozen(dt.datetime(2026, 12, 1, 6, 30)):
        assert services.run_daily(day=dt.date(2026, 12, 1))["returns_late"] == 1
        assert services.run_daily(day=dt.date(2026, 12, 1))["returns_late"] == 0  # once
        notice.refresh_from_db()
        assert notice.late_since == dt.date(2026, 12, 1)
        told = Notification.objects.get(recipient_user=p.market_chief.user)
        assert told.template == "staff/return_late"
        client = Client()
        client.force_login(p.market_chief.user)
        page = client.get("/staff/people/").content.decode()
        assert "补派逾期" in page and "市场窗口甲" in page
        other = Client()
        other.force_login(p.health_chief.user)
        assert "补派逾期" not in other.get("/staff/people/").content.decode()


def test_centre_staff_have_no_home_department_to_return_to(stationed):
    with pytest.raises(ValidationFailed) as exc:
        services.return_worker(actor=stationed.admin.user, staff=stationed.clerk, opinion="不适合")
    assert exc.value.code == "no_home_department"
