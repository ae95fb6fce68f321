"""The one transition table of a case (办件流转表).

Every entry point — staff page, API, command, daily job — goes through
``services.transition`` which reads :data:`TABLE`: from which states an action is
allowed, the resulting state, which roles may perform it, which inputs it requires
and the guard that checks the rest (行政许可法 §32 补正 / §42 延期 / §45 特殊环节;
[seed 3 §9–§15]; 容缺受理 [seed 3 §19]). Nothing else changes ``Case.state``.

Role tokens (computed per case by ``cases.permissions.roles_for``):

* ``clerk`` — 综合受理 window clerk of the centre where the case was applied;
* ``instant_clerk`` — the same clerk when the item is a 即办件 (decides on the spot);
* ``dept`` — chief representative or approver of the case's department;
* ``chief`` — the department's chief representative (首席代表);
* ``approver`` — an approver named for the item in a valid authorisation, or the chief;
* ``admin`` — the centre administrator;
* ``applicant`` — the applicant (actor ``None``, identified by the calling page);
* ``system`` — daily jobs and cascades (actor :data:`SYSTEM`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from govhall.catalog.models import CaseType, Step
from govhall.core import policy
from govhall.core.errors import Conflict, ValidationFailed

from .models import OPEN_STATES, Result, State


class _System:
    """The actor of automatic transitions (§32 deemed acceptance, 容缺 expiry, cascades)."""

    pk = None
    is_authenticated = False

    def __repr__(self):
        return "SYSTEM"


SYSTEM = _System()

CLERK = "clerk"
INSTANT_CLERK = "instant_clerk"
DEPT = "dept"
CHIEF = "chief"
APPROVER = "approver"
ADMIN = "admin"
APPLICANT = "applicant"
SYS = "system"

INPUT_LABELS = {
    "reason": "理由",
    "opinion": "意见",
    "corrections": "补正材料清单",
    "materials": "材料",
    "tolerated": "容缺材料",
    "commitment": "承诺书",
    "catch_up_days": "补齐期限",
    "result": "办理结果",
    "special_step": "特殊环节",
    "notice": "告知内容",
    "record": "记录",
    "days": "延期天数",
    "result_number": "证照编号",
    "method": "送达方式",
}


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (review step, extension …)
    roles: frozenset[str]
    required: tuple[str, ...] = ()
    guard: Callable | None = None
    bundle_parent: bool = False  # allowed on a 一件事 parent case
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- guards
# A guard gets (case, inputs) and raises a DomainError; case is locked and fresh.


def version_steps(case) -> list:
    """The version's 办理环节, read once per case object (a published version's steps
    never change; the services lock a fresh case object for every transition)."""
    steps = getattr(case, "_version_steps", None)
    if steps is None or steps[0] != case.item_version_id:
        # Explicit order within the one version: ``Step.Meta.ordering`` starts with
        # "version", which orders by ItemVersion's own ordering and so joins
        # item_version and item for nothing (the statement took ~3× as long).
        rows = Step.objects.filter(version_id=case.item_version_id).order_by("order", "id")
        steps = (case.item_version_id, list(rows) if case.item_version_id else [])
        case._version_steps = steps
    return steps[1]


def review_steps(case) -> list:
    """The version's steps before the final 决定 step."""
    return version_steps(case)[:-1]


def tolerance_outstanding(case) -> bool:
    """容缺材料尚未补齐? Tolerated materials are only written by 容缺受理, which sets
    ``tolerance_due``; 容缺补齐 clears it once the last one is in. So a case without
    ``tolerance_due`` has none outstanding and needs no read."""
    if case.tolerance_due is None:
        return False
    return case.materials.filter(tolerated=True, caught_up_at__isnull=True).exists()


def is_instant(case) -> bool:
    return case.item_version is not None and case.item_version.case_type == CaseType.INSTANT


def _not_deemed(case, inputs) -> None:
    if case.deemed_accepted_s32:
        raise Conflict(
            "收到材料已超过5个工作日未告知补正，依法视为受理（行政许可法第三十二条），"
            "不能再要求补正或不予受理，请直接受理",
            code="deemed_accepted",
        )


