"""督办 the day after a missed deadline and the reminder the working day before it,
queued by the cases' morning run (``cases.signals.daily_rules_done``)."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases.signals import daily_rules_done
from govhall.core import clock
from govhall.core.errors import Conflict
from govhall.core.models import AuditEntry
from govhall.feedback.complaints import services
from govhall.notifications.models import Notification

from .conftest import act, portal

pytestmark = pytest.mark.django_db


def _urgent(org):
    c = act(portal("urgent"), "accept", org.staff.clerk)
    return act(c, "assign", org.staff.clerk, handler=org.market)


def test_a_missed_deadline_is_supervised_the_next_day_once(org):
    c = _urgent(org)
    assert c.due_date == dt.date(2026, 11, 23)
    assert services.supervise_overdue() == []  # due today: not late yet
    with clock.frozen(dt.datetime(2026, 11, 24, 6, 30)):
        assert services.supervise_overdue() == [c.number]
        assert services.supervise_overdue() == []
    c.refresh_from_db()
    assert c.supervised_due == c.due_date and c.state == "assigned"
    event = c.events.get(action="supervise")
    assert event.actor_name == "系统"
    assert AuditEntry.objects.filter(action="complaints.complaint.supervise").count() == 1
    told = set(
        Notification.objects.filter(context__event="督办").values_list("recipient_user", flat=True)
    )
    assert {org.staff.market_chief.user_id, org.staff.admin.user_id} <= told


def test_a_replied_complaint_is_not_supervised(org):
    c = act(_urgent(org), "handle", org.staff.market_chief)
    act(c, "reply", org.staff.market_chief, reply="已处理")
    with clock.frozen(dt.datetime(2026, 11, 24, 6, 30)):
        assert services.supervise_overdue() == []


def test_supervision_office_may_supervise_only_a_late_one(org):
    c = _urgent(org)
    with pytest.raises(Conflict) as exc:
        act(c, "supervise", org.staff.supervisor)
    assert exc.value.code == "not_overdue"
    with clock.frozen(dt.datetime(2026, 11, 24, 10, 0)):
        act(c, "supervise", org.staff.supervisor, opinion="请立即办理")
        with pytest.raises(Conflict) as exc:
            act(c, "supervise", org.staff.admin)
        assert exc.value.code == "already_supervised"


def test_the_department_is_reminded_the_working_day_before(org):
    c = act(
        act(portal("consultation"), "accept", org.staff.clerk),
        "assign",
        org.staff.clerk,
        handler=org.market,
    )
    assert c.due_date == dt.date(2026, 11, 26)
    assert services.remind_due() == []  # Monday: three working days left
    with clock.frozen(dt.datetime(2026, 11, 25, 6, 30)):
        assert services.remind_due() == [c.number]
        assert services.remind_due() == []
    reminders = Notification.objects.filter(context__event="答复期限临近")
    assert set(reminders.values_list("recipient_user", flat=True)) == {
        org.staff.market_chief.user_id,
        org.staff.market_approver.user_id,
    }


def test_the_morning_run_follows_the_cases_daily_rules(org):
    c = _urgent(org)
    with clock.frozen(dt.datetime(2026, 11, 24, 6, 30)):
        daily_rules_done.send(sender=None, day=clock.today(), result={})
        daily_rules_done.send(sender=None, day=clock.today(), result={})
    c.refresh_from_db()
    assert c.supervised_due == c.due_date
    assert c.events.filter(action="supervise").count() == 1


def test_the_centre_is_told_the_working_day_before_a_callback_is_due(org):
    c = act(_urgent(org), "handle", org.staff.market_chief)
    c = act(c, "reply", org.staff.market_chief, reply="已答复")
    c = act(c, "close", org.staff.clerk)  # 办结 on Monday 23 November
    assert services.visit_due(dt.date(2026, 11, 23)) == dt.date(2026, 11, 26)
    with clock.frozen(dt.datetime(2026, 11, 24, 6, 30)):
        assert services.remind_visits() == []  # due Thursday: not yet
    with clock.frozen(dt.datetime(2026, 11, 25, 6, 30)):
        assert services.remind_visits() == [c.number]
        assert services.remind_visits() == []  # once
    told = set(
        Notification.objects.filter(context__event="回访到期").values_list(
            "recipient_user", flat=True
        )
    )
    assert told == {org.staff.clerk.user_id, org.staff.admin.user_id}  # the centre side
    act(c, "visit", org.staff.clerk, method="phone", content="已回访，诉求人认可")
    with clock.frozen(dt.datetime(2026, 11, 27, 6, 30)):
        assert services.remind_visits() == []  # visited: nothing due
