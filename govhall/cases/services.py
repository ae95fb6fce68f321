"""Writes to cases. Every state change goes through :func:`transition`, which reads
the one table in ``cases.workflow``; each call is one transaction that checks the
optimistic lock, the role and department, the state, the required inputs and the
guard, applies the effect, writes the insert-only :class:`CaseEvent` (and the notice
issued to the applicant), bumps ``version``, recomputes the clock and records the
audit entry. Nothing is reversible by editing rows.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from govhall.calendar import selectors as calendar
from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import CaseType, HandlingForm, Item, ItemStatus
from govhall.core import clock, policy
from govhall.core import audit
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.validators import validate_id_number, validate_uscc
from govhall.org import permissions as org_permissions
from govhall.org import selectors as org_selectors
from govhall.org.models import Centre, Level, Role

from . import deadlines, numbering, permissions, signals, workflow
from .models import (
    CLOSED_STATES,
    OPEN_STATES,
    ApplicantKind,
    Bundle,
    Case,
    CaseAttachment,
    CaseDocument,
    CaseEvent,
    Channel,
    DocumentKind,
    IdempotencyKey,
    Result,
    SpecialStepRun,
    State,
    SubmittedMaterial,
    validate_case_file,
)
from .workflow import SYSTEM

_PHONE_RE = re.compile(r"^[0-9\-+ ]{7,20}$")
_LEVEL_LABEL = dict(Level.choices)


# --------------------------------------------------------------------------- helpers


def _actor_user(actor):
    """The User stored on rows (None for the applicant and the system)."""
    return actor if getattr(actor, "pk", None) else None


def _actor_name(actor, case: Case | None = None) -> str:
    if actor is SYSTEM:
        return "系统"
    if actor is None:
        return f"申请人 {case.applicant_name}" if case else "申请人"
    staff = org_permissions.staff_of(actor)
    return staff.name if staff else (actor.get_full_name() or actor.get_username())


def _check_file(f, field: str) -> None:
    if not f:
        return
    try:
        validate_case_file(f)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="invalid_file", fields={field: exc.messages})


def _issue_document(*, case: Case, kind: str, event: CaseEvent, data: dict) -> CaseDocument:
    sequence = case.documents.count() + 1
    return CaseDocument.objects.create(
        case=case,
        event=event,
        kind=kind,
        number=f"{case.number}-{sequence:02d}",
        issued_at=clock.now(),
        data=data,
    )


def _write_event(
    *, case, action, from_state, actor, opinion="", data=None, attachments=(), restricted=False
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        from_state=from_state,
        to_state=case.state,
        actor=_actor_user(actor),
        actor_name=_actor_name(actor, case),
        at=clock.now(),
        opinion=opinion or "",
        data=data or {},
        restricted=restricted,
    )
    for attachment in attachments or ():
        _check_file(attachment["file"], "attachments")
        CaseAttachment.objects.create(
            event=event,
            name=attachment.get("name") or attachment["file"].name,
            file=attachment["file"],
        )
    return event


# --------------------------------------------------------------------------- application


def _check_applicant(applicant: dict) -> dict:
    applicant = dict(applicant or {})
    kind = applicant.get("kind") or ApplicantKind.PERSON
    errors: dict[str, list[str]] = {}
    if kind not in ApplicantKind.values:
        errors["applicant.kind"] = ["取值无效"]
    if not str(applicant.get("name") or "").strip():
        errors["applicant.name"] = ["申请人名称必须填写"]
    phone = str(applicant.get("phone") or "").strip()
    if not _PHONE_RE.fullmatch(phone):
        errors["applicant.phone"] = ["联系电话格式不正确"]
    if errors:
        raise ValidationFailed("申请人信息不完整", code="invalid_applicant", fields=errors)
    if kind == ApplicantKind.PERSON:
        id_number = validate_id_number(applicant.get("id_number"), field="applicant.id_number")
    else:
        id_number = validate_uscc(applicant.get("id_number"), field="applicant.id_number")
    return {
        "applicant_kind": kind,
        "applicant_name": applicant["name"].strip(),
        "applicant_id_number": id_number,
        "applicant_phone": phone,
        "applicant_address": str(applicant.get("address") or "").strip(),
    }


def _check_agent(agent: dict | None) -> dict:
    if not agent or not str(agent.get("name") or "").strip():
        return {}
    id_number = validate_id_number(agent.get("id_number"), field="agent.id_number")
    poa = agent.get("power_of_attorney")
    if not poa:
        raise ValidationFailed(
            "代理人办理须提交授权委托书",
            code="power_of_attorney_required",
            fields={"agent.power_of_attorney": ["必须上传授权委托书"]},
        )
    _check_file(poa, "agent.power_of_attorney")
    return {
        "agent_name": agent["name"].strip(),
        "agent_id_number": id_number,
        "agent_phone": str(agent.get("phone") or "").strip(),
        "power_of_attorney": poa,
    }


def _check_item_at_centre(*, item: Item, centre: Centre, channel: str):
    """Refusals before anything is created (应进必进, 暂停/取消, 层级, 进驻, 网上办理)."""
    if not item.accepting:
        if item.status == ItemStatus.SUSPENDED:
            why = "该事项已暂停办理"
        elif item.status == ItemStatus.CANCELLED:
            why = "该事项已取消"
        elif item.on_negative_list:
            why = "该事项列入负面清单，不在中心受理"
        else:
            why = "该事项未进驻中心"
        raise Conflict(f"{why}，不能申请", code="item_not_accepting")
    # The version in force, without the guide's materials/steps (not needed to apply;
    # submitted materials are checked by their version_id).
    # ``order_by("-number")``: the model's ordering ("item", "-number") would join the
    # item table only to order by a constant (one item).
    version = catalog_selectors.current_versions().filter(item=item).order_by("-number").first()
    if version is None:
        raise Conflict("该事项没有现行有效的办事指南，不能申请", code="no_current_version")
    if not org_selectors.is_stationed(department=item.department, centre=centre):
        raise Conflict(
            f"{item.department.name}未进驻{centre.name}，不能在此受理",
            code="department_not_stationed",
        )
    if not version.accepts_at(centre.level):
        raise Conflict(
            f"该事项不在{_LEVEL_LABEL.get(centre.level, centre.level)}受理",
            code="wrong_level",
        )
    if channel == Channel.ONLINE and version.handling_form == HandlingForm.WINDOW:
        raise Conflict("该事项只能到窗口办理，不提供网上申请", code="not_online")
    if channel not in Channel.values:
        raise ValidationFailed(
            "申请渠道无效", code="invalid_channel", fields={"channel": ["取值无效"]}
        )
    return version


def _check_submitter(actor, *, centre: Centre, department, channel: str) -> None:
    if actor is None:
        if channel not in (Channel.ONLINE, Channel.KIOSK):
            raise PermissionDenied("窗口、邮寄和代收申请须由工作人员录入")
        return
    if org_permissions.is_centre_admin(actor):
        return
    staff = org_permissions.staff_of(actor)
    ok = (
        staff is not None
        and staff.is_active
        and (
            (staff.role == Role.WINDOW_CLERK and staff.centre_id == centre.pk)
            or (
                staff.role in (Role.CHIEF_REP, Role.APPROVER)
                and staff.department_id == department.pk
            )
        )
    )
    if not ok:
        raise PermissionDenied("您无权在该中心为该部门录入申请")


def _add_materials(case: Case, version, materials, *, field: str = "materials") -> list:
    """Rows of 提交的材料, written with one INSERT. A catalogue material belongs to
    exactly one version, so "in this version's 申请材料目录" is ``version_id`` (no read)."""
    version_id = version.pk if version else None
    rows = []
    now = clock.now()
    for index, entry in enumerate(materials or ()):
        material = entry.get("material")
        if material is not None and (
            version_id is None or getattr(material, "version_id", None) != version_id
        ):
            raise ValidationFailed(
                "提交的材料不属于该事项的申请材料目录",
                code="unknown_material",
                fields={f"{field}.{index}.material": ["不属于本事项"]},
            )
        _check_file(entry.get("file"), f"{field}.{index}.file")
        name = entry.get("name") or (material.name if material else "")
        if not name:
            raise ValidationFailed(
                "补充材料须填写名称",
                code="material_name_required",
                fields={f"{field}.{index}.name": ["必填"]},
            )
        rows.append(
            SubmittedMaterial(
                case=case,
                material=material,
                name=name,
                file=entry.get("file") or "",
                is_original=bool(entry.get("is_original")),
                copies=entry.get("copies", 1),
                submitted_at=now,
            )
        )
    return SubmittedMaterial.objects.bulk_create(rows) if rows else rows


def _idempotent(key: str | None, fingerprint: str) -> Case | None:
    if not key:
        return None
    existing = IdempotencyKey.objects.select_related("case").filter(key=key).first()
    if existing is None:
        return None
    if existing.fingerprint != (fingerprint or ""):
        raise Conflict("该幂等键已用于另一份不同的申请", code="idempotency_mismatch")
    return existing.case


def _create_case(*, actor, item, version, centre, channel, applicant, agent, parent=None) -> Case:
    now = clock.now()
    today = clock.today()
    case = Case.objects.create(
        number=numbering.next_number(centre=centre, day=today),
        item=item,
        item_version=version,
        department=item.department,
        centre=centre,
        channel=channel,
        parent=parent,
        received_at=now,
        materials_received_on=today,
        limit_days=0 if version.case_type == CaseType.INSTANT else version.promised_limit_days or 0,
        **applicant,
        **agent,
    )
    return case


@transaction.atomic
def submit_application(
    *,
    actor,
    item: Item,
    centre: Centre,
    channel: str,
    applicant: dict,
    agent: dict | None = None,
    materials=(),
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> Case:
    """申请 (online) / 收件 (window): create a case in state 已申请.

    Refused with nothing created when the item is not accepting, its department is
    not stationed in ``centre``, the version is not offered at the centre's level,
    online application is not offered, or the applicant's ID/USCC check fails.
    """
    existing = _idempotent(idempotency_key, fingerprint)
    if existing is not None:
        return existing
    item = Item.objects.select_related("department").get(pk=item.pk)
    version = _check_item_at_centre(item=item, centre=centre, channel=channel)
    _check_submitter(actor, centre=centre, department=item.department, channel=channel)
    applicant_fields = _check_applicant(applicant)
    agent_fields = _check_agent(agent)
    case = _create_case(
        actor=actor,
        item=item,
        version=version,
        centre=centre,
        channel=channel,
        applicant=applicant_fields,
        agent=agent_fields,
    )
    _add_materials(case, version, materials)
    _write_event(case=case, action="submit", from_state=State.SUBMITTED, actor=actor)
    if idempotency_key:
        IdempotencyKey.objects.create(
            key=idempotency_key, fingerprint=fingerprint or "", case=case, created_at=clock.now()
        )
    audit.record(actor=_actor_user(actor), action="case.submit", obj=case)
    return case


@transaction.atomic
def submit_bundle_application(
    *,
    actor,
    bundle: Bundle,
    centre: Centre,
    channel: str,
    applicant: dict,
    agent: dict | None = None,
    materials: dict | None = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> Case:
    """一件事一次办: one form creates a parent case and one child per item
    ([seed 2 §20]); accepting the parent accepts every child with one notice."""
    existing = _idempotent(idempotency_key, fingerprint)
    if existing is not None:
        return existing
    if not bundle.is_active:
        raise Conflict("该一件事已停用", code="bundle_inactive")
    items = [bi.item for bi in bundle.bundle_items.select_related("item__department")]
    if not items:
        raise Conflict("该一件事没有包含事项", code="bundle_empty")
    versions = [_check_item_at_centre(item=i, centre=centre, channel=channel) for i in items]
    _check_submitter(actor, centre=centre, department=bundle.lead_department, channel=channel)
    applicant_fields = _check_applicant(applicant)
    agent_fields = _check_agent(agent)
    now, today = clock.now(), clock.today()
    parent = Case.objects.create(
        number=numbering.next_number(centre=centre, day=today),
        bundle=bundle,
        department=bundle.lead_department,
        centre=centre,
        channel=channel,
        received_at=now,
        materials_received_on=today,
        **applicant_fields,
        **agent_fields,
    )
    _write_event(case=parent, action="submit", from_state=State.SUBMITTED, actor=actor)
    for item, version in zip(items, versions, strict=True):
        child = _create_case(
            actor=actor,
            item=item,
            version=version,
            centre=centre,
            channel=channel,
            applicant=applicant_fields,
            agent=agent_fields,
            parent=parent,
        )
        _add_materials(child, version, (materials or {}).get(item.pk, ()))
        _write_event(
            case=child,
            action="submit",
            from_state=State.SUBMITTED,
            actor=actor,
            data={"bundle_parent": parent.number},
        )
    if idempotency_key:
        IdempotencyKey.objects.create(
            key=idempotency_key, fingerprint=fingerprint or "", case=parent, created_at=now
        )
    audit.record(actor=_actor_user(actor), action="case.submit_bundle", obj=parent)
    return parent


# --------------------------------------------------------------------------- effects
# Each effect gets (actor, case, inputs) on the locked case, changes fields (the
# service saves), may write related rows, and returns (opinion, data, document) where
# document is a DocumentKind or None.


def _responsible(actor, inputs, case):
    staff = inputs.get("responsible")
    if staff is None:
        own = org_permissions.staff_of(actor) if _actor_user(actor) else None
        if own is not None and own.department_id == case.department_id:
            staff = own
    return staff


def _start_clock(actor, case, inputs) -> None:
    today = clock.today()
    case.accepted_at = clock.now()
    if not case.deemed_accepted_s32 and deadlines.s32_overdue(case, today):
        case.deemed_accepted_s32 = True
    # §32: deemed accepted from the day the materials arrived.
    case.accepted_on = case.materials_received_on if case.deemed_accepted_s32 else today
    case.responsible = _responsible(actor, inputs, case) or case.responsible


def _fx_accept(actor, case, inputs):
    _start_clock(actor, case, inputs)
    return (
        inputs.get("opinion", ""),
        {"deemed_accepted_s32": case.deemed_accepted_s32},
        (None if inputs.get("_quiet") else DocumentKind.ACCEPTANCE),
    )


def _fx_request_correction(actor, case, inputs):
    listed = []
    by_material = {m.material_id: m for m in case.materials.all() if m.material_id}
    for entry in inputs["corrections"]:
        material = entry.get("material")
        name = entry.get("name") or (material.name if material else "")
        listed.append(
            {"material": getattr(material, "pk", None), "name": name, "problem": entry["problem"]}
        )
        row = by_material.get(getattr(material, "pk", None))
        if row is not None:
            row.problem = entry["problem"]
            row.save(update_fields=["problem"])
    return inputs.get("opinion", ""), {"corrections": listed}, DocumentKind.CORRECTION


def _fx_resubmit(actor, case, inputs):
    rows = _add_materials(case, case.item_version, inputs["materials"])
    case.materials.exclude(pk__in=[r.pk for r in rows]).exclude(problem="").update(problem="")
    case.materials_received_on = clock.today()
    return "", {"materials": [r.name for r in rows]}, None


def _fx_close(actor, case, inputs):
    case.closed_at = clock.now()
    case.result_reason = inputs["reason"]
    case.clock_paused = False
    doc = DocumentKind.REFUSAL if inputs["_action"] == "refuse" else None
    return inputs["reason"], {}, doc


def _fx_tolerance(actor, case, inputs):
    _start_clock(actor, case, inputs)
    due = calendar.add_workdays(start=clock.today(), days=inputs["catch_up_days"]).date
    names = []
    existing = {m.material_id: m for m in case.materials.all() if m.material_id}
    for material in inputs["tolerated"]:
        row = existing.get(material.pk) or SubmittedMaterial(
            case=case, material=material, name=material.name, submitted_at=clock.now(), copies=0
        )
        row.tolerated, row.catch_up_due, row.caught_up_at = True, due, None
        row.save()
        names.append(material.name)
    case.tolerance_due = due
    data = {"tolerated": names, "catch_up_due": due.isoformat(), "commitment": inputs["commitment"]}
    return inputs.get("opinion", ""), data, DocumentKind.ACCEPTANCE


def _fx_catch_up(actor, case, inputs):
    now = clock.now()
    names = []
    outstanding = {
        m.material_id: m for m in case.materials.filter(tolerated=True, caught_up_at__isnull=True)
    }
    for index, entry in enumerate(inputs["materials"]):
        material = entry.get("material")
        row = outstanding.get(getattr(material, "pk", None))
        if row is None:
            raise ValidationFailed(
                "该材料不是待补齐的容缺材料",
                code="not_tolerated",
                fields={f"materials.{index}.material": ["不是待补齐的容缺材料"]},
            )
        _check_file(entry.get("file"), f"materials.{index}.file")
        if entry.get("file"):
            row.file = entry["file"]
        row.caught_up_at = now
        row.save()
        names.append(row.name)
    if not case.materials.filter(tolerated=True, caught_up_at__isnull=True).exists():
        case.tolerance_due = None
    return "", {"caught_up": names}, None


def _fx_review(actor, case, inputs):
    step = workflow.review_steps(case)[case.current_step]
    case.current_step += 1
    return inputs["opinion"], {"step": step.name, "kind": step.kind, "order": step.order}, None


def _fx_decide(actor, case, inputs):
    case.result = inputs["result"]
    case.result_reason = inputs.get("reason", "")
    case.decided_at = clock.now()
    case.current_step = len(workflow.version_steps(case))
    if case.accepted_on is None:  # 即办件 decided at acceptance
        _start_clock(actor, case, inputs)
    data = {"result": case.result, "reason": case.result_reason}
    return inputs["opinion"], data, DocumentKind.DECISION


def _fx_start_special(actor, case, inputs):
    step = inputs["special_step"]
    today = clock.today()
    run = SpecialStepRun.objects.create(
        case=case,
        special_step=step,
        kind=step.kind,
        name=step.name,
        counted_in_limit=step.counted_in_limit,
        started_at=clock.now(),
        started_on=today,
        notice=inputs["notice"],
    )
    if not step.counted_in_limit:
        case.clock_paused, case.paused_since = True, today
    data = {
        "run": run.pk,
        "name": step.name,
        "kind": step.kind,
        "counted_in_limit": step.counted_in_limit,
        "time_limit_days": step.time_limit_days,
        "notice": inputs["notice"],
    }
    return inputs.get("opinion", ""), data, DocumentKind.SPECIAL_STEP


def _fx_end_special(actor, case, inputs):
    run = case.special_runs.get(ended_at__isnull=True)
    today = clock.today()
    run.ended_at, run.ended_on, run.record = clock.now(), today, inputs["record"]
    if not run.counted_in_limit:
        run.paused_days = calendar.workdays_between(start=run.started_on, end=today).count
        case.paused_days += run.paused_days
        case.clock_paused, case.paused_since = False, None
    run.save()
    data = {"run": run.pk, "name": run.name, "paused_days": run.paused_days}
    return inputs.get("opinion", ""), data, None


def _fx_extend(actor, case, inputs):
    case.extension_days = inputs["days"]
    return inputs["reason"], {"days": inputs["days"]}, DocumentKind.EXTENSION


def _fx_certify(actor, case, inputs):
    case.result_number = inputs["result_number"].strip()
    return inputs.get("opinion", ""), {"result_number": case.result_number}, None


def _fx_deliver(actor, case, inputs):
    case.delivery_method = inputs["method"]
    case.tracking_number = inputs.get("tracking_number", "").strip()
    data = {"method": case.delivery_method, "tracking_number": case.tracking_number}
    return inputs.get("opinion", ""), data, DocumentKind.SERVICE_RECEIPT


def _fx_complete(actor, case, inputs):
    case.completed_at = case.closed_at = clock.now()
    return inputs.get("opinion", ""), {}, None


def _fx_archive(actor, case, inputs):
    case.archived_at = clock.now()
    return "", {}, None


_EFFECTS = {
    "accept": _fx_accept,
    "request_correction": _fx_request_correction,
    "resubmit": _fx_resubmit,
    "refuse": _fx_close,
    "accept_with_tolerance": _fx_tolerance,
    "catch_up": _fx_catch_up,
    "review": _fx_review,
    "decide": _fx_decide,
    "start_special_step": _fx_start_special,
    "end_special_step": _fx_end_special,
    "extend": _fx_extend,
    "certify": _fx_certify,
    "deliver": _fx_deliver,
    "complete": _fx_complete,
    "complete_bundle": _fx_complete,
    "archive": _fx_archive,
    "withdraw": _fx_close,
    "terminate": _fx_close,
}


def _document_data(case: Case, kind: str, data: dict) -> dict:
    base = {
        "case_number": case.number,
        "item": case.item_version.name if case.item_version else str(case.bundle),
        "applicant": case.applicant_name,
        "department": case.department.name,
    }
    if kind == DocumentKind.ACCEPTANCE:
        base.update(
            responsible=case.responsible.name if case.responsible else "",
            due_date=case.due_date.isoformat() if case.due_date else "",
            accepted_on=case.accepted_on.isoformat() if case.accepted_on else "",
            deemed_accepted_s32=case.deemed_accepted_s32,
        )
    if kind == DocumentKind.EXTENSION:
        base["due_date"] = case.due_date.isoformat()
    return {**base, **data}


# --------------------------------------------------------------------------- transition


# Rows the transition reads besides the case, joined in the locking read (only the
# case row is locked): the version (guards, 即办件 role, documents) and the department
# (documents). Roles use only the ids of item and centre; ``responsible`` is set from
# the acting staff at 受理 and read lazily otherwise (rarely), so none is joined.
_LOCK_RELATED = ("item_version", "department")
_CASE_COLUMNS = [f for f in Case._meta.concrete_fields if not f.primary_key]


def _lock_case(pk) -> Case:
    """The locking read of a transition: the case row (``FOR UPDATE OF case``) with the
    version and department it needs, and nothing else joined or ordered."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related(*_LOCK_RELATED)
        .order_by()
        .get(pk=pk)
    )