def _guard_tolerance(case, inputs) -> None:
    _not_deemed(case, inputs)
    version = case.item_version
    if not version.allows_tolerance:
        raise ValidationFailed(
            "该事项不适用容缺受理", code="tolerance_not_allowed", fields={"tolerated": ["不适用"]}
        )
    tolerated = list(inputs["tolerated"])
    allowed = {m.pk: m for m in version.materials.all()}
    bad = [
        getattr(m, "name", str(m))
        for m in tolerated
        if getattr(m, "pk", None) not in allowed or not allowed[m.pk].tolerance_allowed
    ]
    if bad:
        raise ValidationFailed(
            f"以下材料不可容缺：{'、'.join(bad)}",
            code="tolerance_not_allowed",
            fields={"tolerated": [f"不可容缺：{'、'.join(bad)}"]},
        )
    days = inputs["catch_up_days"]
    limit = version.promised_limit_days or 0
    if not isinstance(days, int) or days < 1 or days > limit:
        raise ValidationFailed(
            f"容缺补齐期限应为1至{limit}个工作日（不超过承诺时限）",
            code="invalid_catch_up_days",
            fields={"catch_up_days": [f"应为1至{limit}个工作日"]},
        )
    if not str(inputs["commitment"]).strip():
        raise ValidationFailed(
            "容缺受理须由申请人签署承诺书",
            code="commitment_required",
            fields={"commitment": ["必填"]},
        )


def _guard_review(case, inputs) -> None:
    if case.current_step >= len(review_steps(case)):
        raise Conflict("审查、审核环节已完成，请作出决定", code="no_review_step")


def _guard_decide(case, inputs) -> None:
    result = inputs["result"]
    if result not in (Result.APPROVED, Result.DENIED, Result.RETURNED):
        raise ValidationFailed(
            "办理结果应为准予许可、不予许可或退件",
            code="invalid_result",
            fields={"result": ["取值无效"]},
        )
    if not is_instant(case) and case.current_step < len(review_steps(case)):
        step = review_steps(case)[case.current_step]
        raise Conflict(f"尚未完成“{step.name}”环节，不能作出决定", code="steps_pending")
    if result != Result.APPROVED and not str(inputs.get("reason") or "").strip():
        raise ValidationFailed(
            "不予许可或退件必须说明理由", code="reason_required", fields={"reason": ["必填"]}
        )
    if result == Result.APPROVED and tolerance_outstanding(case):
        raise Conflict("容缺材料尚未补齐，不能作出准予决定", code="tolerance_outstanding")


def _guard_special(case, inputs) -> None:
    step = inputs["special_step"]
    if getattr(step, "version_id", None) != case.item_version_id:
        raise ValidationFailed(
            "该特殊环节不属于本办件适用的办事指南",
            code="invalid_special_step",
            fields={"special_step": ["不属于本事项"]},
        )


def _guard_extend(case, inputs) -> None:
    if case.extension_days:
        raise Conflict("办件只能延期一次（行政许可法第四十二条）", code="already_extended")
    days = inputs["days"]
    most = policy.get("MAX_EXTENSION_DAYS")
    if not isinstance(days, int) or days < 1 or days > most:
        raise ValidationFailed(
            f"延期天数应为1至{most}个工作日",
            code="invalid_extension",
            fields={"days": [f"应为1至{most}个工作日"]},
        )


def _guard_certify(case, inputs) -> None:
    if case.result != Result.APPROVED:
        raise Conflict("只有准予许可的办件才需要制证", code="not_approved")


def _guard_deliver(case, inputs) -> None:
    if case.state == State.DECIDED and case.result == Result.APPROVED:
        raise Conflict("准予许可的办件须先制证再送达", code="not_certified")
    method = inputs["method"]
    if method not in ("window", "post", "electronic"):
        raise ValidationFailed(
            "送达方式应为窗口领取、邮寄或电子送达",
            code="invalid_method",
            fields={"method": ["取值无效"]},
        )
    if method == "post" and not str(inputs.get("tracking_number") or "").strip():
        raise ValidationFailed(
            "邮寄送达必须填写邮寄单号",
            code="tracking_required",
            fields={"tracking_number": ["必填"]},
        )


def _guard_complete(case, inputs) -> None:
    if tolerance_outstanding(case):
        raise Conflict("容缺材料尚未补齐，不能办结", code="tolerance_outstanding")


def _guard_corrections(case, inputs) -> None:
    _not_deemed(case, inputs)
    items = list(inputs["corrections"])
    if not items or any(not str(c.get("problem") or "").strip() for c in items):
        raise ValidationFailed(
            "一次性告知须逐项列明缺少或不符合要求的材料及原因",
            code="corrections_incomplete",
            fields={"corrections": ["每项须写明原因"]},
        )


_OPEN = tuple(OPEN_STATES)
_ACTIVE = (State.IN_REVIEW, State.SPECIAL_STEP)

