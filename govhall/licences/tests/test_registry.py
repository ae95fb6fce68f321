"""证照库, 监管反馈, 警示信息库 and the morning run (issue 14 §3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.cases.tests.conftest import health_proof
from govhall.core import actors, clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.licences import selectors, services
from govhall.licences.models import (
    CancellationObligation,
    Licence,
    MonthlyLetter,
    ReportKind,
    ResultPush,
    Status,
    WarningEntry,
)
from govhall.notifications.models import Notification
from govhall.testing import factories

from .conftest import act, approve, submit

pytestmark = pytest.mark.django_db

PDF = factories.blank_pdf()


def revoke(env, licence, **kw):
    return services.record_report(
        actor=env.health_approver.user,
        department=env.c.health,
        kind=ReportKind.PENALTY,
        penalty="revocation",
        licence_number=licence.number,
        description="经营场所存在重大食品安全隐患，拒不整改",
        decision_number="卫罚〔2026〕12号",
        effective_on=clock.today(),
        **kw,
    )


def test_status_changes_only_by_the_table_with_a_reason_and_an_audit_row(linked):
    env = linked
    licence = Licence.objects.get(case=approve(env))
    chief = env.s.market_chief.user
    with pytest.raises(ValidationFailed):
        services.change_status(actor=chief, licence=licence, action="withdraw", reason="")
    with pytest.raises(PermissionDenied):  # another department may not 撤销 it
        services.change_status(
            actor=env.s.health_chief.user, licence=licence, action="withdraw", reason="错误"
        )
    with pytest.raises(PermissionDenied):  # 吊销 only through a penalty
        services.change_status(actor=chief, licence=licence, action="revoke", reason="处罚")
    licence = services.change_status(
        actor=chief,
        licence=licence,
        action="change",
        reason="名称变更",
        holder_name="张三丰（个体）",
    )
    assert licence.status == Status.CHANGED and licence.holder_name == "张三丰（个体）"
    with pytest.raises(ValidationFailed) as err:
        services.change_status(
            actor=chief,
            licence=licence,
            action="renew",
            reason="延续",
            valid_until=licence.valid_until - dt.timedelta(days=1),
        )
    assert err.value.code == "valid_until_not_later"
    new_end = licence.valid_until + dt.timedelta(days=365 * 5)
    licence = services.change_status(
        actor=chief, licence=licence, action="renew", reason="到期延续", valid_until=new_end
    )
    assert licence.status == Status.RENEWED and licence.valid_until == new_end
    licence = services.change_status(
        actor=chief, licence=licence, action="cancel", reason="申请注销"
    )
    with pytest.raises(Conflict):
        services.change_status(actor=chief, licence=licence, action="cancel", reason="再次")
    rows = AuditEntry.objects.filter(action__startswith="licences.licence.").order_by("id")
    assert [r.action for r in rows] == [
        "licences.licence.issue",
        "licences.licence.change",
        "licences.licence.renew",
        "licences.licence.cancel",
    ]
    assert rows.last().reason == "申请注销" and rows.last().actor_name == "市场首代"


def test_a_revocation_obliges_the_issuer_to_cancel_and_a_late_one_is_a_warning(linked):
    env = linked
    licence = Licence.objects.get(case=approve(env))
    report, created = revoke(env, licence)
    assert created and report.number.startswith("JG2026-")
    licence.refresh_from_db()
    assert licence.status == Status.REVOKED
    obligation = CancellationObligation.objects.get()
    assert obligation.department == env.c.market and obligation.fulfilled_at is None
    # 5 working days from 2026-11-23 (Monday): Monday 11-30.
    assert obligation.due_on == dt.date(2026, 11, 30)
    note = Notification.objects.get(template="licences/reported")
    assert note.recipient_user_id == env.s.market_chief.user_id
    assert selectors.late_obligations(day=dt.date(2026, 11, 30)) == []
    assert selectors.late_obligations(day=dt.date(2026, 12, 1)) == [obligation]
    with clock.frozen(dt.datetime(2026, 12, 1, 7, 0)):
        result = services.warn_overdue(day=clock.today())
    assert result["late_obligations"] == 1
    assert Notification.objects.filter(template="licences/cancel_late").count() == 1
    services.change_status(
        actor=env.s.market_chief.user,
        licence=licence,
        action="cancel",
        reason=f"依{report.decision_number}吊销后注销",
    )
    obligation.refresh_from_db()
    assert obligation.fulfilled_at is not None
    assert obligation.fulfilled_by == env.s.market_chief.user


def test_a_report_is_registered_once_per_external_id(linked):
    env = linked
    licence = Licence.objects.get(case=approve(env))
    first, created = revoke(env, licence, channel="webhook", external_id="HX-001")
    again, created_again = revoke(env, licence, channel="webhook", external_id="HX-001")
    assert created and not created_again and again.pk == first.pk
    assert CancellationObligation.objects.count() == 1


def test_only_a_department_reports_for_itself_and_a_revocation_names_a_licence(linked):
    env = linked
    licence = Licence.objects.get(case=approve(env))
    with pytest.raises(PermissionDenied):
        services.record_report(
            actor=env.s.clerk.user,
            department=env.c.health,
            kind="hazard",
            description="发现隐患",
            licence_number=licence.number,
        )
    with pytest.raises(ValidationFailed) as err:
        services.record_report(
            actor=env.health_approver.user,
            department=env.c.health,
            kind="penalty",
            penalty="revocation",
            subject_kind="person",
            subject_name="王五",
            subject_code=factories.make_id_number(3),
            description="无证经营",
            decision_number="卫罚〔2026〕13号",
            effective_on=clock.today(),
        )
    assert err.value.code == "licence_required"
    with pytest.raises(ValidationFailed) as err:
        services.record_report(
            actor=env.health_approver.user,
            department=env.c.health,
            kind="violation",
            subject_kind="person",
            subject_name="王五",
            subject_code="123",
            description="无证经营",
        )
    assert err.value.code == "invalid_subject_code"


def test_a_serious_violation_bars_tolerance_at_the_window_and_says_why(linked, tolerance):
    env = linked
    code = factories.make_id_number(21)
    services.record_report(
        actor=env.health_approver.user,
        department=env.c.health,
        kind="violation",
        subject_kind="person",
        subject_name="赵六",
        subject_code=code,
        description="伪造健康证明骗取许可",
        serious=True,
        warning_until=dt.date(2029, 11, 22),
    )
    entry = WarningEntry.objects.get()
    assert entry.subject_code == code and entry.ends_on == dt.date(2029, 11, 22)
    form = env.tolerance.versions.get().materials.get(name="申请书")
    materials = [{"material": form, "file": SimpleUploadedFile("a.pdf", PDF)}]
    applicant = factories.person(21, "赵六", "13800009999")
    case = submit(env, env.tolerance, materials=materials, applicant=applicant)
    with pytest.raises(Conflict) as err:
        act(
            case,
            "accept_with_tolerance",
            env.s.clerk.user,
            tolerated=[health_proof(env)],
            commitment="承诺十日内补齐",
            catch_up_days=3,
        )
    assert err.value.code == "tolerance_barred"
    assert "警示信息库" in err.value.message and "伪造健康证明" in err.value.message
    # Lifted (信用修复), the same applicant may have 容缺 again.
    services.lift_warning(actor=env.c.root, entry=entry, reason="已完成信用修复")
    case.refresh_from_db()
    case = act(
        case,
        "accept_with_tolerance",
        env.s.clerk.user,
        tolerated=[health_proof(env)],
        commitment="承诺十日内补齐",
        catch_up_days=3,
    )
    assert case.state == "in_review"


def test_a_warning_ends_with_its_period(linked):
    env = linked
    code = factories.make_uscc(40)
    services.add_warning(
        actor=env.c.root,
        subject_kind="organisation",
        subject_name="某某餐饮有限公司",
        subject_code=code,
        reason="食品安全严重违法",
        source=env.c.health,
        ends_on=dt.date(2026, 11, 30),
    )
    assert selectors.active_warnings(code=code, day=dt.date(2026, 11, 30))
    assert selectors.active_warnings(code=code, day=dt.date(2026, 12, 1)) == []
    with pytest.raises(PermissionDenied):
        services.add_warning(
            actor=env.s.clerk.user,
            subject_kind="organisation",
            subject_name="某某",
            subject_code=code,
            reason="x",
            source=env.c.health,
        )


def test_the_morning_run_expires_reminds_warns_and_writes_last_months_letter(linked):
    env = linked
    licence = Licence.objects.get(case=approve(env, number="JY-EXP"))
    Licence.objects.filter(pk=licence.pk).update(valid_until=dt.date(2026, 12, 20))
    second = Licence.objects.get(case=approve(env, number="JY-OLD", serial=9, name="钱七"))
    Licence.objects.filter(pk=second.pk).update(valid_until=dt.date(2026, 11, 30))
    # 2026-12-01 (Tuesday): the first working day of December.
    with clock.frozen(dt.datetime(2026, 12, 1, 6, 30)):
        result = services.run_daily(day=clock.today())
    assert result["expired"] == ["JY-OLD"]
    assert result["reminded"] == ["JY-EXP"]
    sms = Notification.objects.get(template="licences/expiring")
    assert sms.context["number"] == "JY-EXP"
    assert Licence.objects.get(pk=second.pk).status == Status.EXPIRED
    assert AuditEntry.objects.get(action="licences.licence.expire").actor_name == "系统"
    # Both pushes were made on 11-23, due 3 working days later (11-26): overdue now,
    # told to 卫健委 once (one message for the department).
    assert result["unacknowledged"] == 2
    assert Notification.objects.filter(template="licences/unacknowledged").count() == 1
    [letter] = MonthlyLetter.objects.all()
    assert letter.department == env.c.health and letter.month == dt.date(2026, 11, 1)
    assert letter.count == ResultPush.objects.count() == 2
    assert bytes(letter.pdf).startswith(b"%PDF")
    # A second run the same day changes nothing and writes no second letter.
    with clock.frozen(dt.datetime(2026, 12, 1, 7, 0)):
        again = services.run_daily(day=clock.today())
    assert again["expired"] == [] and again["reminded"] == [] and again["letters"] == []
    assert Notification.objects.filter(template="licences/expiring").count() == 1


def test_the_daily_rules_queue_the_licences_run(linked):
    from govhall.cases import tasks as case_tasks
    from govhall.core.models import TaskDelivery

    with clock.frozen(dt.datetime(2026, 12, 1, 6, 30)):
        case_tasks.enqueue_daily_rules()
    assert TaskDelivery.objects.get(delivery_id="licences:daily:2026-12-01").state == "done"
    assert actors.SYSTEM


def test_the_window_sees_the_warning_on_the_case_and_after_intake(linked, client):
    env = linked
    code = factories.make_id_number(31)
    services.add_warning(
        actor=env.c.root,
        subject_kind="person",
        subject_name="孙八",
        subject_code=code,
        reason="以欺骗手段取得许可被撤销",
        source=env.c.health,
    )
    case = submit(env, applicant=factories.person(31, "孙八", "13800003131"))
    plain = submit(env, applicant=factories.person(32, "周九", "13800003232"))
    client.force_login(env.s.clerk.user)
    page = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "受理前请注意" in page and "以欺骗手段取得许可被撤销" in page
    assert "警示信息库" not in client.get(f"/staff/cases/{plain.number}/").content.decode()
    case = act(case, "accept", env.s.clerk.user)
    doc = case.documents.get()
    notice = client.get(f"/staff/cases/{case.number}/documents/{doc.number}/?from=desk")
    text = notice.content.decode()
    assert notice.status_code == 200 and "以欺骗手段取得许可被撤销" in text
    assert "受理前请注意" not in text  # accepted now: the warning stays, the heading goes