def _values(case: Case) -> dict:
    return {f.attname: getattr(case, f.attname) for f in _CASE_COLUMNS}


def _changed_fields(case: Case, before: dict) -> list[str]:
    """The columns an effect changed: the UPDATE writes only those (``version``
    always changes, so the list is never empty)."""
    return [f.name for f in _CASE_COLUMNS if getattr(case, f.attname) != before[f.attname]]


def _clock_inputs(case: Case) -> tuple:
    """What the due date depends on: recompute only when one of these changes."""
    return (case.accepted_on, case.limit_days, case.paused_days, case.extension_days)


def transition(*, actor, case: Case, action: str, expected_version: int, **inputs) -> Case:
    """The one way a case changes state. See ``workflow.TABLE`` for the rules.

    ``actor``: a staff ``User``; ``None`` for the applicant (the calling page has
    identified them); ``workflow.SYSTEM`` for daily jobs and cascades.
    """
    row = workflow.get(action)
    attachments = inputs.pop("attachments", ())
    restricted = bool(inputs.pop("restricted", False))
    with transaction.atomic():
        if case.parent_id is not None:
            # 一件事: always lock the parent before its child. The parent's own actions
            # lock parent → children, so a child's action must not lock child → parent,
            # or two windows working on one bundle could deadlock.
            list(Case.objects.select_for_update().filter(pk=case.parent_id).values_list("pk"))
        case = _lock_case(case.pk)
        before = _values(case)
        if case.version != expected_version:
            raise Conflict(
                f"办件 {case.number} 已被他人处理（当前为“{case.get_state_display()}”），请刷新后重试",
                code="stale_case",
            )
        roles = permissions.roles_for(actor, case, needed=row.roles)
        if not roles & row.roles:
            raise PermissionDenied(f"您无权对办件 {case.number} 执行“{row.label}”")
        if case.is_bundle_parent and not row.bundle_parent:
            raise Conflict(f"一件事主件不能执行“{row.label}”，请在子件上办理", code="bundle_parent")
        if case.state not in row.sources:
            raise Conflict(
                f"办件当前状态为“{case.get_state_display()}”，不能执行“{row.label}”",
                code="invalid_transition",
            )
        missing = workflow.missing_inputs(row, inputs)
        if missing:
            raise ValidationFailed(
                f"“{row.label}”缺少必填内容：{'、'.join(workflow.INPUT_LABELS.get(k, k) for k in missing)}",
                code="missing_input",
                fields=missing,
            )
        if (
            case.state == State.SUBMITTED
            and not case.deemed_accepted_s32
            and action in ("request_correction", "refuse", "accept_with_tolerance")
            and deadlines.s32_overdue(case)
        ):
            # Checked at the moment of acting as well as by the daily job.
            case.deemed_accepted_s32 = True
        if row.guard is not None:
            row.guard(case, inputs)
        from_state = case.state
        clock_inputs = _clock_inputs(case)
        opinion, data, document = _EFFECTS[action](actor, case, {**inputs, "_action": action})
        if row.target is not None:
            case.state = row.target
        case.version += 1
        if _clock_inputs(case) != clock_inputs:
            deadlines.recompute(case)
        case.save(update_fields=_changed_fields(case, before))
        event = _write_event(
            case=case,
            action=action,
            from_state=from_state,
            actor=actor,
            opinion=opinion,
            data=data,
            attachments=attachments,
            restricted=restricted,
        )
        # A 一件事 parent's notice names the deadline of its children, known only after
        # the cascade in _after(): issue it then.
        if document is not None and not case.is_bundle_parent:
            _issue_document(
                case=case, kind=document, event=event, data=_document_data(case, document, data)
            )
        audit.record(
            actor=_actor_user(actor),
            action=f"case.{action}",
            obj=case,
            changes={"state": [from_state, case.state]} if from_state != case.state else {},
            reason=opinion,
        )
        _after(actor, case, action)
        if case.is_bundle_parent:
            case.refresh_from_db()
            if document is not None:
                # The parent's notice is the applicant's one 一件事告知单: it carries the
                # children as they stand after the cascade (rendered by cases.documents).
                _issue_document(
                    case=case,
                    kind=document,
                    event=event,
                    data={
                        **_document_data(case, document, data),
                        "children": _bundle_children_rows(case),
                    },
                )
        transaction.on_commit(
            lambda: signals.case_transitioned.send(
                sender=Case, case=case, action=action, event=event
            )
        )
        if action == "decide":
            transaction.on_commit(
                lambda: signals.case_decided.send(sender=Case, case=case, result=case.result)
            )
    return case


