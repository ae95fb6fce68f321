"""The rules a transition checks before it changes anything (``cases.guards``):
补正 reasons, review steps before the decision, certificate and tracking number
before delivery, one extension of at most ten days, 容缺 only where allowed."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases.models import DocumentKind
from govhall.core.errors import Conflict, ValidationFailed

from .conftest import act, health_proof, pdf, submit


def test_correction_without_reasons_is_refused(env):
    case = submit(env)
    with pytest.raises(ValidationFailed) as exc:
        act(case, "request_correction", env.s.clerk.user, corrections=[{"name": "申请书"}])
    assert exc.value.code == "corrections_incomplete"
    with pytest.raises(ValidationFailed) as exc:
        act(case, "request_correction", env.s.clerk.user, corrections=[])
    assert exc.value.fields == {"corrections": ["需补正的材料及原因：必须填写"]}


def test_review_steps_come_before_the_decision(env):
    s = env.s
    case = act(submit(env), "accept", s.clerk.user)
    with pytest.raises(Conflict) as exc:
        act(case, "decide", s.market_approver.user, result="approved", opinion="同意")
    assert exc.value.code == "steps_pending" and "审查" in exc.value.message
    case = act(case, "review", s.market_approver.user, opinion="符合")
    with pytest.raises(Conflict) as exc:
        act(case, "review", s.market_approver.user, opinion="再审")
    assert exc.value.code == "no_review_step"
    with pytest.raises(ValidationFailed) as exc:
        act(case, "decide", s.market_approver.user, result="denied", opinion="不同意")
    assert exc.value.fields == {"reason": ["必填"]}
    case = act(
        case, "decide", s.market_approver.user, result="denied", opinion="不同意", reason="场所不符"
    )
    with pytest.raises(Conflict):  # nothing to certify after a denial
        act(case, "certify", s.market_chief.user, result_number="X")
    case = act(case, "deliver", s.clerk.user, method="window")
    assert act(case, "complete", s.clerk.user).result == "denied"


def test_post_delivery_needs_tracking_number_and_approval_needs_certificate(env):
    s = env.s
    case = act(submit(env), "accept", s.clerk.user)
    case = act(case, "review", s.market_approver.user, opinion="符合")
    case = act(case, "decide", s.market_approver.user, result="approved", opinion="同意")
    with pytest.raises(Conflict) as exc:
        act(case, "deliver", s.clerk.user, method="window")
    assert exc.value.code == "not_certified"
    case = act(case, "certify", s.market_approver.user, result_number="JY001")
    with pytest.raises(ValidationFailed) as exc:
        act(case, "deliver", s.clerk.user, method="post")
    assert exc.value.code == "tracking_required"


def test_extension_once_and_at_most_ten_days(env):
    chief = env.s.market_chief.user
    case = act(submit(env), "accept", env.s.clerk.user)
    with pytest.raises(ValidationFailed) as exc:
        act(case, "extend", chief, days=11, reason="情况复杂")
    assert exc.value.code == "invalid_extension"
    with pytest.raises(ValidationFailed):
        act(case, "extend", chief, days=5, reason="")
    case = act(case, "extend", chief, days=10, reason="情况复杂")
    assert case.due_date == dt.date(2026, 12, 14)
    assert case.documents.get(kind=DocumentKind.EXTENSION).data["due_date"] == "2026-12-14"
    with pytest.raises(Conflict) as exc:
        act(case, "extend", chief, days=1, reason="再延")
    assert exc.value.code == "already_extended"


def test_tolerance_only_for_allowed_materials_and_within_limit(env, tolerance):
    clerk = env.s.clerk.user
    form = env.tolerance.versions.get().materials.get(name="申请书")
    case = submit(env, env.tolerance, materials=[{"material": form, "file": pdf()}])
    with pytest.raises(ValidationFailed) as exc:
        act(case, "accept_with_tolerance", clerk, tolerated=[form], commitment="承诺",
            catch_up_days=3)  # fmt: skip
    assert "申请书" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        act(case, "accept_with_tolerance", clerk, tolerated=[health_proof(env)],
            commitment="承诺", catch_up_days=6)  # fmt: skip
    assert exc.value.code == "invalid_catch_up_days"  # promised limit is 5
    with pytest.raises(ValidationFailed) as exc:
        act(case, "accept_with_tolerance", clerk, tolerated=[health_proof(env)],
            commitment="", catch_up_days=3)  # fmt: skip
    assert "commitment" in exc.value.fields
    plain = submit(env)
    with pytest.raises(ValidationFailed) as exc:
        act(plain, "accept_with_tolerance", clerk,
            tolerated=list(plain.item_version.materials.all()[:1]),
            commitment="承诺", catch_up_days=3)  # fmt: skip
    assert exc.value.code == "tolerance_not_allowed"
