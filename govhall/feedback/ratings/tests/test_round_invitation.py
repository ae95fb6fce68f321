"""再次评价 by SMS: when a 差评 is rectified (立行立改), the SMS link of the next round is
queued after commit through the task and the notifier, as the link after 办结; the
old round's link is then refused as used."""

from __future__ import annotations

import pytest

from govhall.core.errors import Conflict
from govhall.core.models import TaskDelivery
from govhall.feedback.ratings import services, tokens
from govhall.feedback.ratings.models import Rating
from govhall.notifications.models import Channel, Notification

from .helpers import rate


def _invites():
    return Notification.objects.filter(template="ratings/invite").order_by("id")


def _token_of(sms):
    return sms.context["link"].rstrip("/").rsplit("/", 1)[1]


def _to_verified(bad, user):
    bad = services.advance(
        actor=user, bad_review=bad, action="callback", method="phone", content="已联系申请人"
    )
    return services.advance(actor=user, bad_review=bad, action="verify", finding="属实")


def test_rectifying_a_bad_rating_sends_a_round_2_link_after_commit(
    env, done, django_capture_on_commit_callbacks
):
    old_token = tokens.make(case_id=done.pk)  # the round-1 link, never used
    bad = rate(done, level=1, reasons=["attitude"], real_name=True).bad_review
    user = env.s.market_chief.user
    bad = _to_verified(bad, user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.advance(actor=user, bad_review=bad, action="rectify", measures="增开窗口")
        # nothing is queued or sent inside the request's transaction
        assert not _invites().exists()
        assert not TaskDelivery.objects.filter(delivery_id__startswith="ratings:invite:").exists()
    assert callbacks
    assert TaskDelivery.objects.filter(delivery_id=f"ratings:invite:{done.pk}:r2").exists()
    [sms] = _invites()
    assert sms.channel == Channel.SMS and sms.recipient_phone == done.applicant_phone
    assert sms.dedupe_key.startswith(f"ratings.invite:{done.pk}:r2")
    token = _token_of(sms)
    assert tokens.read(token).round == 2 and tokens.read(old_token).round == 1

    with pytest.raises(Conflict) as exc:
        services.rate_with_token(token=old_token, level=5)
    assert exc.value.code == "token_used"
    assert Rating.objects.count() == 1

    rating = services.rate_with_token(token=token, level=5)
    assert rating.round == 2 and rating.channel == "sms"
    with pytest.raises(Conflict) as exc:
        services.rate_with_token(token=token, level=4)
    assert exc.value.code == "token_used"


def test_the_round_link_is_queued_once(env, done, django_capture_on_commit_callbacks):
    bad = rate(done, level=2, reasons=["slow"]).bad_review
    user = env.s.market_chief.user
    bad = _to_verified(bad, user)
    with django_capture_on_commit_callbacks(execute=True):
        services.advance(actor=user, bad_review=bad, action="rectify", measures="培训")
    from govhall.feedback.ratings import receivers

    receivers.invite_next_round(case_id=done.pk, round=2)  # a second enqueue: no-op
    assert _invites().count() == 1
    assert TaskDelivery.objects.filter(delivery_id__startswith="ratings:invite:").count() == 1


def test_an_explained_bad_rating_sends_no_new_link(env, done, django_capture_on_commit_callbacks):
    bad = rate(done, level=1, reasons=["attitude"]).bad_review
    user = env.s.market_chief.user
    bad = _to_verified(bad, user)
    with django_capture_on_commit_callbacks(execute=True):
        services.advance(actor=user, bad_review=bad, action="explain", explanation="法定要求")
    assert not _invites().exists()


def test_a_ledger_entry_done_sends_the_round_2_link(env, done, django_capture_on_commit_callbacks):
    """整改台账销号 rectifies the 差评 as 立行立改 does: the next round's link follows."""
    from govhall.feedback.ratings.models import LedgerEntry

    bad = rate(done, level=1, reasons=["attitude"]).bad_review
    user = env.s.market_chief.user
    bad = _to_verified(bad, user)
    with django_capture_on_commit_callbacks(execute=True):
        services.advance(
            actor=user,
            bad_review=bad,
            action="ledger",
            measures="改造排队系统",
            due_on="2026-12-31",
        )
    assert not _invites().exists()  # on the ledger: not rectified yet
    entry = LedgerEntry.objects.get(bad_review=bad)
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_ledger(actor=user, entry=entry, result="排队系统已上线")
    [sms] = _invites()
    assert tokens.read(_token_of(sms)).round == 2
