"""The 差评 loop: assigned at once, 回访 → 核实 → 整改/解释 → 反馈 → 办结, its
deadline on the working-day calendar, its permissions and its audit."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.calendar import selectors as calendar
from govhall.core import clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.feedback.ratings import loop, selectors, services
from govhall.feedback.ratings.models import BadReview, BadReviewState, LedgerEntry
from govhall.notifications.models import Notification

from .helpers import loop_to_feedback, rate


@pytest.fixture
def bad(env, done):
    return rate(done, level=1, reasons=["attitude"], real_name=True).bad_review


def test_a_bad_rating_is_assigned_at_once_to_the_department_and_it_is_told(env, done, bad):
    assert bad.state == BadReviewState.ASSIGNED and bad.department == done.department
    assert bad.due_on == calendar.add_workdays(start=dt.date(2026, 11, 23), days=5).date
    told = Notification.objects.filter(template="ratings/bad_review")
    assert {n.recipient_user_id for n in told} == {
        env.s.market_chief.user_id,
        env.s.market_approver.user_id,
    }
    assert "服务态度差" in told.first().context["reasons"]


def test_the_deadline_is_a_policy_setting_in_working_days(env, done, settings):
    settings.GOVHALL_POLICY = {"BAD_REVIEW_DEADLINE_DAYS": 7}
    with clock.frozen(dt.datetime(2026, 11, 27, 10, 0)):  # a Friday
        bad = rate(done, level=2).bad_review
    assert bad.due_on == calendar.add_workdays(start=dt.date(2026, 11, 27), days=7).date
    assert bad.due_on == dt.date(2026, 12, 8)


def test_the_whole_loop_with_rectification_is_audited_with_the_real_actor(env, bad):
    user = env.s.market_chief.user
    bad = loop_to_feedback(bad, user)
    bad = services.advance(actor=user, bad_review=bad, action="close")
    assert bad.state == BadReviewState.CLOSED and bad.rectified_at is not None
    assert bad.closed_by == env.s.market_chief
    actions = list(
        AuditEntry.objects.filter(object_type="ratings.badreview")
        .order_by("id")
        .values_list("action", "actor_name")
    )
    assert actions == [
        ("ratings.badreview.callback", "市场首代"),
        ("ratings.badreview.verify", "市场首代"),
        ("ratings.badreview.rectify", "市场首代"),
        ("ratings.badreview.feedback", "市场首代"),
        ("ratings.badreview.close", "市场首代"),
    ]
    callback = bad.callbacks.get()
    assert callback.by == env.s.market_chief and callback.method == "phone"


def test_a_ledger_entry_has_a_deadline_and_rectifies_when_done(env, bad):
    user = env.s.market_approver.user
    bad = loop_to_feedback(bad, user, how="ledger")
    entry = LedgerEntry.objects.get(bad_review=bad)
    assert entry.due_on == dt.date(2026, 12, 31) and bad.rectified_at is None
    bad = services.advance(actor=user, bad_review=bad, action="close")
    assert bad.state == BadReviewState.CLOSED
    services.complete_ledger(actor=user, entry=entry, result="排队系统已上线")
    bad.refresh_from_db()
    assert bad.rectified_at is not None
    with pytest.raises(Conflict):
        services.complete_ledger(actor=user, entry=entry, result="再次")


def test_a_ledger_deadline_in_the_past_is_refused(env, bad):
    user = env.s.market_chief.user
    bad = services.advance(actor=user, bad_review=bad, action="callback", method="sms", content="x")
    bad = services.advance(actor=user, bad_review=bad, action="verify", finding="属实")
    with pytest.raises(ValidationFailed) as exc:
        services.advance(
            actor=user, bad_review=bad, action="ledger", measures="改造", due_on="2026-11-01"
        )
    assert exc.value.code == "invalid_date"


def test_steps_follow_the_table(env, bad):
    user = env.s.market_chief.user
    with pytest.raises(Conflict) as exc:
        services.advance(actor=user, bad_review=bad, action="verify", finding="属实")
    assert exc.value.code == "wrong_state" and "待回访" in exc.value.message
    with pytest.raises(Conflict) as exc:
        services.advance(actor=user, bad_review=bad, action="close")
    assert exc.value.code == "wrong_state"
    with pytest.raises(Conflict) as exc:
        services.advance(actor=user, bad_review=bad, action="dance")
    assert exc.value.code == "unknown_action"
    assert loop.offered(BadReviewState.ASSIGNED) == [("callback", "回访")]
    assert dict(loop.offered(BadReviewState.VERIFIED)).keys() >= {"rectify", "ledger", "explain"}


def test_more_callbacks_may_be_recorded_without_moving_the_state(env, bad):
    user = env.s.market_chief.user
    bad = services.advance(
        actor=user, bad_review=bad, action="callback", method="phone", content="未接通"
    )
    bad = services.advance(
        actor=user, bad_review=bad, action="callback", method="sms", content="已联系"
    )
    assert bad.state == BadReviewState.CALLED_BACK and bad.callbacks.count() == 2


def test_it_cannot_be_closed_without_a_callback_record(env, bad):
    BadReview.objects.filter(pk=bad.pk).update(state=BadReviewState.FED_BACK)
    with pytest.raises(Conflict) as exc:
        services.advance(actor=env.s.market_chief.user, bad_review=bad, action="close")
    assert exc.value.code == "callback_required" and "回访" in exc.value.message
    bad.refresh_from_db()
    assert bad.state == BadReviewState.FED_BACK


def test_a_callback_needs_its_content_method_and_a_time_not_in_the_future(env, bad):
    user = env.s.market_chief.user
    with pytest.raises(ValidationFailed) as exc:
        services.advance(actor=user, bad_review=bad, action="callback", method="phone", content="")
    assert exc.value.code == "required"
    with pytest.raises(ValidationFailed) as exc:
        services.advance(actor=user, bad_review=bad, action="callback", method="fax", content="x")
    assert exc.value.code == "invalid_method"
    with pytest.raises(ValidationFailed) as exc:
        services.advance(
            actor=user,
            bad_review=bad,
            action="callback",
            method="phone",
            content="x",
            at="2026-11-24T10:00:00",
        )
    assert exc.value.code == "future_date"
    with pytest.raises(ValidationFailed) as exc:  # real-name: must be called back
        services.advance(
            actor=user, bad_review=bad, action="callback", method="anonymous", content="x"
        )
    assert exc.value.code == "invalid_method"
    assert not bad.callbacks.exists()


def test_an_anonymous_bad_rating_records_what_was_done_instead(env, done):
    bad = rate(done, level=2, channel="qr").bad_review
    bad = services.advance(
        actor=env.s.market_chief.user,
        bad_review=bad,
        action="callback",
        method="anonymous",
        content="匿名评价无法联系，已调取窗口录像核查",
    )
    assert bad.state == BadReviewState.CALLED_BACK


def test_only_the_responsible_department_and_the_centre_admin_act(env, bad):
    for user in (env.s.health_chief.user, env.s.supervisor.user, env.s.clerk.user):
        with pytest.raises(PermissionDenied):
            services.advance(
                actor=user, bad_review=bad, action="callback", method="phone", content="x"
            )
    services.advance(
        actor=env.s.admin.user, bad_review=bad, action="callback", method="phone", content="x"
    )
    assert list(selectors.visible_bad_reviews(user=env.s.market_chief.user)) == [bad]
    assert list(selectors.visible_bad_reviews(user=env.s.health_chief.user)) == []
    assert list(selectors.visible_bad_reviews(user=env.s.supervisor.user)) == [bad]


def test_void_is_only_reached_through_an_upheld_appeal(env, bad):
    with pytest.raises(PermissionDenied) as exc:
        services.advance(actor=env.s.admin.user, bad_review=bad, action="void")
    assert exc.value.code == "appeal_only"


def test_a_stale_version_is_refused(env, bad):
    user = env.s.market_chief.user
    with pytest.raises(Conflict) as exc:
        services.advance(
            actor=user,
            bad_review=bad,
            action="callback",
            method="phone",
            content="x",
            expected_version=bad.version + 1,
        )
    assert exc.value.code == "stale"


def test_the_department_is_reminded_of_the_callback_due_once(env, bad):
    Notification.objects.all().delete()
    day_before = calendar.add_workdays(start=dt.date(2026, 11, 23), days=4).date
    assert services.remind_due(today=dt.date(2026, 11, 24)) == 0  # not due yet
    assert services.remind_due(today=day_before) == 1
    assert services.remind_due(today=day_before) == 0  # told once
    reminders = Notification.objects.filter(template="ratings/bad_review")
    assert reminders.count() == 2  # the chief and the 承办人, once each
    assert "尚未回访" in reminders.first().context["detail"]


def test_the_daily_hook_queues_the_reminders(env, bad):
    from govhall.cases.signals import daily_rules_done
    from govhall.core.models import TaskDelivery

    Notification.objects.all().delete()
    due = bad.due_on
    daily_rules_done.send(sender=None, day=due, result={})
    assert TaskDelivery.objects.filter(delivery_id=f"ratings:daily:{due.isoformat()}").exists()
    assert Notification.objects.filter(template="ratings/bad_review").count() == 2
