"""Every transition of the table and its refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.cases import selectors, services
from govhall.cases.models import Case, CaseDocument, CaseEvent, Channel, DocumentKind, State
from govhall.catalog import services as catalog_services
from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry

from .conftest import act, pdf, person, submit


def test_number_is_centre_date_and_daily_sequence(env):
    first, second = submit(env), submit(env)
    assert first.number == "150626-20261123-0001"
    assert second.number == "150626-20261123-0002"
    with clock.frozen(dt.datetime(2026, 11, 24, 9)):
        assert submit(env).number == "150626-20261124-0001"
    assert first.item_version.number == 1 and first.department == env.c.market


def test_full_happy_path_records_every_step(env):
    s = env.s
    case = submit(env)
    case = act(case, "accept", s.clerk.user)
    assert case.state == State.IN_REVIEW and case.accepted_on == dt.date(2026, 11, 23)
    assert case.due_date == dt.date(2026, 11, 30)  # 5 working days, acceptance day not counted
    case = act(case, "review", s.market_approver.user, opinion="材料齐全，符合条件")
    assert case.current_step == 1
    case = act(case, "decide", s.market_approver.user, result="approved", opinion="同意")
    case = act(case, "certify", s.market_chief.user, result_number="JY11506260000001")
    case = act(case, "deliver", s.clerk.user, method="post", tracking_number="SF1234567890")
    case = act(case, "complete", s.clerk.user)
    case = act(case, "archive", s.market_chief.user)
    assert case.state == State.ARCHIVED and case.version == 8
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "submit", "accept", "review", "decide", "certify", "deliver", "complete", "archive"
    ]  # fmt: skip
    event = case.events.get(action="review")
    assert event.actor_name == "市场审批" and event.opinion == "材料齐全，符合条件"
    kinds = set(CaseDocument.objects.filter(case=case).values_list("kind", flat=True))
    assert {DocumentKind.ACCEPTANCE, DocumentKind.DECISION, DocumentKind.SERVICE_RECEIPT} <= kinds
    notice = case.documents.get(kind=DocumentKind.ACCEPTANCE)
    assert notice.data["due_date"] == "2026-11-30" and notice.number.startswith(case.number)
    assert AuditEntry.objects.filter(object_type="cases.case", action="cases.case.decide").exists()


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


def test_correction_without_reasons_is_refused(env):
    case = submit(env)
    with pytest.raises(ValidationFailed) as exc:
        act(case, "request_correction", env.s.clerk.user, corrections=[{"name": "申请书"}])
    assert exc.value.code == "corrections_incomplete"
    with pytest.raises(ValidationFailed) as exc:
        act(case, "request_correction", env.s.clerk.user, corrections=[])
    assert exc.value.fields == {"corrections": ["需补正的材料及原因：必须填写"]}


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


def test_wrong_state_is_refused_and_nothing_changes(env):
    case = submit(env)
    with pytest.raises(Conflict) as exc:
        act(case, "decide", env.s.market_approver.user, result="approved", opinion="同意")
    assert exc.value.code == "invalid_transition" and "已申请" in exc.value.message
    case = act(case, "accept", env.s.clerk.user)
    with pytest.raises(Conflict):
        act(case, "accept", env.s.clerk.user)
    assert CaseEvent.objects.filter(case=case).count() == 2


def test_stale_version_is_a_conflict(env):
    case = submit(env)
    same_case_other_screen = Case.objects.get(pk=case.pk)
    act(case, "accept", env.s.clerk.user)
    with pytest.raises(Conflict) as exc:
        act(same_case_other_screen, "refuse", env.s.clerk.user, reason="材料不全")
    assert exc.value.code == "stale_case"
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW


def test_roles_and_departments(env):
    s = env.s
    case = submit(env)
    # A health department chief cannot accept a market case; a supervisor neither.
    for user in (s.health_chief.user, s.supervisor.user, env.health_approver.user):
        with pytest.raises(PermissionDenied):
            act(case, "accept", user)
    # The clerk of another centre cannot accept at the county centre.
    with pytest.raises(PermissionDenied):
        act(case, "accept", env.township_clerk.user)
    case = act(case, "accept", s.clerk.user)
    # A market approver not named in the authorisation cannot review; a clerk neither.
    for user in (env.other_approver.user, s.clerk.user):
        with pytest.raises(PermissionDenied):
            act(case, "review", user, opinion="同意")
    # The chief representative may act as approver.
    case = act(case, "review", s.market_chief.user, opinion="同意")
    # Only the chief representative approves an extension.
    with pytest.raises(PermissionDenied):
        act(case, "extend", s.market_approver.user, days=5, reason="需补充调查")
    # Only the chief (or admin) terminates; the applicant withdraws.
    with pytest.raises(PermissionDenied):
        act(case, "terminate", s.clerk.user, reason="x")
    case = act(case, "withdraw", Applicant(), reason="不再需要")
    assert case.state == State.WITHDRAWN


def test_revoked_authorisation_removes_the_approver(env):
    case = act(submit(env), "accept", env.s.clerk.user)
    env.c.market.authorisations.update(is_revoked=True)
    with pytest.raises(PermissionDenied):
        act(case, "review", env.s.market_approver.user, opinion="同意")


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


def test_instant_item_is_accepted_and_decided_on_the_spot(env):
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


# --- application refusals -----------------------------------------------------


def test_item_not_accepting_is_refused_and_nothing_created(env):
    root = env.c.root
    item = env.c.market_item
    catalog_services.change_item_flags(actor=root, item=item, reason="整改", status="suspended")
    with pytest.raises(Conflict) as exc:
        submit(env)
    assert exc.value.code == "item_not_accepting" and "暂停" in exc.value.message
    catalog_services.change_item_flags(
        actor=root,
        item=item,
        reason="涉密",
        status="active",
        on_negative_list=True,
        negative_list_reason="涉及国家秘密",
    )
    with pytest.raises(Conflict) as exc:
        submit(env)
    assert "负面清单" in exc.value.message
    catalog_services.change_item_flags(
        actor=root, item=item, reason="撤销", on_negative_list=False, status="cancelled"
    )
    with pytest.raises(Conflict) as exc:
        submit(env)
    assert "取消" in exc.value.message
    assert Case.objects.count() == 0


def test_wrong_level_and_not_stationed(env):
    # The county item is not offered at township level.
    with pytest.raises(Conflict) as exc:
        submit(env, actor=env.township_clerk.user, centre=env.c.township)
    assert exc.value.code == "wrong_level"
    # The township item is, and market is stationed there.
    case = submit(env, env.township_item, actor=env.township_clerk.user, centre=env.c.township)
    assert case.number.startswith("150626101-20261123-")
    # Health is not stationed at the township.
    with pytest.raises(Conflict) as exc:
        services.submit_application(
            actor=env.township_clerk.user,
            item=env.c.health_item,
            centre=env.c.township,
            channel=Channel.WINDOW,
            applicant=person(),
        )
    assert exc.value.code == "department_not_stationed"
    assert Case.objects.count() == 1


def test_applicant_identity_is_checked(env):
    with pytest.raises(ValidationFailed) as exc:
        submit(env, applicant=person(id_number="150626198503120001"))
    assert exc.value.code == "invalid_id_number"
    assert "applicant.id_number" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        submit(env, applicant=person(kind="organisation", name="某公司", id_number="91150626X"))
    assert exc.value.code == "invalid_uscc"
    org = submit(
        env,
        applicant=person(kind="organisation", name="某餐饮公司", id_number=env.c.market.code),
    )
    assert org.applicant_kind == "organisation"
    with pytest.raises(ValidationFailed) as exc:
        submit(env, agent={"name": "李四", "id_number": person()["id_number"]})
    assert exc.value.code == "power_of_attorney_required"
    assert Case.objects.count() == 1


def test_files_are_checked_by_extension_and_content(env):
    material = env.c.market_item.versions.get().materials.first()
    fake = SimpleUploadedFile("申请书.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationFailed) as exc:
        submit(env, materials=[{"material": material, "file": fake}])
    assert exc.value.fields == {"materials.0.file": ["文件内容与扩展名不符"]}
    exe = SimpleUploadedFile("申请书.exe", b"%PDF-1.4")
    with pytest.raises(ValidationFailed):
        submit(env, materials=[{"material": material, "file": exe}])
    assert Case.objects.count() == 0


def test_online_only_where_offered_and_idempotent(env):
    version = env.c.market_item.versions.get()
    assert version.handling_form == "both"
    one = submit(
        env, actor=Applicant(), channel=Channel.ONLINE, idempotency_key="k1", fingerprint="f"
    )
    again = submit(
        env, actor=Applicant(), channel=Channel.ONLINE, idempotency_key="k1", fingerprint="f"
    )
    assert one.pk == again.pk and Case.objects.count() == 1
    with pytest.raises(Conflict):
        submit(
            env, actor=Applicant(), channel=Channel.ONLINE, idempotency_key="k1", fingerprint="g"
        )
    with pytest.raises(PermissionDenied):  # the public cannot file a window application
        submit(env, actor=Applicant(), channel=Channel.WINDOW)


def test_department_isolation_in_reads(env):
    s = env.s
    market_case = submit(env)
    health_case = services.submit_application(
        actor=s.clerk.user,
        item=env.c.health_item,
        centre=env.c.county,
        channel=Channel.WINDOW,
        applicant=person(),
    )
    assert list(selectors.visible_cases(user=s.market_approver.user)) == [market_case]
    assert set(selectors.visible_cases(user=s.clerk.user)) == {market_case, health_case}
    with pytest.raises(PermissionDenied):
        selectors.case_by_number(number=health_case.number, user=s.market_chief.user)
    assert selectors.case_by_number(number=health_case.number, user=s.supervisor.user)
