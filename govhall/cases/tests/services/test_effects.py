"""What each action changes (``services.effects``): 补正 and resubmission, 不予受理,
终止, the 即办件 decided on the spot, and the 容缺 catch-up."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases import services
from govhall.cases.models import DocumentKind, State
from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed

from ..conftest import act, application_form, health_proof, pdf, submit


def test_correction_lists_everything_then_resubmission_restarts(env):
    s = env.s
    case = submit(env, materials=[])
    version = case.item_version
    listed = [{"material": m, "problem": "未提交"} for m in version.materials.all()]
    case = act(case, "request_correction", s.clerk.user, corrections=listed)
    assert case.state == State.AWAITING_CORRECTION
    notice = case.documents.get(kind=DocumentKind.CORRECTION)
    assert [c["name"] for c in notice.data["corrections"]] == ["申请书", "营业执照"]
    with clock.frozen(dt.datetime(2026, 11, 25, 9)):
        case = act(
            case,
            "resubmit",
            Applicant(),
            materials=[{"material": m, "file": pdf()} for m in version.materials.all()],
        )
        assert case.state == State.SUBMITTED
        assert case.materials_received_on == dt.date(2026, 11, 25)
        assert case.events.last().actor_name == "申请人 张三丰"
        case = act(case, "accept", s.clerk.user)
    assert case.accepted_on == dt.date(2026, 11, 25)


def test_refusal_needs_a_reason_and_issues_a_decision(env):
    case = submit(env)
    with pytest.raises(ValidationFailed) as exc:
        act(case, "refuse", env.s.clerk.user, reason="  ")
    assert exc.value.code == "missing_input" and "reason" in exc.value.fields
    case.refresh_from_db()
    assert case.state == State.SUBMITTED and case.version == 1
    case = act(case, "refuse", env.s.clerk.user, reason="不属于本机关职权范围")
    assert case.state == State.REFUSED and case.closed_at is not None
    assert case.documents.get().kind == DocumentKind.REFUSAL


def test_instant_item_is_accepted_and_decided_on_the_spot(env, instant):
    s = env.s
    case = act(submit(env, env.instant), "accept", s.clerk.user)
    assert case.due_date == dt.date(2026, 11, 23)
    case = act(case, "decide", s.clerk.user, result="approved", opinion="当场办结")
    case = act(case, "certify", s.clerk.user, result_number="BB-1")
    case = act(case, "deliver", s.clerk.user, method="window")
    assert act(case, "complete", s.clerk.user).state == State.COMPLETED
    # A clerk cannot decide a 承诺件.
    other = act(submit(env), "accept", s.clerk.user)
    with pytest.raises(PermissionDenied):
        act(other, "decide", s.clerk.user, result="approved", opinion="x")


def test_terminate_by_chief_from_any_open_state(env):
    case = act(submit(env), "accept", env.s.clerk.user)
    case = act(case, "terminate", env.s.market_chief.user, reason="申请人死亡")
    assert case.state == State.TERMINATED
    with pytest.raises(Conflict):
        act(case, "withdraw", Applicant(), reason="x")


def test_tolerance_catch_up_then_decision(env, tolerance):
    s = env.s
    case = submit(env, env.tolerance, materials=application_form(env))
    case = act(case, "accept_with_tolerance", s.clerk.user, tolerated=[health_proof(env)],
               commitment="本人承诺3个工作日内补齐健康证明", catch_up_days=3)  # fmt: skip
    assert case.state == State.IN_REVIEW and case.tolerance_due == dt.date(2026, 11, 26)
    case = act(case, "review", s.market_approver.user, opinion="符合")
    with pytest.raises(Conflict) as exc:
        act(case, "decide", s.market_approver.user, result="approved", opinion="同意")
    assert exc.value.code == "tolerance_outstanding"
    case = act(
        case, "catch_up", Applicant(), materials=[{"material": health_proof(env), "file": pdf()}]
    )
    assert case.tolerance_due is None
    case = act(case, "decide", s.market_approver.user, result="approved", opinion="同意")
    assert case.state == State.DECIDED
    with clock.frozen(dt.datetime(2026, 12, 10, 9)):
        assert services.expire_tolerance_catchups() == []