def _after(actor, case: Case, action: str) -> None:
    """Cascades of 一件事: the parent drives its children and follows them."""
    if case.is_bundle_parent:
        children = list(case.children.filter(state__in=OPEN_STATES))
        for child in children:
            if action == "accept" and child.state == State.SUBMITTED:
                transition(
                    actor=SYSTEM,
                    case=child,
                    action="accept",
                    expected_version=child.version,
                    _quiet=True,
                )
            elif action in ("refuse", "withdraw", "terminate"):
                target = (
                    "refuse" if child.state in workflow.TABLE["refuse"].sources else "terminate"
                )
                if action == "withdraw":
                    target = "withdraw"
                transition(
                    actor=SYSTEM,
                    case=child,
                    action=target,
                    expected_version=child.version,
                    reason=case.result_reason,
                )
        if action == "accept":
            _sync_parent_deadline(case)
        return
    if case.parent_id is None:
        return
    parent = Case.objects.select_for_update().get(pk=case.parent_id)
    failed = case.state in (State.REFUSED, State.TERMINATED, State.WITHDRAWN) or (
        action == "decide" and case.result in (Result.DENIED, Result.RETURNED)
    )
    if failed and not parent.child_failed:
        parent.child_failed = True
        parent.save(update_fields=["child_failed"])
    if action in ("accept", "accept_with_tolerance", "extend", "end_special_step"):
        _sync_parent_deadline(parent)
    if (
        parent.state in OPEN_STATES
        and not parent.children.exclude(state__in=CLOSED_STATES).exists()
    ):
        if parent.state in workflow.TABLE["complete_bundle"].sources:
            transition(
                actor=SYSTEM, case=parent, action="complete_bundle", expected_version=parent.version
            )


