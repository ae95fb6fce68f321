"""The one transition table of an adjustment request (调整申请流转表).

草稿 → 提交 → 中心审核: 退回 (with reasons; the department corrects and 提交 again)
or 审核通过 → (for 负面清单 entries: 县政府批准, recorded by the centre with its
document number and date) → 已生效; 撤回 by the department while it is still its own
or under review. A row says which states it starts from, the state it leaves
(``None`` with ``outcomes`` when the effect decides: 审核通过 takes effect at once or
waits for the county), who may take it (``roles.R`` tokens), its inputs, its guard and
its effect. ``services.transition`` is the only code that moves a request and knows no
action by name; the API builds one request serializer per row from ``inputs``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from govhall.core import audit, clock
from govhall.core.errors import ValidationFailed

from . import apply as applying
from .models import AdjustmentRequest, State
from .roles import R


class Kind:
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"

    ALL = frozenset({TEXT, LONG_TEXT, DATE})


TEXT_MAX = 100
LONG_TEXT_MAX = 4000


@dataclass(frozen=True)
class Input:
    name: str
    kind: str
    label: str
    required: bool = True

    def __post_init__(self):
        if self.kind not in Kind.ALL:
            raise ValueError(f"unknown input kind {self.kind!r}")


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None
    roles: frozenset[str]
    effect: Callable
    inputs: tuple[Input, ...] = ()
    guard: Callable | None = None
    event_text: str | None = None
    outcomes: tuple[str, ...] = ()
    attachments: bool = False

    def __post_init__(self):
        unknown = self.roles - R.ALL
        if unknown:
            raise ValueError(f"{self.action}: unknown roles {sorted(unknown)}")
        names = [i.name for i in self.inputs]
        if self.event_text is not None and self.event_text not in names:
            raise ValueError(f"{self.action}: event_text {self.event_text!r} is not an input")
        if len(set(names)) != len(names):
            raise ValueError(f"{self.action}: an input is listed twice")
        if (self.target is None) == (not self.outcomes):
            raise ValueError(f"{self.action}: give a target or outcomes, not both")

    @property
    def audit_action(self) -> audit.Action:
        return _AUDIT[self.action]

    @property
    def input_names(self) -> frozenset[str]:
        return frozenset(i.name for i in self.inputs)


# --------------------------------------------------------------------------- guards


def ready(r: AdjustmentRequest, inputs) -> None:
    """提交: the written application is attached and the change can still be made
    (the item's state, its draft: ``apply.check``)."""
    if not r.attachments.exists():
        raise ValidationFailed(
            "请上传书面调整申请（盖章扫描件）后再提交",
            code="application_missing",
            fields={"files": ["必须上传书面申请"]},
        )
    applying.check(r)


def approvable(r: AdjustmentRequest, inputs) -> None:
    """审核通过: the change can still be made, on the draft the department submitted."""
    applying.check(r, submitted=True)


def county_date(r: AdjustmentRequest, inputs) -> None:
    day = inputs.get("approved_on")
    if day is not None and day > clock.today():
        raise ValidationFailed(
            "县政府批准日期不能晚于今天",
            code="invalid_date",
            fields={"approved_on": ["不能晚于今天"]},
        )
    applying.check(r, submitted=True)


# --------------------------------------------------------------------------- effects


def submit(actor, r: AdjustmentRequest, inputs) -> dict:
    now = clock.now()
    first = r.submitted_at is None
    if first:  # a refiled request keeps the day it was first filed (期限 and 逾期)
        r.submitted_at = now
        r.late = r.due_date is not None and clock.today() > r.due_date
    r.draft_token = r.draft.edit_token if r.draft_id else None
    return {"first": first, "late": r.late, "due_date": r.due_date and r.due_date.isoformat()}


def return_request(actor, r: AdjustmentRequest, inputs) -> dict:
    r.return_reason = inputs["reason"]
    return {"from": r.state}


def approve(actor, r: AdjustmentRequest, inputs) -> dict:
    r.centre_approved_at = clock.now()
    if r.needs_county:
        r.state = State.CENTRE_APPROVED
        return {"county_approval_needed": True}
    r.state = State.APPLIED
    return applying.apply(actor, r)


def record_county(actor, r: AdjustmentRequest, inputs) -> dict:
    r.county_document = inputs["document"]
    r.county_approved_on = inputs["approved_on"]
    r.county_recorded_by = actor
    return {
        "document": r.county_document,
        "approved_on": r.county_approved_on.isoformat(),
        **applying.apply(actor, r),
    }


def withdraw(actor, r: AdjustmentRequest, inputs) -> dict:
    return applying.withdrawn(actor, r)


# --------------------------------------------------------------------------- rows

OPINION = Input("opinion", Kind.LONG_TEXT, "意见", required=False)

TRANSITIONS: list[Transition] = [
    Transition(
        "submit",
        "提交",
        (State.DRAFT, State.RETURNED),
        State.SUBMITTED,
        frozenset({R.DEPT}),
        submit,
        inputs=(Input("note", Kind.LONG_TEXT, "说明", required=False),),
        guard=ready,
        event_text="note",
        attachments=True,
    ),
    Transition(
        "return",
        "退回",
        (State.SUBMITTED, State.CENTRE_APPROVED),
        State.RETURNED,
        frozenset({R.ADMIN}),
        return_request,
        inputs=(Input("reason", Kind.LONG_TEXT, "退回理由"),),
        event_text="reason",
    ),
    Transition(
        "approve",
        "审核通过",
        (State.SUBMITTED,),
        None,
        frozenset({R.ADMIN}),
        approve,
        inputs=(OPINION,),
        guard=approvable,
        event_text="opinion",
        outcomes=(State.CENTRE_APPROVED, State.APPLIED),
    ),
    Transition(
        "record_county",
        "登记县政府批准",
        (State.CENTRE_APPROVED,),
        State.APPLIED,
        frozenset({R.ADMIN}),
        record_county,
        inputs=(
            Input("document", Kind.TEXT, "批准文号"),
            Input("approved_on", Kind.DATE, "批准日期"),
            OPINION,
        ),
        guard=county_date,
        event_text="opinion",
        attachments=True,
    ),
    Transition(
        "withdraw",
        "撤回",
        (State.DRAFT, State.SUBMITTED, State.RETURNED),
        State.WITHDRAWN,
        frozenset({R.DEPT}),
        withdraw,
        inputs=(Input("reason", Kind.LONG_TEXT, "撤回理由", required=False),),
        event_text="reason",
    ),
]

TABLE: dict[str, Transition] = {row.action: row for row in TRANSITIONS}
_AUDIT = {
    row.action: audit.Action(f"governance.request.{row.action}", row.label) for row in TRANSITIONS
}
CREATE = audit.Action("governance.request.create", "填报调整申请")
UPDATE = audit.Action("governance.request.update", "修改调整申请")
EVENT_LABELS = {
    "create": CREATE.label,
    "update": UPDATE.label,
    **{r.action: r.label for r in TRANSITIONS},
}


def get(action: str) -> Transition:
    row = TABLE.get(action)
    if row is None:
        raise ValidationFailed(f"未知的操作“{action[:30]}”", code="unknown_action")
    return row


def missing_inputs(row: Transition, inputs: dict) -> dict[str, list[str]]:
    out = {}
    for spec in row.inputs:
        value = inputs.get(spec.name)
        if spec.required and (value is None or (isinstance(value, str) and not value.strip())):
            out[spec.name] = ["必填"]
    return out


def check_input(spec: Input, value):
    """An input in its kind's shape: text bounded, a date a ``date``."""
    if spec.kind == Kind.DATE:
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValidationFailed(
                f"{spec.label}应为日期（YYYY-MM-DD）",
                code="invalid_date",
                fields={spec.name: ["日期格式不正确"]},
            ) from None
    from govhall.core.validators import clean_text

    limit = TEXT_MAX if spec.kind == Kind.TEXT else LONG_TEXT_MAX
    return clean_text(value, field=spec.name, label=spec.label, limit=limit, required=False)


def available_actions(user, r: AdjustmentRequest) -> list[Transition]:
    from .roles import roles_for

    tokens = roles_for(user, r)
    return [row for row in TRANSITIONS if r.state in row.sources and tokens & row.roles]


def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action)
