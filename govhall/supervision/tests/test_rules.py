"""Each warning rule: raised, not raised, cleared (or kept on record). The frozen
clock is Monday 2026-11-23 09:00; a market case accepted that day is due 11-30
(5 working days), yellow from 11-27."""

from __future__ import annotations

import pytest
from django.utils import timezone

from govhall.cases import guards
from govhall.cases.models import Case, State
from govhall.cases.tests.conftest import pdf
from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.supervision.models import Kind, Level, Warning

from .helpers import D, act, at, cleared, evaluate, open_kinds, submit, workday

pytestmark = pytest.mark.django_db


def aware(day):
    return timezone.make_aware(at(day))


@pytest.fixture
def accepted(env):
    return act(submit(env), "accept", env.s.clerk.user)


def _finish(env, case):
    s = env.s
    while case.state == State.IN_REVIEW and case.current_step < len(guards.review_steps(case)):
        case = act(case, "review", s.market_approver.user, opinion="材料齐全，符合条件")
    case = act(case, "decide", s.market_approver.user, result="approved", opinion="同意")
    case = act(case, "certify", s.market_chief.user, result_number=f"JY1150626{case.pk:07d}")
    case = act(case, "deliver", s.clerk.user, method="window")
    return act(case, "complete", s.clerk.user)


# --------------------------------------------------------------------------- lights


LIGHTS = {Kind.YELLOW_LIGHT, Kind.RED_LIGHT, Kind.OVERDUE}


def lights(case) -> set[str]:
    return open_kinds(case) & LIGHTS


def test_lights_raise_in_turn_and_clear_as_the_light_changes(accepted):
    case = accepted
    assert case.due_date == D(2026, 11, 30) and case.yellow_from == D(2026, 11, 27)
    evaluate(case, D(2026, 11, 26))
    assert lights(case) == set()  # normal: nothing
    evaluate(case, D(2026, 11, 27))
    assert lights(case) == {Kind.YELLOW_LIGHT}
    w = Warning.objects.get(case=case, kind=Kind.YELLOW_LIGHT)
    assert w.level == Level.YELLOW and w.department == case.department
    assert "2026-11-30" in w.detail
    evaluate(case, D(2026, 11, 30))  # due today: yellow cleared, red raised
    assert lights(case) == {Kind.RED_LIGHT}
    assert cleared(case, Kind.YELLOW_LIGHT).clear_reason == "预警条件已消除"
    evaluate(case, D(2026, 12, 1))  # overdue: red cleared, overdue raised
    assert lights(case) == {Kind.OVERDUE}
    assert cleared(case, Kind.RED_LIGHT) is not None
    assert Warning.objects.get(case=case, kind=Kind.OVERDUE).level == Level.RED


def test_overdue_stays_on_record_after_completion(env, accepted):
    evaluate(accepted, D(2026, 12, 1))
    with clock.frozen(at(D(2026, 12, 2))):
        case = _finish(env, accepted)
    assert case.state == State.COMPLETED
    evaluate(case, D(2026, 12, 2))
    evaluate(case, D(2026, 12, 10))
    assert open_kinds(case) == {Kind.OVERDUE}
    w = Warning.objects.get(case=case, kind=Kind.OVERDUE)  # the one raised on 12-01, kept
    assert w.raised_on == D(2026, 12, 1) and w.cleared_at is None


def test_a_case_completed_late_without_a_check_before_is_overdue_on_record(env, accepted):
    with clock.frozen(at(D(2026, 12, 3))):
        case = _finish(env, accepted)
        evaluate(case, D(2026, 12, 3))
    assert open_kinds(case) == {Kind.OVERDUE}
    assert "于 2026-12-03 办结" in Warning.objects.get(case=case).detail


