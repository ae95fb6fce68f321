"""The loop 受理 → 派单 → 退单/派单 → 办理 → 答复 → 办结 → 回访 → 评价, 直接办结, and the
deadlines by category (working days, policy)."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.core import actors, clock, policy
from govhall.core.errors import Conflict, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.feedback.complaints import services, workflow
from govhall.feedback.complaints.models import Category, ComplaintEvent, State
from govhall.notifications.models import Notification

from .conftest import act, portal

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def test_portal_submission_gets_a_yearly_tracking_number(org):
    first, second = portal(), portal()
    assert first.number == "SQ2026-000001"
    assert second.number == "SQ2026-000002"
    assert first.state == State.SUBMITTED
    assert first.centre == org.county
    event = first.events.get()
    assert event.action == "submit" and event.actor_name == "申请人 张三丰"
    assert AuditEntry.objects.filter(action="complaints.complaint.submit").count() == 2


def test_the_whole_loop_with_one_return(org, accepted):
    staff = org.staff
    assert accepted.state == State.ACCEPTED
    assert accepted.accepted_on == MONDAY
    assert accepted.due_date == dt.date(2026, 12, 14)  # 投诉: 15 working days
    c = act(accepted, "assign", staff.clerk, handler=org.health, opinion="请卫健委办理")
    assert c.state == State.ASSIGNED and c.department == org.health
    assert Notification.objects.filter(recipient_user=staff.health_chief.user).exists()
    c = act(c, "return", staff.health_chief, reason="不属于本部门职责，应由市场监管局办理")
    assert c.state == State.RETURNED and c.department is None and c.returned_count == 1
    c = act(c, "assign", staff.clerk, handler=org.market)
    with pytest.raises(Conflict) as exc:
        act(c, "return", staff.market_chief, reason="再次退单")
    assert exc.value.code == "return_limit"
    c = act(c, "handle", staff.market_approver)
    assert c.state == State.IN_PROGRESS
    c = act(c, "reply", staff.market_chief, reply="已约谈窗口负责人，增设一个窗口。")
    assert c.state == State.REPLIED and c.replied_at is not None
    c = act(c, "close", staff.clerk)
    assert c.state == State.CLOSED
    assert Notification.objects.filter(channel="sms", recipient_phone="13904771234").exists()
    c = act(c, "visit", staff.clerk, method="phone", content="电话回访，诉求人认可处理结果")
    assert c.state == State.VISITED
    c = act(c, "evaluate", staff.clerk, result="satisfied")
    assert c.state == State.SATISFIED and c.satisfied is True
    actions = list(c.events.values_list("action", flat=True))
    assert actions == [
        "submit",
        "accept",
        "assign",
        "return",
        "assign",
        "handle",
        "reply",
        "close",
        "visit",
        "evaluate",
    ]
    audit_names = set(
        AuditEntry.objects.filter(
            object_id=str(c.pk), object_type="complaints.complaint"
        ).values_list("action", flat=True)
    )
    assert {"complaints.complaint.return", "complaints.complaint.evaluate"} <= audit_names
    returned = AuditEntry.objects.get(action="complaints.complaint.return")
    assert returned.actor_name == "卫健首代"
    assert returned.reason.startswith("不属于本部门职责")


def _to_visited(org, c):
    c = act(c, "handle", org.staff.market_chief)
    c = act(c, "reply", org.staff.market_chief, reply="已处理")
    c = act(c, "close", org.staff.clerk)
    return act(c, "visit", org.staff.clerk, method="sms", content="短信回访")


def test_unsatisfied_reopens_once_then_closes_unsatisfied(org, assigned):
    c = _to_visited(org, assigned)
    with clock.frozen(dt.datetime(2026, 11, 25, 10, 0)):
        c = act(c, "evaluate", actors.Applicant("张三丰"), result="unsatisfied", opinion="没解决")
        assert c.state == State.IN_PROGRESS
        assert c.reopened_count == 1
        assert c.due_date == dt.date(2026, 12, 16)  # a new 15 working days from today
    assert c.department == org.market
    assert Notification.objects.filter(
        recipient_user=org.staff.market_chief.user, context__event="重办"
    ).exists()
    c = act(c, "reply", org.staff.market_chief, reply="再次处理")
    c = act(c, "close", org.staff.clerk)
    c = act(c, "visit", org.staff.clerk, method="phone", content="回访")
    c = act(c, "evaluate", org.staff.clerk, result="unsatisfied")
    assert c.state == State.UNSATISFIED and c.satisfied is False and c.reopened_count == 1
    with pytest.raises(Conflict):
        act(c, "evaluate", org.staff.clerk, result="satisfied")


@pytest.mark.parametrize(
    ("category", "due"),
    [
        (Category.URGENT, MONDAY),  # the same day
        (Category.CONSULTATION, dt.date(2026, 11, 26)),
        (Category.HELP, dt.date(2026, 11, 26)),
        (Category.SUGGESTION, dt.date(2026, 12, 14)),
        (Category.REPORT, dt.date(2026, 12, 14)),
    ],
)
def test_deadline_by_category_in_working_days(org, category, due):
    c = act(portal(category), "accept", org.staff.clerk)
    assert c.due_date == due


def test_deadline_follows_policy(org, settings):
    limits = {**policy.DEFAULTS["COMPLAINTS_LIMIT_DAYS"], "complaint": 13}
    settings.GOVHALL_POLICY = {"COMPLAINTS_LIMIT_DAYS": limits}
    c = act(portal(), "accept", org.staff.clerk)
    assert c.due_date == dt.date(2026, 12, 10)


def test_deadline_skips_the_national_day_holiday(org):
    with clock.frozen(dt.datetime(2026, 9, 30, 9, 0)):
        c = act(portal("consultation"), "accept", org.staff.clerk)
    assert c.due_date == dt.date(2026, 10, 10)  # Oct 1–7 off; 8, 9 and the make-up Saturday 10


def test_accept_may_correct_the_category_and_name_the_staff(org):
    c = act(
        portal("suggestion"),
        "accept",
        org.staff.admin,
        category="complaint",
        about_staff=org.staff.market_approver,
    )
    assert c.category == Category.COMPLAINT and c.about_staff == org.staff.market_approver


def test_direct_close_of_a_consultation_from_the_knowledge_base(org):
    entry = services.create_entry(
        actor=org.staff.admin.user,
        question="营业执照遗失怎么补办",
        answer="携带身份证到市场监管窗口申请补领。",
    )
    services.set_published(actor=org.staff.admin.user, entry=entry, published=True)
    c = services.receive_at_window(
        actor=org.staff.clerk.user,
        category="consultation",
        subject="营业执照遗失",
        content="营业执照丢了怎么办",
        name="李四",
        phone="13800001111",
        entry=entry,
    )
    assert c.state == State.CLOSED
    assert c.reply == "携带身份证到市场监管窗口申请补领。"
    assert c.knowledge_entry == entry
    assert c.accepted_on == MONDAY and c.closed_at is not None
    assert list(c.events.values_list("action", flat=True)) == ["submit", "direct_close"]


def test_direct_close_only_for_consultations(org):
    with pytest.raises(Conflict) as exc:
        services.receive_at_window(
            actor=org.staff.clerk.user,
            category="complaint",
            subject="投诉",
            content="内容",
            phone="13800001111",
            answer="当场答复",
        )
    assert exc.value.code == "not_consultation"
    assert not ComplaintEvent.objects.exists()  # nothing registered


def test_direct_close_needs_an_answer(org):
    c = portal("consultation")
    with pytest.raises(ValidationFailed) as exc:
        act(c, "direct_close", org.staff.clerk)
    assert exc.value.code == "missing_input"


def test_window_intake_is_accepted_at_once(org):
    c = services.receive_at_window(
        actor=org.staff.clerk.user,
        category="help",
        subject="求助",
        content="不会使用自助机",
        name="王五",
        phone="13800002222",
    )
    assert c.state == State.ACCEPTED and c.channel == "window"
    assert c.events.last().actor_name == "综窗"


def test_stale_version_is_refused(org, accepted):
    with pytest.raises(Conflict) as exc:
        services.transition(
            actor=org.staff.clerk.user,
            complaint=accepted,
            action="assign",
            expected_version=accepted.version - 1,
            handler=org.market,
        )
    assert exc.value.code == "stale_complaint"


def test_wrong_state_is_refused(org, accepted):
    with pytest.raises(Conflict) as exc:
        act(accepted, "close", org.staff.clerk)
    assert exc.value.code == "invalid_transition"


def test_reply_is_required(org, assigned):
    c = act(assigned, "handle", org.staff.market_chief)
    with pytest.raises(ValidationFailed) as exc:
        act(c, "reply", org.staff.market_chief, reply="  ")
    assert exc.value.code == "missing_input"


def test_assign_to_the_centre_is_handled_by_the_centre(org, accepted):
    c = act(accepted, "assign", org.staff.clerk, handler=workflow.CENTRE)
    assert c.department is None and c.state == State.ASSIGNED
    c = act(c, "handle", org.staff.admin)
    c = act(c, "reply", org.staff.clerk, reply="中心已处理")
    assert c.state == State.REPLIED


def test_a_complaint_about_a_staff_member_is_closed_with_its_finding(org):
    c = act(portal(), "accept", org.staff.clerk, about_staff=org.staff.market_approver)
    c = act(c, "assign", org.staff.clerk, handler="centre")
    c = act(c, "handle", org.staff.admin)
    c = act(c, "reply", org.staff.admin, reply="已核实，当事人已作检讨。")
    with pytest.raises(ValidationFailed) as exc:
        act(c, "close", org.staff.clerk)
    assert exc.value.code == "finding_required" and "finding" in exc.value.fields
    with pytest.raises(ValidationFailed):
        act(c, "close", org.staff.clerk, finding="maybe")
    c = act(c, "close", org.staff.clerk, finding="upheld")
    assert (c.state, c.finding, c.get_finding_display()) == (State.CLOSED, "upheld", "属实")
    assert c.events.get(action="close").data == {"finding": "upheld"}
