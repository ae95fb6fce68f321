"""Effects of the case actions (``workflow.TRANSITIONS[…].effect``).

An effect gets ``(actor, case, inputs)`` on the locked case after the role, state,
required inputs and guard were checked. It changes the case's fields (the transition
saves them), may write related rows, and returns the data written on the case event
(and on the notice). It does not check permissions, write the event, the audit row or
the notice: ``services.transition`` does, the same way for every action.
"""

from __future__ import annotations

from django.db import transaction

from govhall.calendar import selectors as calendar
from govhall.core import clock
from govhall.core.errors import ValidationFailed
from govhall.org import permissions as org_permissions

from .. import deadlines, guards, roles, signals
from ..models import Case, SpecialStepRun, SubmittedMaterial
from .materials import add_materials, check_file


def _responsible(actor, inputs, case):
    """承办人: the one named (an active chief or approver of the case's department),
    else the accepting staff member when they belong to the department."""
    staff = inputs.get("responsible")
    if staff is not None:
        if not roles.may_be_responsible(staff, case.department_id):
            raise ValidationFailed(
                "承办人须为该部门在岗的首席代表或审批人员",
                code="invalid_responsible",
                fields={"responsible": ["不是该部门在岗的首席代表或审批人员"]},
            )
        return staff
    own = org_permissions.active_staff(actor)
    if own is not None and own.department_id == case.department_id:
        return own
    return None


def _start_clock(actor, case, inputs) -> None:
    """受理 starts the legal clock (R-CLOCK-1); deemed acceptance (§32) dates it from
    the day the materials arrived."""
    today = clock.today()
    case.accepted_at = clock.now()
    if not case.deemed_accepted_s32 and deadlines.s32_overdue(case, today):
        case.deemed_accepted_s32 = True
    case.accepted_on = case.materials_received_on if case.deemed_accepted_s32 else today
    case.responsible = _responsible(actor, inputs, case) or case.responsible
    if not case.clock_paused and guards.awaits_sibling_result(case):
        # R-BUNDLE-6: a material comes from a sibling's result; the clock waits for it
        # like a 特殊环节 not counted in the limit (bundles.release_supplies resumes it).
        case.clock_paused, case.paused_since = True, today


def accept(actor, case, inputs) -> dict:
    """受理: the 受理通知书 names the responsible person and the deadline."""
    _start_clock(actor, case, inputs)
    return {"deemed_accepted_s32": case.deemed_accepted_s32}


def request_correction(actor, case, inputs) -> dict:
    """一次性告知: each listed material carries its problem until resubmitted."""
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
    return {"corrections": listed}


def resubmit(actor, case, inputs) -> dict:
    """补正: the new materials clear the problems; the §32 five days start again."""
    rows = add_materials(case, case.item_version, inputs["materials"])
    case.materials.exclude(pk__in=[r.pk for r in rows]).exclude(problem="").update(problem="")
    case.materials_received_on = clock.today()
    return {"materials": [r.name for r in rows]}


def close(actor, case, inputs) -> dict:
    """不予受理 / 撤回 / 终止: the case is closed with its reason."""
    case.closed_at = clock.now()
    case.result_reason = inputs["reason"]
    case.clock_paused = False
    return {}


def accept_with_tolerance(actor, case, inputs) -> dict:
    """容缺受理: the clock starts; each tolerated material is due by the catch-up day."""
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
    return {"tolerated": names, "catch_up_due": due.isoformat(), "commitment": inputs["commitment"]}


def catch_up(actor, case, inputs) -> dict:
    """容缺补齐: only outstanding tolerated materials; the last one clears the due day."""
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
        check_file(entry.get("file"), f"materials.{index}.file")
        if entry.get("file"):
            row.file = entry["file"]
        row.caught_up_at = now
        row.save()
        names.append(row.name)
    if not case.materials.filter(tolerated=True, caught_up_at__isnull=True).exists():
        case.tolerance_due = None
    return {"caught_up": names}


def review(actor, case, inputs) -> dict:
    """审查/审核: the next review step of the guide is done."""
    step = guards.review_steps(case)[case.current_step]
    case.current_step += 1
    return {"step": step.name, "kind": step.kind, "order": step.order}


def decide(actor, case, inputs) -> dict:
    """决定: the result (a 即办件 is accepted and decided at once); other apps hear of
    it through ``signals.case_decided`` once committed (审管联动)."""
    case.result = inputs["result"]
    case.result_reason = inputs.get("reason", "")
    case.decided_at = clock.now()
    case.current_step = len(guards.version_steps(case))
    if case.accepted_on is None:
        _start_clock(actor, case, inputs)
    transaction.on_commit(
        lambda: signals.case_decided.send(sender=Case, case=case, result=case.result)
    )
    return {"result": case.result, "reason": case.result_reason}


def start_special_step(actor, case, inputs) -> dict:
    """特殊环节 (§45): a step not counted in the limit pauses the clock."""
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
    return {
        "run": run.pk,
        "name": step.name,
        "kind": step.kind,
        "counted_in_limit": step.counted_in_limit,
        "time_limit_days": step.time_limit_days,
        "notice": inputs["notice"],
    }


def end_special_step(actor, case, inputs) -> dict:
    """The special step ends; its working days are added to the deadline if paused."""
    run = case.special_runs.get(ended_at__isnull=True)
    today = clock.today()
    run.ended_at, run.ended_on, run.record = clock.now(), today, inputs["record"]
    if not run.counted_in_limit:
        run.paused_days = calendar.workdays_between(start=run.started_on, end=today).count
        case.paused_days += run.paused_days
        case.clock_paused, case.paused_since = False, None
    run.save()
    return {"run": run.pk, "name": run.name, "paused_days": run.paused_days}


def extend(actor, case, inputs) -> dict:
    """延期 (§42): the deadline moves by the days granted."""
    case.extension_days = inputs["days"]
    return {"days": inputs["days"]}


def certify(actor, case, inputs) -> dict:
    """制证: the licence number is recorded."""
    case.result_number = inputs["result_number"].strip()
    return {"result_number": case.result_number}


def deliver(actor, case, inputs) -> dict:
    """送达: how the result reached the applicant."""
    case.delivery_method = inputs["method"]
    case.tracking_number = (inputs.get("tracking_number") or "").strip()
    return {"method": case.delivery_method, "tracking_number": case.tracking_number}


def complete(actor, case, inputs) -> dict:
    """办结 (also of a 一件事 parent once every child is closed)."""
    case.completed_at = case.closed_at = clock.now()
    return {}


def archive(actor, case, inputs) -> dict:
    """归档 (一卷一档)."""
    case.archived_at = clock.now()
    return {}
