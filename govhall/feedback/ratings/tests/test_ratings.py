"""Rating rules: who may rate which case, when, once per channel and round."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from govhall.cases.tests.conftest import submit
from govhall.core import clock
from govhall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.feedback.ratings import selectors, services
from govhall.feedback.ratings.models import BadReview, Rating
from govhall.org.models import Role
from govhall.testing import factories

from .helpers import loop_to_feedback, rate


def test_a_completed_case_is_rated_and_tied_to_who_handled_it(env, done):
    rating = rate(done, level=4, text="很好")
    assert rating.round == 1 and rating.channel == "portal" and not rating.is_bad
    assert rating.item_id == done.item_id and rating.department_id == done.department_id
    assert rating.staff == env.s.market_approver and rating.window == env.c.window
    entry = AuditEntry.objects.get(action="ratings.rating.create")
    assert entry.object_id == str(rating.pk) and entry.actor_name == "申请人 （匿名评价）"
    assert not BadReview.objects.exists()


def test_a_case_not_completed_cannot_be_rated(env):
    case = submit(env)
    with pytest.raises(Conflict) as exc:
        rate(case)
    assert exc.value.code == "not_completed"
    assert not Rating.objects.exists()


def test_the_period_after_completion_is_a_setting(env, done, settings):
    with clock.frozen(dt.datetime(2026, 12, 23, 8, 59)):
        rate(done)  # day 30
    settings.GOVHALL_POLICY = {"RATINGS_PERIOD_DAYS": 3}
    with clock.frozen(dt.datetime(2026, 11, 26, 10, 0)), pytest.raises(Conflict) as exc:
        rate(done, channel="qr")
    assert exc.value.code == "period_over" and "3 日内" in exc.value.message


def test_the_applicant_cannot_rate_a_case_not_theirs(env, done):
    for number, tail in [(done.number, "9999"), ("NO-SUCH", "1234"), (done.number, "")]:
        with pytest.raises(NotFound) as exc:
            services.rate_with_progress(number=number, phone_tail=tail, level=5)
        assert exc.value.code == "case_not_found"
    assert not Rating.objects.exists()


def test_once_per_channel_but_every_channel_once(env, done):
    rate(done, channel="portal")
    with pytest.raises(Conflict) as exc:
        rate(done, channel="portal", level=1)
    assert exc.value.code == "already_rated"
    rate(done, channel="qr", level=3)
    assert Rating.objects.count() == 2


def test_the_database_refuses_a_second_rating_on_one_channel(env, done):
    first = rate(done)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            case=done,
            channel="portal",
            round=1,
            level=5,
            department=done.department,
            rated_at=first.rated_at,
            rated_on=first.rated_on,
        )


@pytest.mark.parametrize("level", [0, 6, "5", None, True])
def test_a_level_outside_1_to_5_is_refused(env, done, level):
    with pytest.raises(ValidationFailed) as exc:
        services.rate_with_progress(number=done.number, phone_tail="1234", level=level)
    assert exc.value.code == "invalid_level"


def test_a_bad_rating_needs_a_reason_from_the_standard_list(env, done):
    with pytest.raises(ValidationFailed) as exc:
        rate(done, level=2, reasons=[])
    assert exc.value.code == "reasons_required"
    with pytest.raises(ValidationFailed) as exc:
        rate(done, level=1, reasons=["made_up"])
    assert exc.value.code == "unknown_reason"
    rating = rate(done, level=1, reasons=["slow", "attitude", "slow"], text="等了很久")
    assert rating.is_bad and rating.reasons == ["slow", "attitude"]
    assert selectors.reason_labels(rating) == ["办理时间长或超时", "服务态度差"]


def test_the_reasons_list_is_a_policy_setting(env, done, settings):
    settings.GOVHALL_POLICY = {"RATINGS_BAD_REASONS": {"queue": "排队太久"}}
    with pytest.raises(ValidationFailed):
        rate(done, level=2, reasons=["attitude"])
    assert rate(done, level=2, reasons=["queue"]).reasons == ["queue"]


def test_text_is_bounded(env, done):
    with pytest.raises(ValidationFailed) as exc:
        rate(done, text="很" * 501)
    assert exc.value.code == "too_long"


def test_real_name_is_stored_and_shown_masked_anonymous_stores_nothing(env, done):
    named = rate(done, real_name=True)
    assert named.rater_name == "张三丰" and named.rater_phone == "13800001234"
    assert selectors.shown_name(named) == "张**" and selectors.shown_phone(named) == "138****1234"
    anonymous = rate(done, channel="qr", rater_name="李四", rater_phone="13900000000")
    assert anonymous.rater_name == "" and anonymous.rater_phone == ""
    assert selectors.shown_name(anonymous) == "匿名"


def test_staff_enter_a_phone_rating_and_open_the_window_screen(env, done):
    phone = services.rate_as_staff(
        actor=env.s.market_chief.user, case=done, channel="phone", level=5
    )
    assert phone.entered_by == env.s.market_chief
    window = services.rate_as_staff(actor=env.s.clerk.user, case=done, channel="window", level=4)
    assert window.entered_by == env.s.clerk
    entry = AuditEntry.objects.filter(action="ratings.rating.create").order_by("id").first()
    assert entry.actor_name == "市场首代"


def test_staff_may_not_rate_themselves_or_other_centres_cases(env, done):
    with pytest.raises(PermissionDenied) as exc:
        services.rate_as_staff(
            actor=env.s.market_approver.user, case=done, channel="phone", level=5
        )
    assert exc.value.code == "self_rating"
    with pytest.raises(PermissionDenied):
        services.rate_as_staff(actor=env.township_clerk.user, case=done, channel="phone", level=5)
    with pytest.raises(ValidationFailed) as exc:
        services.rate_as_staff(actor=env.s.clerk.user, case=done, channel="portal", level=5)
    assert exc.value.code == "invalid_channel"


def test_after_a_bad_rating_is_rectified_the_applicant_may_rate_again(env, done):
    bad_rating = rate(done, level=1)
    with pytest.raises(Conflict):
        rate(done, level=5)  # not yet rectified
    loop_to_feedback(bad_rating.bad_review, env.s.market_chief.user)
    again = rate(done, level=5)
    assert again.round == 2 and again.channel == "portal"
    assert services.current_round(done)[0] == 2
    with pytest.raises(Conflict):
        rate(done, level=4)  # round 2 on the portal is used


def test_an_explained_bad_rating_does_not_open_a_new_round(env, done):
    bad_rating = rate(done, level=2)
    loop_to_feedback(bad_rating.bad_review, env.s.market_chief.user, how="explain")
    with pytest.raises(Conflict) as exc:
        rate(done, level=5)
    assert exc.value.code == "already_rated"


def test_a_department_sees_its_own_ratings(env, done):
    rating = rate(done)
    other = factories.make_staff(
        username="health_approver2",
        name="卫健审批二",
        role=Role.APPROVER,
        centre=env.c.county,
        department=env.c.health,
    )
    assert list(selectors.visible_ratings(user=env.s.market_chief.user)) == [rating]
    assert list(selectors.visible_ratings(user=other.user)) == []
    assert list(selectors.visible_ratings(user=env.s.supervisor.user)) == [rating]
    assert list(selectors.visible_ratings(user=env.s.admin.user)) == [rating]


def test_statistics_count_levels_and_the_real_name_rectification_rate(env, done):
    rate(done, level=5, channel="portal")
    rate(done, level=3, channel="qr")
    bad = services.rate_as_staff(
        actor=env.s.market_chief.user,
        case=done,
        channel="phone",
        level=1,
        reasons=["slow"],
        real_name=True,
    )
    stats = selectors.statistics(Rating.objects.all())
    assert stats["total"] == 3 and stats["bad"] == 1 and stats["satisfied_rate"] == 66.7
    assert stats["by_level"] == {"5": 1, "4": 0, "3": 1, "2": 0, "1": 1}
    assert stats["real_name_bad"] == 1 and stats["real_name_rectification_rate"] == 0.0
    user = env.s.market_chief.user
    services.advance(actor=user, bad_review=loop_to_feedback(bad.bad_review, user), action="close")
    stats = selectors.statistics(Rating.objects.all())
    assert stats["real_name_rectification_rate"] == 100.0
