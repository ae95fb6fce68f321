from __future__ import annotations

from govhall.feedback.ratings import services
from govhall.feedback.ratings.tests.conftest import PHONE_TAIL


def rate(case, level=5, channel="portal", **kw):
    """A rating through the progress-query pair (网上 by default)."""
    if level <= 2:
        kw.setdefault("reasons", ["attitude"])
    return services.rate_with_progress(
        number=case.number, phone_tail=PHONE_TAIL, channel=channel, level=level, **kw
    )


def loop_to_feedback(bad, user, *, how="rectify"):
    """回访 → 核实 → 整改 (rectify / ledger) or 解释 → 反馈."""
    bad = services.advance(
        actor=user, bad_review=bad, action="callback", method="phone", content="已电话联系申请人"
    )
    bad = services.advance(actor=user, bad_review=bad, action="verify", finding="窗口等候时间过长")
    if how == "rectify":
        bad = services.advance(actor=user, bad_review=bad, action="rectify", measures="增开窗口")
    elif how == "ledger":
        bad = services.advance(
            actor=user,
            bad_review=bad,
            action="ledger",
            measures="改造排队系统",
            due_on="2026-12-31",
        )
    else:
        bad = services.advance(
            actor=user, bad_review=bad, action="explain", explanation="法定要求，无法取消"
        )
    return services.advance(
        actor=user, bad_review=bad, action="feedback", method="phone", content="已告知整改情况"
    )
