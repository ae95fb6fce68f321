"""Writes of 审管联动 and the registries. Every rule here holds for the staff pages, the
API, the webhook in, the demo and the jobs alike.

Pushes (审批结果推送, seed 0 联动 §2, R-LINK-1):

* :func:`on_case_event` is called by the receiver of ``cases.signals.
  case_event_recorded``, **inside** the transaction of the case's event. On 制证 it
  enters the licence in the registry (:func:`issue_licence`) and pushes the decision;
  on a 决定 that yields no licence (不予许可, 退件) it pushes the decision at once.
  Either way :func:`push_decision` writes one :class:`ResultPush` per supervising
  department (the department's inbox), tells its liaison (the notifier's outbox), and
  for a department with a system of its own enqueues the reliable task
  ``tasks.deliver_push`` (HMAC-signed webhook, retried, dead letter) with the push's
  delivery id — all in that transaction: a decision that rolls back pushed nothing,
  a committed one cannot lose its push.
* :func:`acknowledge` — 签收 by the department; past ``ack_due`` (3 working days)
  unacknowledged is a warning (``selectors.overdue_pushes``).

Back from supervision (seed 0 联动 §3): :func:`record_report` registers a violation,
hazard, major change or penalty (form, API, webhook in; an ``external_id`` is
registered once). A revocation (吊销) marks the licence 吊销 and obliges its issuer to
注销 it within ``LICENCES_CANCEL_DAYS`` working days (:class:`CancellationObligation`);
a serious one lists the subject on the 警示信息库 (:func:`add_warning`).

The licence status moves only through :func:`change_status` and the table of
``workflow.py`` (each change with a reason and an audit row); :func:`run_daily` sets
过期, reminds holders 30 days before expiry, warns of overdue pushes and late
obligations and makes last month's letters (书面函告).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.cases.models import ApplicantKind, Case, Result
from govhall.catalog.models import ItemType
from govhall.core import actors, audit, clock, counters, policy
from govhall.core import tasks as core_tasks
from govhall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from govhall.core.validators import (
    clean_text,
    is_valid_id_number,
    is_valid_uscc,
    mask_id_number,
)
from govhall.notifications.models import Channel
from govhall.notifications.services import Message, Recipient, notify
from govhall.org.models import Department, Staff

from . import identifiers, roles, selectors, workflow
from .models import (
    IN_FORCE,
    CancellationObligation,
    Counter,
    Endpoint,
    HolderKind,
    ItemLinkage,
    Liaison,
    Licence,
    MonthlyLetter,
    PenaltyKind,
    ReportChannel,
    ReportKind,
    ResultPush,
    Status,
    SupervisionReport,
    WarningEntry,
)

logger = logging.getLogger(__name__)

ACKNOWLEDGE = audit.Action("licences.push.acknowledge", "签收审批结果推送")
RECORD_REPORT = audit.Action("licences.report.record", "登记监管反馈")
READ_REPORT = audit.Action("licences.report.read", "查收监管反馈")
ADD_WARNING = audit.Action("licences.warning.add", "列入警示信息库")
LIFT_WARNING = audit.Action("licences.warning.lift", "移出警示信息库")
SET_LIAISON = audit.Action("licences.liaison.set", "指定联络员")
SET_ENDPOINT = audit.Action("licences.endpoint.set", "设置部门系统接口")
SET_LINKAGE = audit.Action("licences.linkage.set", "设置事项联动")
MAKE_LETTER = audit.Action("licences.letter.make", "生成书面函告")

TEXT_MAX = 4000
REASON_MAX = workflow.REASON_MAX

RESULT_LABELS = dict(Result.choices)
_UNREAD = selectors.UNREAD  # an argument the caller did not read for us


def _policy_days(name: str, default: int) -> int:
    try:
        value = int(policy.get(name))
    except (KeyError, TypeError, ValueError):
        return default
    return value if value >= 0 else default


def ack_days() -> int:
    return _policy_days("LICENCES_ACK_DAYS", 3)


def cancel_days() -> int:
    return _policy_days("LICENCES_CANCEL_DAYS", 5)


def reminder_days() -> int:
    return _policy_days("LICENCES_EXPIRY_REMINDER_DAYS", 30)


def _next(series: str, year: int) -> int:
    return counters.next_value(Counter, series=series, year=year)


def _holder_kind(case: Case) -> str:
    return (
        HolderKind.ORGANISATION
        if case.applicant_kind == ApplicantKind.ORGANISATION
        else HolderKind.PERSON
    )


# --------------------------------------------------------------------------- cases


def on_case_event(*, case: Case, event) -> list[ResultPush]:
    """The receiver's work, inside the case's transaction (see the module docstring).
    A 一件事 parent is not a decision of its own: its children push."""
    if case.is_bundle_parent:
        return []
    if event.action == "certify":
        item, linkage = selectors.item_with_linkage(case.item_id)
        case.item = item
        licence = None
        if yields_licence(case, linkage=linkage):
            licence = issue_licence(case=case, event=event, linkage=linkage)
        return push_decision(case=case, licence=licence, linkage=linkage, fresh=True)
    if event.action == "decide" and case.result != Result.APPROVED:
        item, linkage = selectors.item_with_linkage(case.item_id)
        case.item = item
        return push_decision(case=case, licence=None, linkage=linkage, fresh=True)
    return []


def yields_licence(case: Case, *, linkage=_UNREAD) -> bool:
    """Whether the approval of ``case`` yields a licence (证照) for the registry: a
    行政许可 does, any other item only when its 事项联动设置 names the licence."""
    if linkage is _UNREAD:
        linkage = selectors.linkage_of(case.item)
    if linkage is not None and linkage.licence_name:
        return True
    return case.item.type == ItemType.LICENSING


def _validity(case: Case, linkage: ItemLinkage | None, issued_on: dt.date):
    months = linkage.validity_months if linkage else 0
    if not months:
        return None
    year, month = divmod(issued_on.month - 1 + months, 12)
    year += issued_on.year
    month += 1
    day = issued_on.day
    while True:
        try:
            end = dt.date(year, month, day)
            break
        except ValueError:
            day -= 1
    return end - dt.timedelta(days=1)


def issue_licence(*, case: Case, event, linkage=_UNREAD) -> Licence:
    """证照入库 on 制证: the licence of an approved case, numbered as certified, valid for
    the item's ``validity_months`` from today. Refused (and the 制证 with it) when the
    issuer already has a licence of that number."""
    if linkage is _UNREAD:
        linkage = selectors.linkage_of(case.item)
    number = case.result_number.strip()
    issuer = case.department
    taken = list(
        Licence.objects.filter(Q(issuer=issuer, number=number) | Q(case=case)).values_list(
            "case_id", flat=True
        )[:2]
    )
    if case.pk in taken:
        raise Conflict("该办件的证照已在证照库中", code="licence_exists")
    if taken:
        raise Conflict(f"证照编号“{number[:60]}”已在证照库中，请核对", code="licence_number_taken")
    today = clock.today()
    now = clock.now()
    version = case.item_version
    licence = Licence(
        number=number,
        name=(linkage.licence_name if linkage and linkage.licence_name else "")
        or (version.result_name if version is not None else "")
        or case.item_version.name,
        type_code=linkage.type_code if linkage else "",
        holder_kind=_holder_kind(case),
        holder_name=case.applicant_name,
        holder_code=case.applicant_id_number.upper(),
        issuer=issuer,
        item=case.item,
        item_name=case.item_version.name[:200],
        case=case,
        issued_on=today,
        valid_from=today,
        valid_until=_validity(case, linkage, today),
        status=Status.VALID,
        status_changed_at=now,
    )
    licence.name = licence.name[:100]
    licence.identifier = identifiers.make(
        type_code=licence.type_code,
        issuer_code=issuer.code,
        sequence=_next("ZZ", today.year),
    )
    licence.save(force_insert=True)
    audit.record(
        actor=event.actor if event.actor_id else actors.SYSTEM,
        action=workflow.ISSUE,
        obj=licence,
        changes={"status": [None, Status.VALID]},
        reason=f"办件 {case.number} 制证",
    )
    return licence


def payload_of(case: Case, licence: Licence | None) -> dict:
    """What a push tells: the case, the item, the holder (ID masked), the result, the
    licence and its validity, the decision date. No phone, no address."""
    kind = _holder_kind(case)
    code = case.applicant_id_number
    return {
        "case_number": case.number,
        "item": case.item_version.name,
        "item_code": case.item.implementation_code,
        "approval_department": case.department.name,
        "holder": case.applicant_name,
        "holder_kind": kind,
        "holder_code": code if kind == HolderKind.ORGANISATION else mask_id_number(code),
        "result": case.result,
        "result_label": RESULT_LABELS.get(case.result, case.result),
        "reason": case.result_reason[:500] if case.result != Result.APPROVED else "",
        "licence_number": licence.number if licence else case.result_number,
        "licence_name": licence.name if licence else "",
        "licence_identifier": licence.identifier if licence else "",
        "valid_from": licence.valid_from.isoformat() if licence else None,
        "valid_until": licence.valid_until.isoformat() if licence and licence.valid_until else None,
        "decided_on": timezone.localdate(case.decided_at).isoformat()
        if case.decided_at
        else clock.today().isoformat(),
    }


def push_decision(
    *, case: Case, licence: Licence | None, linkage=_UNREAD, fresh: bool = False
) -> list[ResultPush]:
    """审批结果推送 to each supervising department of the case's item (see the module
    docstring). Pushing a case twice to one department is a no-op (delivery id);
    ``fresh``: the decision is being made now, so nothing was pushed for it yet (the
    delivery id's uniqueness still holds)."""
    departments = [
        d
        for d in selectors.supervisors_of(case.item, linkage=linkage)
        if d.pk != case.department_id
    ]
    if not departments:
        return []
    now = clock.now()
    today = clock.today()
    due = calendar.add_workdays(start=today, days=ack_days()).date
    payload = payload_of(case, licence)
    decided_on = dt.date.fromisoformat(payload["decided_on"])
    endpoints = {d.pk: e for d in departments if (e := selectors.endpoint_in_use(d))}
    existing = (
        set()
        if fresh
        else set(
            ResultPush.objects.filter(case=case, department__in=departments).values_list(
                "department_id", flat=True
            )
        )
    )
    pushes = [
        ResultPush(
            delivery_id=f"licences:push:{case.pk}:{d.pk}",
            case=case,
            department=d,
            approval_department_id=case.department_id,
            payload={**payload, "delivery_id": f"licences:push:{case.pk}:{d.pk}"},
            decided_on=decided_on,
            pushed_at=now,
            ack_due=due,
            by_webhook=d.pk in endpoints,
        )
        for d in departments
        if d.pk not in existing
    ]
    if not pushes:
        return []
    ResultPush.objects.bulk_create(pushes)
    from . import tasks  # the task module imports this one

    for push in pushes:
        if push.by_webhook:
            core_tasks.enqueue(tasks.deliver_push, delivery_id=push.delivery_id, push_id=push.pk)
    _tell_liaisons(
        departments=[p.department for p in pushes],
        template="licences/pushed",
        context={
            "case_number": case.number,
            "item": case.item_version.name,
            "result": payload["result_label"],
            "licence_number": payload["licence_number"],
            "ack_due": due.isoformat(),
        },
        url=reverse("licences:inbox"),
        group=f"licences.push:{case.pk}",
        ref=f"cases.case:{case.pk}",
    )
    return pushes


def push_backlog(*, since: dt.date, until: dt.date | None = None) -> int:
    """补推: push the decisions made from ``since`` (to ``until``) that their supervising
    departments have not had — decided before the linkage was set up, or before a
    监管事项 named their item. Each case in its own transaction, pushed as
    :func:`push_decision` pushes (a department already told is skipped); returns the
    number of pushes made. ``manage.py push_backlog``."""
    qs = Case.objects.filter(decided_at__date__gte=since)
    if until is not None:
        qs = qs.filter(decided_at__date__lte=until)
    made = 0
    for case in qs.select_related("item", "item_version", "department").order_by(
        "decided_at", "pk"
    ):
        if case.is_bundle_parent:
            continue
        if case.result == Result.APPROVED and not case.result_number:
            continue  # not yet certified: the 制证 will push
        with transaction.atomic():
            licence = Licence.objects.filter(case=case).first()
            made += len(push_decision(case=case, licence=licence))
    return made


def _tell_liaisons(*, departments, template, context, url, group, ref="") -> int:
    messages = []
    for department in departments:
        person = selectors.liaison_of(department)
        if person is None:
            continue
        messages.append(
            Message(
                channel=Channel.INBOX,
                template=template,
                to=Recipient(name=person.name, user_id=person.user_id),
                context=context,
                url=url,
            )
        )
    if not messages:
        return 0
    return notify(messages=messages, group=group, ref=ref)


def acknowledge(*, actor, pushes) -> int:
    """签收: the department acknowledges ``pushes`` (its own, not yet acknowledged);
    returns how many were acknowledged now. One audit row each."""
    ids = [p.pk if isinstance(p, ResultPush) else int(p) for p in pushes]
    if not ids:
        raise ValidationFailed("请选择要签收的推送", code="nothing_selected")
    if len(ids) > 500:
        raise ValidationFailed("一次最多签收 500 条", code="too_many")
    now = clock.now()
    with transaction.atomic():
        rows = list(ResultPush.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(rows) != len(set(ids)):
            raise NotFound("推送不存在", code="push_not_found")
        for push in rows:
            if not roles.may_acknowledge(actor, push):
                raise PermissionDenied("只有接收推送的部门可以签收", code="not_recipient")
        fresh = [p for p in rows if p.acknowledged_at is None]
        name = actors.actor_name(actor)
        for push in fresh:
            push.acknowledged_at = now
            push.acknowledged_by = actors.actor_user(actor)
            push.acknowledged_name = name[:100]
        ResultPush.objects.bulk_update(
            fresh, ["acknowledged_at", "acknowledged_by", "acknowledged_name"]
        )
        audit.AuditEntry.objects.bulk_create(
            [
                audit.record(
                    actor=actor,
                    action=ACKNOWLEDGE,
                    obj=p,
                    changes={"acknowledged": [False, True]},
                    reason=p.payload.get("case_number", ""),
                    save=False,
                )
                for p in fresh
            ]
        )
    return len(fresh)


# --------------------------------------------------------------------------- licences


def change_status(
    *,
    actor,
    licence: Licence,
    action: str,
    reason: str,
    expected_version: int | None = None,
    **inputs,
) -> Licence:
    """Move ``licence`` by the row ``action`` of ``workflow.TRANSITIONS``: the actor's
    role, the source status, the reason (required), the row's effect; one audit row.
    A 注销 fulfils the open cancellation obligations of the licence."""
    row = workflow.get(action)
    unknown = set(inputs) - set(row.inputs)
    if unknown:
        raise TypeError(f"{action}() got unexpected inputs {sorted(unknown)}")
    reason = clean_text(reason, field="reason", label="原因", limit=REASON_MAX)
    with transaction.atomic():
        licence = Licence.objects.select_for_update().get(pk=licence.pk)
        if expected_version is not None and licence.version != expected_version:
            raise Conflict("证照已被他人修改，请刷新后重试", code="stale")
        if not roles.roles_for(actor, licence) & row.roles:
            raise PermissionDenied(f"您无权{row.label}该证照", code="not_allowed")
        if licence.status not in row.sources:
            raise Conflict(
                f"证照当前为“{licence.get_status_display()}”，不能{row.label}",
                code="wrong_status",
            )
        before = licence.status
        changes = row.effect(licence, inputs) if row.effect else {}
        licence.status = row.target
        licence.status_reason = reason
        licence.status_changed_at = clock.now()
        licence.version += 1
        licence.save()
        audit.record(
            actor=actor,
            action=row.audit_action,
            obj=licence,
            changes={"status": [before, licence.status], **changes},
            reason=reason,
        )
        if row.target == Status.CANCELLED:
            CancellationObligation.objects.filter(
                licence=licence, fulfilled_at__isnull=True
            ).update(fulfilled_at=clock.now(), fulfilled_by=actors.actor_user(actor))
    return licence


# --------------------------------------------------------------------------- reports


def _subject(kind: str, name: str, code: str) -> tuple[str, str, str]:
    if kind not in HolderKind.values:
        raise ValidationFailed(
            "当事人类型应为自然人或法人",
            code="invalid_subject_kind",
            fields={"subject_kind": ["取值无效"]},
        )
    name = clean_text(name, field="subject_name", label="当事人", limit=100)
    code = clean_text(code, field="subject_code", label="证件号码", limit=18).upper()
    valid = is_valid_uscc(code) if kind == HolderKind.ORGANISATION else is_valid_id_number(code)
    if not valid:
        label = "统一社会信用代码" if kind == HolderKind.ORGANISATION else "身份证号"
        raise ValidationFailed(
            f"{label}格式或校验位不正确",
            code="invalid_subject_code",
            fields={"subject_code": ["无效"]},
        )
    return kind, name, code


def record_report(
    *,
    actor,
    department: Department,
    kind: str,
    description: str,
    licence_number: str = "",
    subject_kind: str = "",
    subject_name: str = "",
    subject_code: str = "",
    penalty: str = "",
    decision_number: str = "",
    effective_on: dt.date | None = None,
    serious: bool = False,
    warning_until: dt.date | None = None,
    channel: str = ReportChannel.FORM,
    external_id: str = "",
) -> tuple[SupervisionReport, bool]:
    """登记监管反馈 for ``department`` (see the module docstring). A report naming a
    licence takes its subject from the licence. Returns ``(report, created)``: an
    ``external_id`` already registered for the department returns that report."""
    if department is None or not department.is_active:
        raise ValidationFailed("监管部门无效", code="invalid_department")
    if not roles.may_report(actor, department):
        raise PermissionDenied(
            "只有监管部门的工作人员可以登记本部门的监管反馈", code="not_reporter"
        )
    external_id = (external_id or "").strip()[:100]
    if external_id:
        known = SupervisionReport.objects.filter(
            department=department, external_id=external_id
        ).first()
        if known is not None:
            return known, False
    if kind not in ReportKind.values:
        raise ValidationFailed("反馈类型无效", code="invalid_kind", fields={"kind": ["取值无效"]})
    penalty = penalty or ""
    if kind == ReportKind.PENALTY:
        if penalty not in PenaltyKind.values or not penalty:
            raise ValidationFailed(
                "行政处罚须选择处罚种类", code="penalty_required", fields={"penalty": ["必填"]}
            )
        decision_number = clean_text(
            decision_number, field="decision_number", label="处罚决定书文号", limit=60
        )
        if effective_on is None:
            raise ValidationFailed(
                "行政处罚须填写决定生效日期",
                code="effective_on_required",
                fields={"effective_on": ["必填"]},
            )
    elif penalty:
        raise ValidationFailed(
            "只有行政处罚有处罚种类", code="penalty_not_expected", fields={"penalty": ["不适用"]}
        )
    description = clean_text(description, field="description", label="情况说明", limit=TEXT_MAX)
    licence = None
    number = (licence_number or "").strip()[:60]
    if number:
        licence = selectors.licence_by_number(number)
        if licence is None:
            raise ValidationFailed(
                f"证照库中没有编号为“{number}”的证照",
                code="licence_not_found",
                fields={"licence_number": ["不存在"]},
            )
        subject_kind, subject_name, subject_code = (
            licence.holder_kind,
            licence.holder_name,
            licence.holder_code,
        )
    else:
        subject_kind, subject_name, subject_code = _subject(
            subject_kind, subject_name, subject_code
        )
    revocation = kind == ReportKind.PENALTY and penalty == PenaltyKind.REVOCATION
    if revocation and licence is None:
        raise ValidationFailed(
            "吊销许可证件须填写被吊销的证照编号",
            code="licence_required",
            fields={"licence_number": ["必填"]},
        )
    if revocation and licence.status not in IN_FORCE:
        raise Conflict(f"证照当前为“{licence.get_status_display()}”，不能吊销", code="wrong_status")
    now = clock.now()
    today = clock.today()
    try:
        with transaction.atomic():
            report = SupervisionReport.objects.create(
                number=f"JG{today.year}-{_next('JG', today.year):06d}",
                department=department,
                kind=kind,
                penalty=penalty,
                licence=licence,
                subject_kind=subject_kind,
                subject_name=subject_name,
                subject_code=subject_code,
                description=description,
                decision_number=decision_number or "",
                effective_on=effective_on,
                serious=bool(serious),
                channel=channel,
                external_id=external_id,
                received_at=now,
                recorded_by=actors.actor_user(actor),
                recorded_name=actors.actor_name(actor)[:100],
            )
            audit.record(
                actor=actor,
                action=RECORD_REPORT,
                obj=report,
                changes={"kind": [None, kind], "penalty": [None, penalty]},
                reason=description[:200],
            )
            if revocation:
                change_status(
                    actor=actor,
                    licence=licence,
                    action="revoke",
                    reason=f"{department.name} {decision_number}：{description}"[:REASON_MAX],
                )
                due = calendar.add_workdays(start=max(effective_on, today), days=cancel_days()).date
                CancellationObligation.objects.create(
                    report=report,
                    licence=licence,
                    department_id=licence.issuer_id,
                    created_at=now,
                    due_on=due,
                )
            if serious:
                add_warning(
                    actor=actor,
                    subject_kind=subject_kind,
                    subject_name=subject_name,
                    subject_code=subject_code,
                    reason=f"{report.get_kind_display()}：{description}"[:500],
                    source=department,
                    ends_on=warning_until,
                    report=report,
                    _checked=True,
                )
            _tell_approval_departments(report)
    except IntegrityError:
        # Two deliveries of one external id at once: the other one registered it.
        known = SupervisionReport.objects.filter(
            department=department, external_id=external_id
        ).first()
        if external_id and known is not None:
            return known, False
        raise
    return report, True


def _tell_approval_departments(report: SupervisionReport) -> None:
    if report.licence_id:
        ids = {report.licence.issuer_id}
    else:
        ids = set(
            Licence.objects.filter(holder_code=report.subject_code).values_list(
                "issuer_id", flat=True
            )
        )
    ids.discard(report.department_id)
    if not ids:
        return
    obligation = getattr(report, "obligation", None) if report.pk else None
    _tell_liaisons(
        departments=list(Department.objects.filter(pk__in=ids)),
        template="licences/reported",
        context={
            "number": report.number,
            "kind": report.get_kind_display(),
            "penalty": report.get_penalty_display() if report.penalty else "",
            "department": report.department.name,
            "subject": report.subject_name,
            "licence_number": report.licence.number if report.licence_id else "",
            "cancel_due": obligation.due_on.isoformat() if obligation else "",
        },
        url=reverse("licences:report", args=[report.number]),
        group=f"licences.report:{report.pk}",
        ref=f"licences.supervisionreport:{report.pk}",
    )


def mark_report_read(*, actor, report: SupervisionReport) -> SupervisionReport:
    """查收: the approval department has read the report (once; audited)."""
    if report.read_at is not None:
        return report
    visible = roles.visible_departments(actor)
    issuers = set(
        Licence.objects.filter(holder_code=report.subject_code).values_list("issuer_id", flat=True)
    )
    if visible is not None and not (visible & issuers):
        raise PermissionDenied("只有相关审批部门可以查收", code="not_recipient")
    with transaction.atomic():
        updated = SupervisionReport.objects.filter(pk=report.pk, read_at__isnull=True).update(
            read_at=clock.now()
        )
        if updated:
            audit.record(
                actor=actor, action=READ_REPORT, obj=report, changes={"read": [False, True]}
            )
    report.refresh_from_db()
    return report


# --------------------------------------------------------------------------- warnings


def add_warning(
    *,
    actor,
    subject_kind: str,
    subject_name: str,
    subject_code: str,
    reason: str,
    source: Department,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    report: SupervisionReport | None = None,
    _checked: bool = False,
) -> WarningEntry:
    """列入警示信息库 for a period (``ends_on`` ``None``: until lifted). By hand only
    the centre administrator; a serious 监管反馈 through :func:`record_report`."""
    if not _checked and not roles.may_manage_warnings(actor):
        raise PermissionDenied("只有中心管理员可以直接列入警示信息库", code="not_allowed")
    subject_kind, subject_name, subject_code = _subject(subject_kind, subject_name, subject_code)
    reason = clean_text(reason, field="reason", label="列入原因", limit=500)
    starts_on = starts_on or clock.today()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed(
            "截止日期不能早于起始日期", code="invalid_period", fields={"ends_on": ["早于起始日期"]}
        )
    entry = WarningEntry.objects.create(
        subject_kind=subject_kind,
        subject_name=subject_name,
        subject_code=subject_code,
        reason=reason,
        source=source,
        report=report,
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=clock.now(),
        created_by_name=actors.actor_name(actor)[:100],
    )
    audit.record(
        actor=actor,
        action=ADD_WARNING,
        obj=entry,
        changes={"period": [None, f"{starts_on}–{ends_on or '长期'}"]},
        reason=reason,
    )
    return entry


def lift_warning(*, actor, entry: WarningEntry, reason: str) -> WarningEntry:
    """移出警示信息库 before its end (信用修复): the administrator, with a reason."""
    if not roles.may_manage_warnings(actor):
        raise PermissionDenied("只有中心管理员可以移出警示信息库", code="not_allowed")
    reason = clean_text(reason, field="reason", label="移出理由", limit=500)
    with transaction.atomic():
        entry = WarningEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.lifted_at is not None:
            raise Conflict("该警示信息已移出", code="already_lifted")
        entry.lifted_at = clock.now()
        entry.lift_reason = reason
        entry.save(update_fields=["lifted_at", "lift_reason"])
        audit.record(
            actor=actor,
            action=LIFT_WARNING,
            obj=entry,
            changes={"lifted": [False, True]},
            reason=reason,
        )
    return entry


# --------------------------------------------------------------------------- settings


def set_liaison(*, actor, department: Department, staff: Staff, note: str = "") -> Liaison:
    """指定联络员 (seed 0 联动 §5): an active staff member of the department."""
    if not roles.may_manage_settings(actor):
        raise PermissionDenied("只有中心管理员可以指定联络员", code="not_allowed")
    if staff is None or not staff.is_active or staff.department_id != department.pk:
        raise ValidationFailed(
            "联络员须为本部门在岗工作人员", code="invalid_liaison", fields={"staff": ["无效"]}
        )
    note = clean_text(note, field="note", label="职责说明", limit=200, required=False)
    with transaction.atomic():
        liaison = Liaison.objects.filter(department=department).first()
        before = liaison.staff.name if liaison else None
        if liaison is None:
            liaison = Liaison(department=department)
        liaison.staff, liaison.since, liaison.note = staff, clock.today(), note
        liaison.save()
        audit.record(
            actor=actor,
            action=SET_LIAISON,
            obj=department,
            changes={"liaison": [before, staff.name]},
        )
    return liaison


def set_endpoint(
    *, actor, department: Department, url: str, secret: str, is_active: bool = True
) -> Endpoint:
    """部门系统接口: where the department's system takes pushes (http/https), and the
    key both sides sign with (at least 16 characters)."""
    if not roles.may_manage_settings(actor):
        raise PermissionDenied("只有中心管理员可以设置部门系统接口", code="not_allowed")
    url = clean_text(url, field="url", label="接收地址", limit=300)
    if not url.startswith(("http://", "https://")):
        raise ValidationFailed(
            "接收地址须以 http:// 或 https:// 开头", code="invalid_url", fields={"url": ["无效"]}
        )
    secret = clean_text(secret, field="secret", label="签名密钥", limit=128)
    if len(secret) < 16:
        raise ValidationFailed(
            "签名密钥至少 16 个字符", code="secret_too_short", fields={"secret": ["过短"]}
        )
    with transaction.atomic():
        endpoint = Endpoint.objects.filter(department=department).first()
        before = endpoint.url if endpoint else None
        if endpoint is None:
            endpoint = Endpoint(department=department)
        endpoint.url, endpoint.secret, endpoint.is_active = url, secret, bool(is_active)
        endpoint.save()
        audit.record(
            actor=actor,
            action=SET_ENDPOINT,
            obj=department,
            changes={"endpoint": [before, url], "active": [None, endpoint.is_active]},
        )
    return endpoint


def set_linkage(
    *,
    actor,
    item,
    licence_name: str = "",
    type_code: str = "",
    validity_months: int = 0,
    supervisors=(),
    publish_results: bool = True,
) -> ItemLinkage:
    """事项联动设置 of ``item`` (the licence it yields, the supervising departments when
    the 监管事项清单 names none, whether results are published)."""
    if not roles.may_manage_settings(actor):
        raise PermissionDenied("只有中心管理员可以设置事项联动", code="not_allowed")
    licence_name = clean_text(
        licence_name, field="licence_name", label="证照名称", limit=100, required=False
    )
    type_code = clean_text(
        type_code, field="type_code", label="证照类型代码", limit=40, required=False
    ).upper()
    if type_code and not all(c in identifiers.ALPHABET for c in type_code):
        raise ValidationFailed(
            "证照类型代码只能包含数字和大写字母",
            code="invalid_type_code",
            fields={"type_code": ["无效"]},
        )
    if (
        not isinstance(validity_months, int)
        or isinstance(validity_months, bool)
        or not (0 <= validity_months <= 1200)
    ):
        raise ValidationFailed(
            "有效期应为 0–1200 个月",
            code="invalid_validity",
            fields={"validity_months": ["超出范围"]},
        )
    with transaction.atomic():
        linkage, _ = ItemLinkage.objects.get_or_create(item=item)
        before = {
            "licence_name": linkage.licence_name,
            "type_code": linkage.type_code,
            "validity_months": linkage.validity_months,
            "publish_results": linkage.publish_results,
        }
        linkage.licence_name, linkage.type_code = licence_name, type_code
        linkage.validity_months, linkage.publish_results = validity_months, bool(publish_results)
        linkage.save()
        linkage.supervisors.set(list(supervisors))
        after = {k: getattr(linkage, k) for k in before}
        audit.record(
            actor=actor,
            action=SET_LINKAGE,
            obj=item,
            changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
        )
    return linkage


# --------------------------------------------------------------------------- daily


def expire_licences(*, day: dt.date) -> list[str]:
    """过期: licences in force whose validity ended before ``day``."""
    numbers = []
    for licence in Licence.objects.filter(status__in=IN_FORCE, valid_until__lt=day):
        change_status(
            actor=actors.SYSTEM,
            licence=licence,
            action="expire",
            reason=f"有效期已于 {licence.valid_until:%Y-%m-%d} 届满",
        )
        numbers.append(licence.number)
    return numbers


def remind_holders(*, day: dt.date) -> list[str]:
    """到期提醒: an SMS to the holder of each licence in force that expires within
    ``LICENCES_EXPIRY_REMINDER_DAYS`` (30) days, once per validity."""
    horizon = day + dt.timedelta(days=reminder_days())
    rows = list(
        Licence.objects.filter(
            status__in=IN_FORCE,
            valid_until__gte=day,
            valid_until__lte=horizon,
            expiry_reminded_on__isnull=True,
        ).select_related("case", "issuer")
    )
    messages = [
        Message(
            channel=Channel.SMS,
            template="licences/expiring",
            to=Recipient(name=licence.holder_name, phone=licence.case.applicant_phone),
            context={
                "name": licence.name,
                "number": licence.number,
                "valid_until": licence.valid_until.isoformat(),
                "issuer": licence.issuer.name,
            },
            key=f"licences.expiring:{licence.pk}:{licence.valid_until}",
            ref=f"licences.licence:{licence.pk}",
        )
        for licence in rows
        if licence.case.applicant_phone
    ]
    if messages:
        notify(messages=messages, group=f"licences.expiring:{day}")
    Licence.objects.filter(pk__in=[r.pk for r in rows]).update(expiry_reminded_on=day)
    return [r.number for r in rows]


def warn_overdue(*, day: dt.date) -> dict:
    """预警: each department with pushes unacknowledged past their 签收期限, and each
    approval department with a 注销 obligation past its limit, is told once a day."""
    pushes = selectors.overdue_pushes(day=day)
    by_department: dict[int, list] = {}
    for push in pushes:
        by_department.setdefault(push.department_id, []).append(push)
    for department_id, rows in by_department.items():
        _tell_liaisons(
            departments=[rows[0].department],
            template="licences/unacknowledged",
            context={"count": len(rows), "oldest": min(p.ack_due for p in rows).isoformat()},
            url=reverse("licences:inbox"),
            group=f"licences.unacknowledged:{day}:{department_id}",
        )
    late = selectors.late_obligations(day=day)
    for obligation in late:
        _tell_liaisons(
            departments=[obligation.department],
            template="licences/cancel_late",
            context={
                "licence_number": obligation.licence.number,
                "holder": obligation.licence.holder_name,
                "due_on": obligation.due_on.isoformat(),
            },
            url=reverse("licences:licence", args=[obligation.licence_id]),
            group=f"licences.cancel_late:{day}:{obligation.pk}",
        )
    return {"unacknowledged": len(pushes), "late_obligations": len(late)}


def previous_month(day: dt.date) -> dt.date:
    first = day.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def make_monthly_letters(*, month: dt.date) -> list[MonthlyLetter]:
    """书面函告 of ``month`` (its first day): one PDF per supervising department that
    was pushed results that month; a letter already made is not made again."""
    from . import letter

    month = month.replace(day=1)
    end = (month + dt.timedelta(days=32)).replace(day=1)
    made = []
    departments = (
        Department.objects.filter(
            pk__in=ResultPush.objects.filter(decided_on__gte=month, decided_on__lt=end).values(
                "department_id"
            )
        )
        .exclude(pk__in=MonthlyLetter.objects.filter(month=month).values("department_id"))
        .order_by("name")
    )
    for department in departments:
        pushes = list(
            ResultPush.objects.filter(
                department=department, decided_on__gte=month, decided_on__lt=end
            ).order_by("decided_on", "pk")
        )
        with transaction.atomic():
            number = f"HG{month.year}-{_next('HG', month.year):04d}"
            pdf = letter.render(department=department, month=month, number=number, pushes=pushes)
            row = MonthlyLetter.objects.create(
                department=department,
                month=month,
                number=number,
                count=len(pushes),
                pdf=pdf,
                made_at=clock.now(),
            )
            audit.record(
                actor=actors.SYSTEM,
                action=MAKE_LETTER,
                obj=row,
                changes={"count": [None, len(pushes)]},
                reason=f"{month:%Y年%m月}审批结果书面函告",
            )
        made.append(row)
    return made


def run_daily(*, day: dt.date) -> dict:
    """The morning run (after the cases' daily rules): 过期, 到期提醒, overdue pushes and
    late obligations, and last month's letters (made on the first run of a month)."""
    expired = expire_licences(day=day)
    reminded = remind_holders(day=day)
    warned = warn_overdue(day=day)
    letters = make_monthly_letters(month=previous_month(day))
    return {
        "day": day.isoformat(),
        "expired": expired,
        "reminded": reminded,
        **warned,
        "letters": [letter_row.number for letter_row in letters],
    }