TRANSITIONS: list[Transition] = [
    Transition(
        "accept",
        "受理",
        (State.SUBMITTED,),
        State.IN_REVIEW,
        frozenset({CLERK, DEPT, SYS}),
        bundle_parent=True,
    ),
    Transition(
        "request_correction",
        "一次性告知补正",
        (State.SUBMITTED,),
        State.AWAITING_CORRECTION,
        frozenset({CLERK, DEPT}),
        ("corrections",),
        _guard_corrections,
    ),
    Transition(
        "resubmit",
        "补正材料",
        (State.AWAITING_CORRECTION,),
        State.SUBMITTED,
        frozenset({APPLICANT, CLERK, DEPT}),
        ("materials",),
    ),
    Transition(
        "refuse",
        "不予受理",
        (State.SUBMITTED, State.AWAITING_CORRECTION),
        State.REFUSED,
        frozenset({CLERK, DEPT, SYS}),
        ("reason",),
        _not_deemed,
        bundle_parent=True,
    ),
    Transition(
        "accept_with_tolerance",
        "容缺受理",
        (State.SUBMITTED,),
        State.IN_REVIEW,
        frozenset({CLERK, DEPT}),
        ("tolerated", "commitment", "catch_up_days"),
        _guard_tolerance,
    ),
    Transition(
        "catch_up",
        "容缺补齐",
        _ACTIVE + (State.DECIDED,),
        None,
        frozenset({APPLICANT, CLERK, DEPT}),
        ("materials",),
    ),
    Transition(
        "review",
        "审查/审核",
        (State.IN_REVIEW,),
        None,
        frozenset({APPROVER}),
        ("opinion",),
        _guard_review,
    ),
    Transition(
        "decide",
        "决定",
        (State.IN_REVIEW,),
        State.DECIDED,
        frozenset({APPROVER, INSTANT_CLERK}),
        ("result", "opinion"),
        _guard_decide,
    ),
    Transition(
        "start_special_step",
        "启动特殊环节",
        (State.IN_REVIEW,),
        State.SPECIAL_STEP,
        frozenset({DEPT}),
        ("special_step", "notice"),
        _guard_special,
    ),
    Transition(
        "end_special_step",
        "结束特殊环节",
        (State.SPECIAL_STEP,),
        State.IN_REVIEW,
        frozenset({DEPT}),
        ("record",),
    ),
    Transition(
        "extend", "延期", _ACTIVE, None, frozenset({CHIEF}), ("days", "reason"), _guard_extend
    ),
    Transition(
        "certify",
        "制证",
        (State.DECIDED,),
        State.CERTIFIED,
        frozenset({DEPT, INSTANT_CLERK}),
        ("result_number",),
        _guard_certify,
    ),
    Transition(
        "deliver",
        "送达",
        (State.DECIDED, State.CERTIFIED),
        State.DELIVERED,
        frozenset({CLERK, DEPT}),
        ("method",),
        _guard_deliver,
    ),
    Transition(
        "complete",
        "办结",
        (State.DELIVERED,),
        State.COMPLETED,
        frozenset({CLERK, DEPT}),
        (),
        _guard_complete,
    ),
    Transition(
        "complete_bundle",
        "一件事办结",
        (State.SUBMITTED, State.IN_REVIEW),
        State.COMPLETED,
        frozenset({SYS}),
        bundle_parent=True,
    ),
    Transition(
        "archive", "归档", (State.COMPLETED,), State.ARCHIVED, frozenset({DEPT, ADMIN, SYS})
    ),
    Transition(
        "withdraw",
        "撤回",
        _OPEN,
        State.WITHDRAWN,
        frozenset({APPLICANT, CLERK, DEPT, SYS}),
        ("reason",),
        bundle_parent=True,
    ),
    Transition(
        "terminate",
        "终止",
        _OPEN,
        State.TERMINATED,
        frozenset({CHIEF, ADMIN, SYS}),
        ("reason",),
        bundle_parent=True,
    ),
]

TABLE: dict[str, Transition] = {t.action: t for t in TRANSITIONS}


def get(action: str) -> Transition:
    try:
        return TABLE[action]
    except KeyError:
        raise ValidationFailed(f"未知的办件操作“{action}”", code="unknown_action")


def missing_inputs(row: Transition, inputs: dict) -> dict[str, list[str]]:
    """``{input: [message]}`` for each required input that is absent or blank."""
    missing = {}
    for name in row.required:
        value = inputs.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value is None or (isinstance(value, str | list | tuple | dict) and not value):
            missing[name] = [f"{INPUT_LABELS.get(name, name)}：必须填写"]
    return missing


def state_label(state: str) -> str:
    return State(state).label


def available_actions(user, case) -> list[Transition]:
    """Actions ``user`` may try on ``case`` now (for buttons; the service re-checks)."""
    from .permissions import roles_for

    roles = roles_for(user, case)
    return [
        t
        for t in TRANSITIONS
        if case.state in t.sources
        and roles & t.roles
        and (t.bundle_parent or not case.is_bundle_parent)
        and t.action != "complete_bundle"
    ]


def yellow_used_days(total: int) -> int:
    """Working days used at which the light turns yellow (80% of ``total``)."""
    ratio = policy.get("YELLOW_USED_RATIO")
    return math.ceil(round(ratio * total, 6))
