"""Writes of the adjustment requests (事项动态调整申请, issue 13 §1–§2).

* :func:`create_request` — a department's 首席代表 fills in a request (草稿): the kind,
  the trigger and its date, whether it touches the guide's 条件/材料/程序/时限 and
  whether it is a 两优 change (the deadline follows: :func:`due_date`), the reasons,
  the written application (attachments), and per kind the draft guide, the target
  department, the 负面清单 category and statement, or the approvers of a new item;
* :func:`update_request` — the same fields while it is a 草稿 or 已退回;
* :func:`transition` — the only code that moves a request (``workflow.TRANSITIONS``);
  审核通过 applies the change to the catalogue in its transaction (``apply.py``).
"""

from __future__ import annotations

import calendar as months
import datetime as dt

from django.db import transaction

from govhall.calendar import selectors as calendar
from govhall.catalog import services as catalog
from govhall.catalog.authorisations import eligible_approvers
from govhall.catalog.models import Item, ItemType, NegativeListReason, VersionStatus
from govhall.core import actors, audit, clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.files import check_attachments
from govhall.core.validators import clean_text, make_implementation_code
from govhall.org.models import Department, Staff

from . import numbering, roles, workflow
from .models import (
    DRAFT_KINDS,
    OPEN_STATES,
    AdjustmentRequest,
    Kind,
    RequestAttachment,
    RequestEvent,
    State,
    Trigger,
)

CREATE = workflow.CREATE
UPDATE = workflow.UPDATE
MAX_FILES = 10
WORKING_DAYS = 3  # 内乡 §13, 乌审旗 负面清单 §6


# --------------------------------------------------------------------------- deadlines