_RECEIPT_KINDS = (DocumentKind.ACCEPTANCE, DocumentKind.CORRECTION, DocumentKind.REFUSAL)


def _bundle_children_rows(parent: Case) -> list[dict]:
    """Each child of a 一件事 as the applicant is told at issue time (事项, 部门,
    子件编号, 状态, 办结期限) with its own receipt-stage notice — two queries."""
    children = list(parent.children.select_related("item_version", "department").order_by("id"))
    notices: dict = {}
    for case_id, number in (
        CaseDocument.objects.filter(case__parent=parent, kind__in=_RECEIPT_KINDS)
        .order_by("id")
        .values_list("case_id", "number")
    ):
        notices[case_id] = number
    return [
        {
            "number": c.number,
            "item": c.item_version.name if c.item_version else "",
            "department": c.department.name,
            "state": c.state,
            "state_label": c.get_state_display(),
            "result": c.result or "",
            "result_label": c.get_result_display() if c.result else "",
            "due_date": c.due_date.isoformat() if c.due_date else "",
            "tolerance_due": c.tolerance_due.isoformat() if c.tolerance_due else "",
            "notice": notices.get(c.pk, ""),
        }
        for c in children
    ]


def issue_bundle_notice(*, actor, parent: Case) -> CaseDocument:
    """一件事告知单 [seed 2 §20]: when the window decided a 一件事 child by child
    (补正 for some, 受理/容缺受理 for others) the parent itself was not accepted and
    issued nothing, so the applicant would get one notice per child. This issues the
    ONE notice for the whole bundle on the parent, listing every child and pointing
    to the children's own notices (一次性告知书/受理通知书), which it includes when
    printed. Call it after the children's decisions, in the same transaction."""
    with transaction.atomic():
        if parent.parent_id is not None or parent.bundle_id is None:
            raise Conflict("只有一件事主件可以出具一件事告知单", code="not_bundle_parent")
        parent = (
            Case.objects.select_for_update(of=("self",))
            .select_related("department", "bundle")
            .get(pk=parent.pk)
        )
        data = {
            "case_number": parent.number,
            "item": parent.bundle.name,
            "applicant": parent.applicant_name,
            "department": parent.department.name,
            "children": _bundle_children_rows(parent),
        }
        document = _issue_document(
            case=parent, kind=DocumentKind.BUNDLE_NOTICE, event=None, data=data
        )
        audit.record(
            actor=_actor_user(actor),
            action="case.bundle_notice",
            obj=parent,
            changes={"document": [None, document.number]},
        )
    return document