def test_completed_on_time_is_not_overdue_and_clears_the_lights(env, accepted):
    evaluate(accepted, D(2026, 11, 27))
    assert lights(accepted) == {Kind.YELLOW_LIGHT}
    with clock.frozen(at(D(2026, 11, 27))):
        case = _finish(env, accepted)
    evaluate(case, D(2026, 11, 27))
    assert open_kinds(case) == set()
    assert cleared(case, Kind.YELLOW_LIGHT).clear_reason == "办件已办结"


def test_an_extension_ends_an_overdue_warning_of_an_open_case(env, accepted):
    evaluate(accepted, D(2026, 12, 1))
    assert lights(accepted) == {Kind.OVERDUE}
    with clock.frozen(at(D(2026, 12, 1))):
        case = act(accepted, "extend", env.s.market_chief.user, days=10, reason="需专家论证")
    evaluate(case, D(2026, 12, 1))
    assert Kind.OVERDUE not in open_kinds(case)
    assert cleared(case, Kind.OVERDUE) is not None


# --------------------------------------------------------------------------- steps


def test_review_step_over_its_own_limit(env, accepted):
    case = accepted
    step = guards.version_steps(case)[0]
    limit = step.time_limit_days
    evaluate(case, workday(D(2026, 11, 23), limit))
    assert Kind.REVIEW_STEP_OVERDUE not in open_kinds(case)  # exactly at the limit
    late = workday(D(2026, 11, 23), limit + 1)
    evaluate(case, late)
    assert Kind.REVIEW_STEP_OVERDUE in open_kinds(case)
    w = Warning.objects.get(case=case, kind=Kind.REVIEW_STEP_OVERDUE)
    assert step.name in w.detail and f"{limit + 1} 个工作日" in w.detail
    with clock.frozen(at(late)):
        case = act(case, "review", env.s.market_approver.user, opinion="材料齐全，符合条件")
    evaluate(case, late)  # the next step starts today: within its limit
    assert Kind.REVIEW_STEP_OVERDUE not in open_kinds(case)
    assert cleared(case, Kind.REVIEW_STEP_OVERDUE) is not None


def _start_inspection(env):
    case = act(submit(env, env.special), "accept", env.s.clerk.user)
    inspection = env.special.versions.get().special_steps.get(name="现场踏勘")
    return act(
        case,
        "start_special_step",
        env.s.market_approver.user,
        special_step=inspection,
        notice={"time": "2026-11-24 09:00", "place": "车间", "content": "核查", "persons": "市场审批", "method": "实地查看"},
    )  # fmt: skip


def test_special_step_over_its_time_limit(env, special):
    case = _start_inspection(env)  # 现场踏勘, 5 working days, from 11-23
    evaluate(case, D(2026, 11, 30))
    assert Kind.SPECIAL_STEP_OVERDUE not in open_kinds(case)  # 5 days used
    evaluate(case, D(2026, 12, 1))
    assert open_kinds(case) == {Kind.SPECIAL_STEP_OVERDUE}  # paused: no light
    assert "现场踏勘" in Warning.objects.get(case=case).detail
    with clock.frozen(at(D(2026, 12, 1))):
        case = act(case, "end_special_step", env.s.market_approver.user, record="现场符合要求")
    evaluate(case, D(2026, 12, 1))
    assert Kind.SPECIAL_STEP_OVERDUE not in open_kinds(case)
    assert cleared(case, Kind.SPECIAL_STEP_OVERDUE) is not None


# --------------------------------------------------------------------------- facts


def test_deemed_acceptance_raised_and_kept(env):
    case = submit(env)
    with clock.frozen(at(D(2026, 12, 2))):  # after the five working days
        case = act(case, "accept", env.s.clerk.user)
    assert case.deemed_accepted_s32
    evaluate(case, D(2026, 12, 2))
    assert Kind.DEEMED_ACCEPTANCE in open_kinds(case)
    assert Warning.objects.get(case=case, kind=Kind.DEEMED_ACCEPTANCE).level == Level.RED
    with clock.frozen(at(D(2026, 12, 2))):
        case = _finish(env, case)
    evaluate(case, D(2026, 12, 3))
    assert Kind.DEEMED_ACCEPTANCE in open_kinds(case)