def add_month(day: dt.date) -> dt.date:
    """The same day one calendar month later (the month's last day when it has none)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, months.monthrange(year, month)[1]))


def due_date(*, kind: str, trigger_date: dt.date, touches_elements: bool, two_priority: bool):
    """申请期限 on the working-day clock:

    * a change of 受理条件, 申请材料, 办理流程 or 时限 — and any change of a 负面清单
      entry — within 3 working days of the trigger (内乡 §13 "自…公布之日起3个工作日内";
      乌审旗 负面清单 §6 "三个工作日内"): the trigger day is not counted;
    * a 两优 change within one month (乌审旗 两优 §10): the same day next month, or the
      next working day when that is a holiday or a weekend;
    * both: the earlier; neither: no deadline (``None``, 即时申请 without a count)."""
    dates = []
    if touches_elements or kind in (Kind.NEGATIVE_ADD, Kind.NEGATIVE_REMOVE):
        dates.append(calendar.add_workdays(start=trigger_date, days=WORKING_DAYS).date)
    if two_priority:
        day = add_month(trigger_date)
        if not calendar.is_workday(day=day):
            day = calendar.next_workday(day=day)
        dates.append(day)
    return min(dates) if dates else None


# --------------------------------------------------------------------------- input


def _text(value, field, label, limit, *, required=True) -> str:
    return clean_text(value, field=field, label=label, limit=limit, required=required)


def _choice(value, choices, field: str, label: str) -> str:
    if value not in choices.values:
        allowed = "、".join(lbl for _v, lbl in choices.choices)
        raise ValidationFailed(
            f"{label}应为 {allowed} 之一", code=f"invalid_{field}", fields={field: ["无效"]}
        )
    return value


def _date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationFailed(f"请填写{label}", code="invalid_date", fields={field: ["必填"]})
    if value > clock.today():
        raise ValidationFailed(
            f"{label}不能晚于今天", code="invalid_date", fields={field: ["不能晚于今天"]}
        )
    return value


def _event(r, *, action, from_state, actor, text="", data=None) -> RequestEvent:
    return RequestEvent.objects.create(
        request=r,
        action=action,
        from_state=from_state,
        to_state=r.state,
        actor=actors.actor_user(actor),
        actor_name=actors.actor_name(actor)[:100],
        at=clock.now(),
        text=text,
        data=data or {},
    )


def _attach(r, event, files) -> None:
    now = clock.now()
    for f in files:
        RequestAttachment.objects.create(
            request=r,
            event=event,
            name=(getattr(f, "name", "") or "附件")[:200],
            file=f,
            uploaded_at=now,
        )


def _check_fields(r: AdjustmentRequest, *, approvers) -> None:
    """The fields each kind needs (400 with ``fields``)."""
    errors: dict[str, list[str]] = {}
    if r.kind == Kind.TRANSFER and r.target_department is None:
        errors["target_department"] = ["划转须选择划入部门"]
    if r.kind == Kind.TRANSFER and not r.handover_note:
        errors["handover_note"] = ["划转须列明移交的政策文件、证照文书和档案资料"]
    if r.kind == Kind.NEGATIVE_ADD:
        if r.negative_category not in NegativeListReason.values:
            errors["negative_category"] = ["列入负面清单须选择理由类别"]
        if not r.negative_statement:
            errors["negative_statement"] = ["列入负面清单须提交不进驻情况说明"]
    if r.kind == Kind.ADD:
        eligible = set(eligible_approvers(department=r.department).values_list("pk", flat=True))
        if not approvers:
            errors["approvers"] = ["新增事项须在书面申请中明确审批人员"]
        for staff in approvers:
            if staff.pk not in eligible:
                errors.setdefault("approvers", []).append(
                    f"{staff.name}不是本部门在岗的审批人员或首席代表"
                )
    if errors:
        raise ValidationFailed(
            "；".join(m for ms in errors.values() for m in ms),
            code="invalid_request",
            fields=errors,
        )


def _draft_for(actor, r: AdjustmentRequest):
    """The draft a request of a draft kind carries: the item's own (one per item),
    opened from its current version when there is none yet."""
    if r.kind not in DRAFT_KINDS:
        return None
    draft = r.item.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None and r.kind != Kind.ADD:
        draft = catalog.start_draft(actor=actor, item=r.item)
    return draft


# --------------------------------------------------------------------------- create


def _require_filer(actor, department: Department) -> None:
    if not roles.may_file(actor, department):
        raise PermissionDenied(
            f"只有“{department.name}”的首席代表可以填报其事项调整申请",
            code="permission_denied",
        )


def _fill(r: AdjustmentRequest, data: dict) -> None:
    r.trigger = _choice(data.get("trigger"), Trigger, "trigger", "调整事由")
    r.trigger_date = _date(data.get("trigger_date"), "trigger_date", "事由发生日期")
    r.basis = _text(data.get("basis"), "basis", "依据文件", 200, required=False)
    r.touches_elements = bool(data.get("touches_elements"))
    r.two_priority = bool(data.get("two_priority")) or r.item.on_two_priority_list
    r.reasons = _text(data.get("reasons"), "reasons", "申请理由", 4000)
    r.handover_note = _text(data.get("handover_note"), "handover_note", "移交清单", 4000,
                            required=False)  # fmt: skip
    r.negative_category = (
        (data.get("negative_category") or "") if r.kind == Kind.NEGATIVE_ADD else ""
    )
    r.negative_statement = _text(
        data.get("negative_statement"), "negative_statement", "不进驻情况说明", 4000,
        required=False,
    )  # fmt: skip
    r.target_department = data.get("target_department") if r.kind == Kind.TRANSFER else None
    r.due_date = due_date(
        kind=r.kind,
        trigger_date=r.trigger_date,
        touches_elements=r.touches_elements,
        two_priority=r.two_priority,
    )


def create_request(
    *,
    actor,
    kind: str,
    item: Item | None = None,
    new_item: dict | None = None,
    files=(),
    approvers: list[Staff] | tuple = (),
    **data,
) -> AdjustmentRequest:
    """填报调整申请 (草稿). ``item`` for every kind but 新增; for 新增 either the
    unpublished item the department created (its draft is the guide to publish) or
    ``new_item`` (``basic_code``, ``implementation_code``, ``type``, ``name``): the item
    and its draft are created now, unpublished, through ``catalog.services.create_item``.
    ``data``: ``trigger``, ``trigger_date``, ``basis``, ``touches_elements``,
    ``two_priority``, ``reasons``, ``target_department``, ``handover_note``,
    ``negative_category``, ``negative_statement``."""
    kind = _choice(kind, Kind, "kind", "调整类型")
    department = roles.filing_department(actor)
    if department is None:
        raise PermissionDenied("只有部门首席代表可以填报事项调整申请", code="permission_denied")
    files = check_attachments(files, limit=MAX_FILES)
    approvers = list(approvers or ())
    with transaction.atomic():
        if item is None and kind == Kind.ADD and new_item:
            item = _new_item(actor, department, new_item, data.get("reasons") or "")
        if item is None:
            raise ValidationFailed("请选择事项", code="item_required", fields={"item": ["必填"]})
        item = Item.objects.select_for_update().select_related("department").get(pk=item.pk)
        _require_filer(actor, item.department)
        if AdjustmentRequest.objects.filter(item=item, state__in=OPEN_STATES).exists():
            raise Conflict("该事项已有未办结的调整申请，请先处理或撤回", code="open_request_exists")
        r = AdjustmentRequest(
            number=numbering.next_number(year=clock.today().year),
            department=department,
            item=item,
            kind=kind,
            state=State.DRAFT,
            created_at=clock.now(),
            created_by=actor,
        )
        _fill(r, data)
        _check_fields(r, approvers=approvers)
        r.draft = _draft_for(actor, r)
        r.save()
        r.approvers.set(approvers)
        event = _event(r, action="create", from_state="", actor=actor, text=r.reasons,
                       data={"kind": kind, "due_date": r.due_date and r.due_date.isoformat()})  # fmt: skip
        _attach(r, event, files)
        audit.record(
            actor=actor,
            action=CREATE,
            obj=r,
            changes={"state": [None, r.state], "kind": [None, kind], "item": [None, str(item)]},
            reason=r.reasons,
        )
    return r


def _new_item(actor, department, new_item: dict, reason: str) -> Item:
    basic = _text(new_item.get("basic_code"), "basic_code", "基本编码", 12)
    code = (new_item.get("implementation_code") or "").strip() or make_implementation_code(
        uscc=department.code, basic_code=basic
    )
    return catalog.create_item(
        actor=actor,
        department=department,
        basic_code=basic,
        implementation_code=code,
        type=_choice(new_item.get("type"), ItemType, "type", "事项类型"),
        name=_text(new_item.get("name"), "name", "事项名称", 200),
        reason=f"新增事项调整申请：{reason}"[:500],
    )


def update_request(
    *, actor, request: AdjustmentRequest, expected_version: int, files=(), approvers=None, **data
) -> AdjustmentRequest:
    """修改 a 草稿 or 已退回 request (the department, before it submits again)."""
    files = check_attachments(files, limit=MAX_FILES)
    with transaction.atomic():
        r = lock(request.pk)
        if roles.R.DEPT not in roles.roles_for(actor, r):
            raise PermissionDenied(f"您无权修改调整申请 {r.number}")
        if r.state not in (State.DRAFT, State.RETURNED):
            raise Conflict(
                f"调整申请当前状态为“{r.get_state_display()}”，不能修改", code="invalid_transition"
            )
        _stale(r, expected_version)
        before = audit.snapshot(r)
        _fill(r, data)
        approvers = list(r.approvers.all()) if approvers is None else list(approvers)
        _check_fields(r, approvers=approvers)
        if r.kind in DRAFT_KINDS and (r.draft is None or not r.draft.is_draft):
            r.draft = _draft_for(actor, r)
        r.version += 1
        r.save()
        r.approvers.set(approvers)
        event = _event(r, action="update", from_state=r.state, actor=actor, text=r.reasons)
        _attach(r, event, files)
        audit.record(
            actor=actor,
            action=UPDATE,
            obj=r,
            changes=audit.diff(before, audit.snapshot(r)),
            reason=r.reasons,
        )
    return r


# --------------------------------------------------------------------------- transition


def lock(pk) -> AdjustmentRequest:
    return (
        AdjustmentRequest.objects.select_for_update(of=("self",))
        .select_related("item__department", "department", "target_department", "draft")
        .get(pk=pk)
    )


def _stale(r: AdjustmentRequest, expected_version: int) -> None:
    if r.version != expected_version:
        raise Conflict(
            f"调整申请 {r.number} 已被他人处理（当前为“{r.get_state_display()}”），请刷新后重试",
            code="stale_request",
        )


def _columns(r) -> dict:
    return {f.attname: getattr(r, f.attname) for f in r._meta.concrete_fields}


def transition(
    *, actor, request: AdjustmentRequest, action: str, expected_version: int, files=(), **inputs
) -> AdjustmentRequest:
    """Take ``action`` on ``request`` (``workflow.TRANSITIONS``). In one transaction:
    lock, stale check, the actor's role, the state, required inputs, the guard, the
    effect (审核通过 / 登记县政府批准 apply the change to the catalogue), the event
    (with ``files`` on rows that take attachments) and the audit row naming the actor."""
    if actor is None:
        raise TypeError("actor is required: a User or actors.SYSTEM")
    row = workflow.get(action)
    unknown = set(inputs) - row.input_names
    if unknown:
        raise TypeError(f"{action}() got unexpected inputs {sorted(unknown)}")
    if files and not row.attachments:
        raise ValidationFailed(f"“{row.label}”不接受附件", code="no_attachments")
    files = check_attachments(files, limit=MAX_FILES)
    with transaction.atomic():
        r = lock(request.pk)
        _stale(r, expected_version)
        if not roles.roles_for(actor, r) & row.roles:
            raise PermissionDenied(f"您无权对调整申请 {r.number} 执行“{row.label}”")
        if r.state not in row.sources:
            raise Conflict(
                f"调整申请当前状态为“{r.get_state_display()}”，不能执行“{row.label}”",
                code="invalid_transition",
            )
        inputs = {
            spec.name: workflow.check_input(spec, inputs.get(spec.name)) for spec in row.inputs
        }
        missing = workflow.missing_inputs(row, inputs)
        if missing:
            labels = "、".join(s.label for s in row.inputs if s.name in missing)
            raise ValidationFailed(
                f"“{row.label}”缺少必填内容：{labels}", code="missing_input", fields=missing
            )
        from_state = r.state
        # Saved before the guard: the 书面申请 sent with 提交 is what it looks for (the
        # transaction undoes them if anything refuses).
        saved = [_pending_attachment(r, f) for f in files]
        if row.guard is not None:
            row.guard(r, inputs)
        columns = _columns(r)
        data = row.effect(actor, r, inputs) or {}
        if row.target is not None:
            r.state = row.target
        if row.outcomes and r.state not in row.outcomes:  # pragma: no cover - a bad effect
            raise AssertionError(f"{action} left {r.state}")
        r.version += 1
        r.save(update_fields=[k for k, v in _columns(r).items() if columns[k] != v])
        text = str(inputs.get(row.event_text) or "") if row.event_text else ""
        event = _event(r, action=action, from_state=from_state, actor=actor, text=text, data=data)
        if saved:
            RequestAttachment.objects.filter(pk__in=[a.pk for a in saved]).update(event=event)
        changes = {"state": [from_state, r.state]} if from_state != r.state else {}
        audit.record(actor=actor, action=row.audit_action, obj=r, changes=changes, reason=text)
    return r


def _pending_attachment(r, f) -> RequestAttachment:
    return RequestAttachment.objects.create(
        request=r, name=(getattr(f, "name", "") or "附件")[:200], file=f, uploaded_at=clock.now()
    )