def _sync_parent_deadline(parent: Case) -> None:
    dates = [d for d in parent.children.values_list("due_date", flat=True) if d]
    accepted = [d for d in parent.children.values_list("accepted_on", flat=True) if d]
    Case.objects.filter(pk=parent.pk).update(
        due_date=max(dates) if dates else None,
        yellow_from=max(dates) if dates else None,
        accepted_on=min(accepted) if accepted else None,
    )


# --------------------------------------------------------------------------- wrappers


def accept(*, actor, case, expected_version, responsible=None, opinion="", **extra) -> Case:
    """受理: issues the 受理通知书 (responsible person, deadline, rights) [seed 3 §9]."""
    return transition(
        actor=actor,
        case=case,
        action="accept",
        expected_version=expected_version,
        responsible=responsible,
        opinion=opinion,
        **extra,
    )


def request_correction(*, actor, case, expected_version, corrections, opinion="", **extra):
    """补正: one 一次性告知书 listing every missing/non-conforming material (§32)."""
    return transition(
        actor=actor,
        case=case,
        action="request_correction",
        expected_version=expected_version,
        corrections=corrections,
        opinion=opinion,
        **extra,
    )


def resubmit(*, actor, case, expected_version, materials, **extra):
    return transition(
        actor=actor,
        case=case,
        action="resubmit",
        expected_version=expected_version,
        materials=materials,
        **extra,
    )


