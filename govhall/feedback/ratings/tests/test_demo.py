"""The demo's ratings: every channel, open and closed 差评 with 回访, appeals; loaded
once."""

from __future__ import annotations

from govhall.feedback.ratings.demo import PLAN, load_demo_ratings
from govhall.feedback.ratings.models import AppealState, BadReviewState, Rating

from .conftest import complete


def test_the_demo_rates_on_every_channel_with_open_and_closed_bad_reviews(env):
    for _ in range(len(PLAN)):
        complete(env)
    counts = load_demo_ratings()
    assert counts["ratings"] == len(PLAN) and counts["rating_channels"] == 5
    assert counts["bad_reviews_open"] >= 2 and counts["bad_reviews_closed"] >= 3
    states = set(Rating.objects.filter(is_bad=True).values_list("bad_review__state", flat=True))
    assert {BadReviewState.ASSIGNED, BadReviewState.CALLED_BACK, BadReviewState.CLOSED} <= states
    assert BadReviewState.ON_LEDGER not in states  # the ledger one was fed back and closed
    closed = Rating.objects.filter(bad_review__state=BadReviewState.CLOSED)
    assert all(r.bad_review.callbacks.exists() for r in closed)
    appeals = set(
        Rating.objects.filter(appeal__isnull=False).values_list("appeal__state", flat=True)
    )
    assert appeals == {AppealState.PENDING, AppealState.UPHELD}
    assert Rating.objects.filter(excluded=True).count() == 1
    assert load_demo_ratings() == {}  # a second load changes nothing
    assert Rating.objects.count() == len(PLAN)
