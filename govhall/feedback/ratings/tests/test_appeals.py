"""申诉复核: the staff member concerned appeals a 差评 with evidence; a reviewer
upholds (out of the statistics, the record kept) or rejects."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.core import clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.feedback.ratings import selectors, services
from govhall.feedback.ratings.models import AppealState, BadReviewState, Rating

from .conftest import pdf
from .helpers import rate


@pytest.fixture
def bad_rating(env, done):
    return rate(done, level=1, reasons=["conduct"], text="恶意")


def _appeal(env, rating, **kw):
    return services.file_appeal(
        actor=env.s.market_approver.user,
        rating=rating,
        reason=kw.pop("reason", "申请人当日未到窗口，录像为证"),
        files=kw.pop("files", [pdf("录像截图.pdf")]),
    )


def test_the_staff_member_appeals_with_evidence(env, bad_rating):
    appeal = _appeal(env, bad_rating)
    assert appeal.state == AppealState.PENDING and appeal.appellant == env.s.market_approver
    assert appeal.attachments.get().name == "录像截图.pdf"
    entry = AuditEntry.objects.get(action="ratings.appeal.file")
    assert entry.actor_name == "市场审批"


def test_a_bad_file_is_refused(env, bad_rating):
    fake = SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        _appeal(env, bad_rating, files=[fake])
    assert exc.value.code == "invalid_file"
    assert not hasattr(Rating.objects.get(pk=bad_rating.pk), "appeal")


def test_only_the_staff_concerned_or_their_chief_appeal_a_bad_rating_once(env, done, bad_rating):
    for user in (env.s.health_chief.user, env.s.clerk.user, env.s.supervisor.user):
        with pytest.raises(PermissionDenied):
            services.file_appeal(actor=user, rating=bad_rating, reason="x")
    good = rate(done, level=5, channel="qr")
    with pytest.raises(Conflict) as exc:
        services.file_appeal(actor=env.s.market_approver.user, rating=good, reason="x")
    assert exc.value.code == "not_bad"
    services.file_appeal(actor=env.s.market_chief.user, rating=bad_rating, reason="录像为证")
    with pytest.raises(Conflict) as exc:
        _appeal(env, bad_rating)
    assert exc.value.code == "already_appealed"


def test_the_appeal_period_is_a_setting(env, bad_rating, settings):
    settings.GOVHALL_POLICY = {"RATINGS_APPEAL_DAYS": 1}
    with clock.frozen(dt.datetime(2026, 11, 25, 9, 0)), pytest.raises(Conflict) as exc:
        _appeal(env, bad_rating)
    assert exc.value.code == "appeal_period_over"


def test_an_upheld_appeal_keeps_the_record_out_of_the_statistics(env, done, bad_rating):
    rate(done, level=5, channel="qr")
    assert selectors.statistics(Rating.objects.all())["bad"] == 1
    appeal = services.decide_appeal(
        actor=env.s.supervisor.user, appeal=_appeal(env, bad_rating), upheld=True, opinion="属实"
    )
    assert appeal.state == AppealState.UPHELD and appeal.reviewer == env.s.supervisor
    bad_rating.refresh_from_db()
    assert bad_rating.excluded and Rating.objects.filter(pk=bad_rating.pk).exists()
    assert bad_rating.bad_review.state == BadReviewState.VOIDED
    stats = selectors.statistics(Rating.objects.all())
    assert stats["total"] == 1 and stats["bad"] == 0 and stats["excluded"] == 1
    assert AuditEntry.objects.filter(action="ratings.appeal.uphold", actor_name="监察").exists()
    assert AuditEntry.objects.filter(action="ratings.badreview.void", actor_name="监察").exists()


def test_a_rejected_appeal_changes_nothing_on_the_rating(env, bad_rating):
    appeal = services.decide_appeal(
        actor=env.s.admin.user, appeal=_appeal(env, bad_rating), upheld=False, opinion="证据不足"
    )
    assert appeal.state == AppealState.REJECTED
    bad_rating.refresh_from_db()
    assert not bad_rating.excluded and bad_rating.bad_review.state == BadReviewState.ASSIGNED
    with pytest.raises(Conflict):
        services.decide_appeal(actor=env.s.admin.user, appeal=appeal, upheld=True, opinion="再议")


def test_only_a_reviewer_decides_and_with_an_opinion(env, bad_rating):
    appeal = _appeal(env, bad_rating)
    for user in (env.s.market_chief.user, env.s.market_approver.user):
        with pytest.raises(PermissionDenied):
            services.decide_appeal(actor=user, appeal=appeal, upheld=True, opinion="x")
    with pytest.raises(ValidationFailed):
        services.decide_appeal(actor=env.s.supervisor.user, appeal=appeal, upheld=True, opinion="")