def refuse(*, actor, case, expected_version, reason, **extra):
    """不予受理 with reasons (不予受理决定书)."""
    return transition(
        actor=actor,
        case=case,
        action="refuse",
        expected_version=expected_version,
        reason=reason,
        **extra,
    )


def accept_with_tolerance(
    *,
    actor,
    case,
    expected_version,
    tolerated,
    commitment,
    catch_up_days,
    responsible=None,
    **extra,
):
    """容缺受理 [seed 3 §19]: signed 承诺书; catch-up deadline ≤ 承诺时限."""
    return transition(
        actor=actor,
        case=case,
        action="accept_with_tolerance",
        expected_version=expected_version,
        tolerated=tolerated,
        commitment=commitment,
        catch_up_days=catch_up_days,
        responsible=responsible,
        **extra,
    )


def catch_up(*, actor, case, expected_version, materials, **extra):
    return transition(
        actor=actor,
        case=case,
        action="catch_up",
        expected_version=expected_version,
        materials=materials,
        **extra,
    )


def review(*, actor, case, expected_version, opinion, **extra):
    """审查/审核: one review step of the version, by an authorised approver."""
    return transition(
        actor=actor,
        case=case,
        action="review",
        expected_version=expected_version,
        opinion=opinion,
        **extra,
    )