def test_accepted_in_time_is_no_deemed_acceptance(accepted):
    evaluate(accepted, D(2026, 11, 23))
    assert Kind.DEEMED_ACCEPTANCE not in open_kinds(accepted)


def _ask_correction(env, case):
    listed = [{"material": m, "problem": "未提交"} for m in case.item_version.materials.all()]
    return act(case, "request_correction", env.s.clerk.user, corrections=listed)


def _resubmit(case):
    materials = [{"material": m, "file": pdf()} for m in case.item_version.materials.all()]
    return act(case, "resubmit", Applicant(), materials=materials)


def test_correction_asked_twice(env):
    case = _ask_correction(env, submit(env, materials=[]))
    evaluate(case, D(2026, 11, 23))
    assert Kind.REPEATED_CORRECTION not in open_kinds(case)  # once is the rule
    case = _ask_correction(env, _resubmit(case))
    evaluate(case, D(2026, 11, 23))
    assert Kind.REPEATED_CORRECTION in open_kinds(case)
    assert "2 次" in Warning.objects.get(case=case, kind=Kind.REPEATED_CORRECTION).detail
    case = act(_resubmit(case), "accept", env.s.clerk.user)
    evaluate(case, D(2026, 11, 24))
    assert Kind.REPEATED_CORRECTION in open_kinds(case)  # stays on record


@pytest.mark.parametrize(
    ("reason", "raised"),
    [
        ("材料不全", True),  # too short
        ("不符合相关法律法规规定。", True),  # long enough, but boilerplate
        ("申请人提交的营业执照已超过有效期，经营场所证明与申请地址不一致", False),
    ],
)
def test_refusal_reason(env, reason, raised):
    case = act(submit(env), "refuse", env.s.clerk.user, reason=reason)
    evaluate(case, D(2026, 11, 23))
    assert (Kind.WEAK_REASON in open_kinds(case)) is raised


def test_refusal_reason_minimum_is_a_setting(env, settings):
    settings.GOVHALL_POLICY = {"SUPERVISION_MIN_REASON_CHARS": 4}
    case = act(submit(env), "refuse", env.s.clerk.user, reason="证照过期")
    evaluate(case, D(2026, 11, 23))
    assert Kind.WEAK_REASON not in open_kinds(case)


def test_denial_with_a_thin_reason(env, accepted):
    case = accepted
    while case.current_step < len(guards.review_steps(case)):
        case = act(case, "review", env.s.market_approver.user, opinion="审查")
    case = act(
        case,
        "decide",
        env.s.market_approver.user,
        result="denied",
        opinion="不予",
        reason="不符合条件",
    )
    evaluate(case, D(2026, 11, 23))
    w = Warning.objects.get(case=case, kind=Kind.WEAK_REASON)
    assert w.detail.startswith("不予许可理由“不符合条件”") and w.level == Level.NOTICE


def test_completed_without_a_service_record(env, accepted):
    with clock.frozen(at(D(2026, 11, 24))):
        done = _finish(env, accepted)
    evaluate(done, D(2026, 11, 24))
    assert Kind.NO_SERVICE_RECORD not in open_kinds(done)  # delivered, then completed
    # A case closed without going through 送达 (imported, or data repaired by hand).
    other = act(submit(env), "accept", env.s.clerk.user)
    Case.objects.filter(pk=other.pk).update(
        state=State.COMPLETED, completed_at=aware(D(2026, 11, 24)), closed_at=aware(D(2026, 11, 24))
    )
    evaluate(other, D(2026, 11, 24))
    assert open_kinds(other) == {Kind.NO_SERVICE_RECORD}
    Case.objects.filter(pk=other.pk).update(state=State.ARCHIVED)
    evaluate(other, D(2026, 11, 25))
    assert open_kinds(other) == {Kind.NO_SERVICE_RECORD}  # stays on record
