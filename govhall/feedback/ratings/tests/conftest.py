"""Fixtures of the 好差评 tests: the cases tests' ``env`` and a completed case.

``done`` is a 食品经营许可 case completed today (2026-11-23) by the window clerk, its
承办人 the market approver (who sits at window 01); the applicant's phone ends 1234.
"""

from __future__ import annotations

import pytest

from govhall.cases.tests.conftest import act, api, env, hall, health_item, pdf, submit  # noqa: F401
from govhall.org.models import Staff

PHONE_TAIL = "1234"  # conftest.person(): 13800001234


def complete(env, case=None):  # noqa: F811
    s = env.s
    case = case or submit(env)
    case = act(case, "accept", s.clerk.user, responsible=s.market_approver)
    case = act(case, "review", s.market_approver.user, opinion="符合")
    case = act(case, "decide", s.market_approver.user, result="approved", opinion="同意")
    case = act(case, "certify", s.market_approver.user, result_number=f"JY-{case.pk:03d}")
    case = act(case, "deliver", s.clerk.user, method="window")
    return act(case, "complete", s.clerk.user)


@pytest.fixture
def done(env):  # noqa: F811
    Staff.objects.filter(pk=env.s.market_approver.pk).update(window=env.c.window)
    env.s.market_approver.refresh_from_db()
    return complete(env)