def decide(*, actor, case, expected_version, result, opinion, reason="", **extra):
    """决定: 准予 / 不予许可 (reasons) / 退件 (reasons)."""
    return transition(
        actor=actor,
        case=case,
        action="decide",
        expected_version=expected_version,
        result=result,
        opinion=opinion,
        reason=reason,
        **extra,
    )


def start_special_step(*, actor, case, expected_version, special_step, notice, opinion="", **extra):
    """特殊环节 (§45): a step not counted in the limit pauses the clock; the applicant
    is told in writing (特殊环节告知书)."""
    return transition(
        actor=actor,
        case=case,
        action="start_special_step",
        expected_version=expected_version,
        special_step=special_step,
        notice=notice,
        opinion=opinion,
        **extra,
    )


def end_special_step(*, actor, case, expected_version, record, **extra):
    return transition(
        actor=actor,
        case=case,
        action="end_special_step",
        expected_version=expected_version,
        record=record,
        **extra,
    )


def extend(*, actor, case, expected_version, days, reason, **extra):
    """延期 (§42): once, ≤ MAX_EXTENSION_DAYS, by the chief representative."""
    return transition(
        actor=actor,
        case=case,
        action="extend",
        expected_version=expected_version,
        days=days,
        reason=reason,
        **extra,
    )


