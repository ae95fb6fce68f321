"""The daily rating counts: kept in step with each rating and exclusion, equal to a
rebuild, and the API's statistics read them."""

from __future__ import annotations

from django.core.management import call_command

from govhall.feedback.ratings import rollups, selectors, services
from govhall.feedback.ratings.models import Rating, RatingDay

from .conftest import api, pdf
from .helpers import loop_to_feedback, rate


def _rows():
    return sorted(
        RatingDay.objects.filter(count__gt=0).values_list(
            "day", "department_id", "channel", "level", "count", "real_bad", "real_bad_done"
        )
    )


def test_the_rollup_follows_ratings_and_appeals_and_equals_a_rebuild(env, done):
    rate(done, level=5, channel="portal")
    rate(done, level=5, channel="qr")
    bad = services.rate_as_staff(
        actor=env.s.market_chief.user, case=done, channel="phone", level=1, reasons=["slow"]
    )
    kept = _rows()
    assert [r[2:] for r in kept] == [
        ("phone", 1, 1, 0, 0),
        ("portal", 5, 1, 0, 0),
        ("qr", 5, 1, 0, 0),
    ]
    appeal = services.file_appeal(
        actor=env.s.market_approver.user, rating=bad, reason="录像为证", files=[pdf()]
    )
    services.decide_appeal(actor=env.s.supervisor.user, appeal=appeal, upheld=True, opinion="属实")
    kept = _rows()
    assert "phone" not in [r[2] for r in kept]
    rollups.rebuild()
    assert _rows() == kept
    call_command("rebuild_rating_rollups", "--start", "2026-11-01", stdout=open("/dev/null", "w"))
    assert _rows() == kept


def test_satisfaction_from_the_rollup_equals_counting_the_rows(env, done):
    rate(done, level=5, channel="portal", real_name=True)
    rate(done, level=2, channel="qr", reasons=["slow"], real_name=True)
    services.rate_as_staff(actor=env.s.clerk.user, case=done, channel="window", level=3)
    rows = selectors.statistics(Rating.objects.all())
    for user in (env.s.supervisor.user, env.s.market_chief.user):
        assert selectors.satisfaction(user=user) == rows
    assert selectors.satisfaction(user=env.s.health_chief.user)["total"] == 0
    by_api = api(env.s.admin.user).get("/api/v1/ratings/statistics/").json()
    assert by_api == rows
    qr = api(env.s.admin.user).get("/api/v1/ratings/statistics/", {"channel": "qr"}).json()
    assert qr["total"] == 1 and qr["bad"] == 1 and qr["real_name_bad"] == 1
    mine = (
        api(env.s.market_chief.user)
        .get("/api/v1/ratings/statistics/", {"department": env.c.health.pk})
        .json()
    )
    assert mine["total"] == 0


def test_real_name_bad_reviews_and_their_closure_are_counted(env, done):
    user = env.s.market_chief.user
    fixed = rate(done, level=1, channel="portal", reasons=["slow"], real_name=True)
    ledger = rate(done, level=2, channel="qr", reasons=["slow"], real_name=True)
    services.advance(
        actor=user, bad_review=loop_to_feedback(fixed.bad_review, user), action="close"
    )
    bad = loop_to_feedback(ledger.bad_review, user, how="ledger")
    services.advance(actor=user, bad_review=bad, action="close")
    stats = selectors.satisfaction(user=env.s.admin.user)
    assert stats["real_name_bad"] == 2 and stats["real_name_bad_rectified"] == 1
    services.complete_ledger(actor=user, entry=bad.ledger_entry, result="已完成")
    stats = selectors.satisfaction(user=env.s.admin.user)
    assert stats["real_name_bad_rectified"] == 2
    assert stats == selectors.statistics(Rating.objects.all())
    kept = _rows()
    rollups.rebuild()
    assert _rows() == kept
    appeal = services.file_appeal(actor=env.s.market_approver.user, rating=fixed, reason="误评")
    services.decide_appeal(actor=env.s.supervisor.user, appeal=appeal, upheld=True, opinion="属实")
    stats = selectors.satisfaction(user=env.s.admin.user)
    assert stats == selectors.statistics(Rating.objects.all())
    assert stats["real_name_bad"] == 1 and stats["excluded"] == 1
    kept = _rows()
    rollups.rebuild()
    assert _rows() == kept
