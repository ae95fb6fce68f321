"""收费记录 (issue 11 §1, the fee rule): what the department collected on a case.

* :func:`record_fee` — 登记收费: a 收费项目 (optionally the guide's ``FeeLine`` it was
  charged under), an amount in fen, a note;
* :func:`cancel_fee` — 撤销收费记录: a wrong record is cancelled with a reason; the row
  stays (nothing is deleted).

Both are acts that keep the case's state: like ``sibling_result`` (``bundles``) they
write a case event (``record_fee`` / ``cancel_fee``, so the history shows them), an
audit entry (``workflow.RECORD_FEE`` / ``CANCEL_FEE``) and announce the event
(``signals.case_transitioned``: 电子监察 re-reads the case and its fee rule).

Who: the case's department (its 首席代表 and 审批人员, role ``dept``), while the case is
being handled or completed, not after 归档 nor on a case refused, withdrawn or
terminated. The 一件事 parent records none (its children do).
"""

from __future__ import annotations

from django.db import transaction

from govhall.catalog.models import FEE_AMOUNT_MAX, FeeLine
from govhall.core import audit, clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.org import permissions

from .. import roles, workflow
from ..models import OPEN_STATES, Case, CaseFee, State
from .events import announce, write_event
from .transition import lock_case

FEE_STATES = (*OPEN_STATES, State.COMPLETED)
NAME_MAX = CaseFee._meta.get_field("name").max_length
NOTE_MAX = CaseFee._meta.get_field("note").max_length
_DEPT = frozenset({roles.CaseRole.DEPT})


def may_record_fee(user, case: Case) -> bool:
    """May ``user`` record (or cancel) a fee on ``case`` now? (For the page's form;
    the services ask the same.)"""
    return (
        case.state in FEE_STATES
        and not case.is_bundle_parent
        and bool(roles.roles_for(user, case, needed=_DEPT) & _DEPT)
    )


def _check_actor(actor, case: Case, what: str) -> None:
    if not roles.roles_for(actor, case, needed=_DEPT) & _DEPT:
        raise PermissionDenied(f"只有办件 {case.number} 所属部门的工作人员可以{what}")
    if case.is_bundle_parent:
        raise Conflict("一件事主件不登记收费，请在子件上登记", code="bundle_parent")
    if case.state not in FEE_STATES:
        raise Conflict(
            f"办件当前状态为“{case.get_state_display()}”，不能{what}", code="invalid_state"
        )


def _text(value, field: str, label: str, limit: int, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(
            f"{label}应为文字", code="invalid_text", fields={field: ["应为文字"]}
        )
    value = value.strip()
    if "\x00" in value:
        raise ValidationFailed(
            f"{label}不能包含空字符", code="invalid_text", fields={field: ["不能包含空字符"]}
        )
    if required and not value:
        raise ValidationFailed(f"请填写{label}", code="required", fields={field: ["必填"]})
    if len(value) > limit:
        raise ValidationFailed(
            f"{label}不能超过 {limit} 个字符",
            code="too_long",
            fields={field: [f"不能超过 {limit} 个字符"]},
        )
    return value


def _amount(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= FEE_AMOUNT_MAX:
        raise ValidationFailed(
            f"收费金额应大于 0 元且不超过 {FEE_AMOUNT_MAX // 100} 元（以分计的整数）",
            code="invalid_amount",
            fields={"amount": [f"应大于 0 元且不超过 {FEE_AMOUNT_MAX // 100} 元"]},
        )
    return value


def _yuan(amount: int) -> str:
    return f"{amount / 100:.2f}"


def record_fee(
    *,
    actor,
    case: Case,
    name: str = "",
    amount: int,
    fee_line: FeeLine | None = None,
    note: str = "",
) -> CaseFee:
    """登记收费 on ``case``: ``amount`` in fen (0 < amount ≤ ``FEE_AMOUNT_MAX``);
    ``fee_line`` one of the case's guide version's 收费项目 (its name is the default
    ``name``). A fee off the list may be recorded (it is what was collected):
    电子监察 flags it (``fee_not_listed``)."""
    with transaction.atomic():
        case = lock_case(case.pk)
        _check_actor(actor, case, "登记收费")
        if fee_line is not None and fee_line.version_id != case.item_version_id:
            raise ValidationFailed(
                "所选收费项目不属于该办件所依据的办事指南",
                code="fee_line_mismatch",
                fields={"fee_line": ["不属于本办件的收费清单"]},
            )
        name = _text(
            name or (fee_line.name if fee_line else ""), "name", "收费项目", NAME_MAX, required=True
        )
        amount = _amount(amount)
        note = _text(note, "note", "备注", NOTE_MAX, required=False)
        fee = CaseFee.objects.create(
            case=case,
            name=name,
            amount=amount,
            fee_line=fee_line,
            note=note,
            recorded_by=permissions.staff_of(actor),
            recorded_at=clock.now(),
        )
        text = f"收费项目“{name}”，金额 {_yuan(amount)} 元" + (f"；{note}" if note else "")
        event = write_event(
            case=case,
            action="record_fee",
            from_state=case.state,
            actor=actor,
            opinion=text,
            data={
                "fee": fee.pk,
                "name": name,
                "amount": amount,
                "fee_line": fee_line.pk if fee_line else None,
            },
        )
        audit.record(
            actor=actor,
            action=workflow.RECORD_FEE,
            obj=case,
            changes={
                "fee": [None, fee.pk],
                "name": [None, name],
                "amount": [None, amount],
                "fee_line": [None, fee_line.pk if fee_line else None],
            },
            reason=note,
        )
        announce(case=case, event=event)
    return fee


def cancel_fee(*, actor, fee: CaseFee, reason: str) -> CaseFee:
    """撤销收费记录: the record stays, marked cancelled with who, when and why; 电子监察
    no longer counts it."""
    with transaction.atomic():
        case = lock_case(fee.case_id)
        _check_actor(actor, case, "撤销收费记录")
        fee = CaseFee.objects.select_for_update().get(pk=fee.pk)
        if fee.is_cancelled:
            raise Conflict("该收费记录已撤销", code="fee_cancelled")
        reason = _text(reason, "reason", "撤销理由", NOTE_MAX, required=True)
        now = clock.now()
        fee.cancelled_at, fee.cancelled_by, fee.cancel_reason = (
            now,
            permissions.staff_of(actor),
            reason,
        )
        fee.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
        text = f"撤销收费记录“{fee.name}”（{_yuan(fee.amount)} 元）：{reason}"
        event = write_event(
            case=case,
            action="cancel_fee",
            from_state=case.state,
            actor=actor,
            opinion=text,
            data={"fee": fee.pk},
        )
        audit.record(
            actor=actor,
            action=workflow.CANCEL_FEE,
            obj=case,
            changes={"fee": fee.pk, "cancelled_at": [None, now.isoformat()]},
            reason=reason,
        )
        announce(case=case, event=event)
    return fee