def certify(*, actor, case, expected_version, result_number, **extra):
    return transition(
        actor=actor,
        case=case,
        action="certify",
        expected_version=expected_version,
        result_number=result_number,
        **extra,
    )


def deliver(*, actor, case, expected_version, method, tracking_number="", **extra):
    return transition(
        actor=actor,
        case=case,
        action="deliver",
        expected_version=expected_version,
        method=method,
        tracking_number=tracking_number,
        **extra,
    )


def complete(*, actor, case, expected_version, **extra):
    return transition(
        actor=actor, case=case, action="complete", expected_version=expected_version, **extra
    )


def archive(*, actor, case, expected_version, **extra):
    return transition(
        actor=actor, case=case, action="archive", expected_version=expected_version, **extra
    )


def withdraw(*, actor, case, expected_version, reason, **extra):
    return transition(
        actor=actor,
        case=case,
        action="withdraw",
        expected_version=expected_version,
        reason=reason,
        **extra,
    )


def terminate(*, actor, case, expected_version, reason, **extra):
    return transition(
        actor=actor,
        case=case,
        action="terminate",
        expected_version=expected_version,
        reason=reason,
        **extra,
    )


# --------------------------------------------------------------------------- daily jobs


def apply_deemed_acceptance(*, today: dt.date | None = None) -> int:
    """行政许可法 §32: cases neither accepted nor sent a 补正 notice within 5 working
    days of receipt count as accepted from receipt: flag them and start the clock."""
    today = today or clock.today()
    ordinal = calendar.workday_ordinal(day=today) - policy.get("INCOMPLETE_NOTICE_DAYS")
    if ordinal < 1:
        return 0
    # Overdue ⇔ ordinal(received) < ordinal(today) - 5 ⇔ received < that working day.
    cutoff = calendar.date_of_ordinal(ordinal=ordinal)
    ids = list(
        Case.objects.filter(
            state=State.SUBMITTED,
            deemed_accepted_s32=False,
            materials_received_on__lt=cutoff,
            bundle__isnull=True,
        ).values_list("pk", flat=True)
    )
    count = 0
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.state != State.SUBMITTED or not deadlines.s32_overdue(case, today):
                continue
            case.deemed_accepted_s32 = True
            case.accepted_on = case.materials_received_on
            case.version += 1
            deadlines.recompute(case)
            case.save()
            _write_event(
                case=case,
                action="deemed_acceptance",
                from_state=case.state,
                actor=SYSTEM,
                opinion="收到材料后5个工作日内未告知补正，依法视为受理（行政许可法第三十二条）",
                data={"accepted_on": case.accepted_on.isoformat()},
            )
            audit.record(actor=None, action="case.deemed_acceptance", obj=case)
            count += 1
    return count


def expire_tolerance_catchups(*, today: dt.date | None = None) -> int:
    """容缺: a catch-up deadline missed ends the case (终止 by the system)."""
    today = today or clock.today()
    cases = Case.objects.filter(
        state__in=OPEN_STATES,
        tolerance_due__lt=today,
        materials__tolerated=True,
        materials__caught_up_at__isnull=True,
    ).distinct()
    count = 0
    for case in cases:
        transition(
            actor=SYSTEM,
            case=case,
            action="terminate",
            expected_version=case.version,
            reason=f"容缺材料未在{case.tolerance_due:%Y年%m月%d日}前补齐，依承诺终止办理",
        )
        count += 1
    return count


def recompute_provisional_deadlines(*, years: list[int]) -> int:
    """A year's schedule was entered or edited: recompute the deadlines of open cases
    that were provisional or fall in those years."""
    years = list(years)
    cases = list(
        Case.objects.filter(state__in=OPEN_STATES, accepted_on__isnull=False, bundle__isnull=True)
        .filter(
            Q(deadline_provisional=True)
            | Q(due_date__year__in=years)
            | Q(accepted_on__year__in=years)
        )
        .select_related("parent")
    )
    changed = []
    for case in cases:
        before = (case.due_date, case.yellow_from, case.deadline_provisional)
        deadlines.recompute(case)
        if (case.due_date, case.yellow_from, case.deadline_provisional) != before:
            changed.append(case)
            audit.record(
                actor=None,
                action="case.recompute_deadline",
                obj=case,
                changes={
                    "due_date": [
                        before[0].isoformat() if before[0] else None,
                        case.due_date.isoformat(),
                    ]
                },
                reason=f"工作日历更新（{'、'.join(str(y) for y in years)}年）",
            )
    Case.objects.bulk_update(changed, ["due_date", "yellow_from", "deadline_provisional"])
    for parent_id in {c.parent_id for c in changed if c.parent_id}:
        _sync_parent_deadline(Case.objects.get(pk=parent_id))
    return len(changed)
