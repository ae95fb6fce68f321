"""The one transition table of a case (办件流转表): the registry of case actions.

A row of :data:`TRANSITIONS` is the whole description of an action:

* ``sources`` → ``target``: the states it may start from and the state it leaves
  (``None``: the state does not change — a review step, an extension …);
* ``roles``: the role tokens (``cases.roles.CaseRole``) that may take it;
* ``inputs``: what it takes, as :class:`Input` specs. The API's request serializer
  and the staff page's form are *built* from them (``cases.api``, ``cases.forms``),
  so the three can never disagree; the service checks the required ones;
* ``guard``: the rule that must hold (``cases.guards``), on the locked case;
* ``effect``: what it changes (``cases.services.effects``), returning the data
  written on the case event;
* ``notice``: the 文书 issued to the applicant (``DocumentKind``) or ``None``;
* ``event_text``: the input written as the event's text (意见/理由) in the history;
* ``bundle_parent`` / ``children``: whether a 一件事 parent may take it, and what it
  then does to the open children (:class:`Cascade`).

Every entry point — staff page, API, command, daily job — goes through
``services.transition``, which reads this table and nothing else decides. Adding an
action means adding one row here and its effect function (docs/architecture.md shows
an example). The rules cited are in ``docs/domain-rules.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from govhall.core import audit
from govhall.core.errors import ValidationFailed

from . import guards
from .models import OPEN_STATES, DeliveryMethod, DocumentKind, Result, State
from .roles import CaseRole, roles_for
from .services import effects

# --------------------------------------------------------------------------- inputs


class Kind:
    """The kinds of input an action takes. Each kind has one builder in
    ``cases.api`` (request field) and one in ``cases.forms`` (page fields); both
    modules check at import time that every kind used here has one."""

    TEXT = "text"  # one line (certificate number, tracking number)
    LONG_TEXT = "long_text"  # 意见, 理由, 承诺书, 记录
    DAYS = "days"  # a number of working days
    CHOICE = "choice"  # one of ``Input.choices``
    STAFF = "staff"  # a staff member of the case's department (承办人)
    MATERIALS = "materials"  # submitted materials (ids of the guide's list, files)
    CORRECTIONS = "corrections"  # 一次性告知: [{material, name, problem}]
    MATERIAL_IDS = "material_ids"  # materials of the guide, by id (容缺)
    SPECIAL_STEP = "special_step"  # a special step of the guide
    NOTICE = "notice"  # 特殊环节告知: time, place, content, persons, method

    ALL = frozenset(
        {
            TEXT,
            LONG_TEXT,
            DAYS,
            CHOICE,
            STAFF,
            MATERIALS,
            CORRECTIONS,
            MATERIAL_IDS,
            SPECIAL_STEP,
            NOTICE,
        }
    )


# Bounds of what comes from outside, before it reaches the database.
TEXT_MAX = 200
LONG_TEXT_MAX = 4000
DAYS_MAX = 999
NOTICE_FIELDS = {
    "time": "时间",
    "place": "地点",
    "content": "内容",
    "persons": "人员",
    "method": "方式",
}


@dataclass(frozen=True)
class Input:
    """One input of an action: its name (the keyword of ``services.transition``), kind,
    Chinese label, whether it is required, and for ``CHOICE`` the choices. For
    ``MATERIALS`` ``outstanding_only`` limits the page to tolerated materials not yet
    caught up (容缺补齐)."""

    name: str
    kind: str
    label: str
    required: bool = True
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    outstanding_only: bool = False

    def __post_init__(self):
        if self.kind not in Kind.ALL:
            raise ValueError(f"unknown input kind {self.kind!r}")
        if self.kind == Kind.CHOICE and not self.choices:
            raise ValueError(f"choice input {self.name!r} has no choices")


def _choices(choices) -> tuple[tuple[str, str], ...]:
    return tuple((v, label) for v, label in choices if v)


OPINION = Input("opinion", Kind.LONG_TEXT, "意见", required=False)
RESPONSIBLE = Input("responsible", Kind.STAFF, "承办人", required=False, help="承办人 Staff id")


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Cascade:
    """What a 一件事 parent's action does to each open child: ``action`` where the
    child's state allows it, else ``fallback`` (or nothing); ``child_notice``: whether
    the child issues its own notice (the parent's notice covers the children)."""

    action: str
    fallback: str | None = None
    child_notice: bool = True


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
    # A check of the case alone (``guards``, no inputs): when it is False the guard would
    # refuse whatever is typed, so pages and the API's list of actions do not offer it.
    offered: Callable | None = None
    notice: str | None = None
    event_text: str | None = None
    bundle_parent: bool = False
    children: Cascade | None = None
    # 一件事 (R-BUNDLE-6): this act issues the result a sibling waits for.
    releases_supplies: bool = False

    def __post_init__(self):
        unknown = self.roles - CaseRole.ALL
        if unknown:
            raise ValueError(f"{self.action}: unknown roles {sorted(unknown)}")
        names = [i.name for i in self.inputs]
        if self.event_text is not None and self.event_text not in names:
            raise ValueError(f"{self.action}: event_text {self.event_text!r} is not an input")
        if len(set(names)) != len(names):
            raise ValueError(f"{self.action}: an input is listed twice")

    @property
    def audit_action(self) -> audit.Action:
        """``cases.case.<action>`` with the row's label (declared once, below)."""
        return _AUDIT[self.action]

    @property
    def input_names(self) -> frozenset[str]:
        return frozenset(i.name for i in self.inputs)


def _reason(label: str) -> Input:
    return Input("reason", Kind.LONG_TEXT, label)


_OPEN = tuple(OPEN_STATES)
_ACTIVE = (State.IN_REVIEW, State.SPECIAL_STEP)
# An application is withdrawn before it is decided: after the decision (and its
# delivery) there is no application left to withdraw (R-CLOSE-4).
_BEFORE_DECISION = (State.SUBMITTED, State.AWAITING_CORRECTION, *_ACTIVE)
R = CaseRole

TRANSITIONS: list[Transition] = [
    Transition(
        "accept",
        "受理",
        (State.SUBMITTED,),
        State.IN_REVIEW,
        frozenset({R.CLERK, R.DEPT, R.SYSTEM}),
        effects.accept,
        inputs=(RESPONSIBLE, OPINION),
        guard=guards.materials_complete,
        notice=DocumentKind.ACCEPTANCE,
        event_text="opinion",
        bundle_parent=True,
        children=Cascade("accept", child_notice=False),
        offered=guards.has_all_required_materials,
    ),
    Transition(
        "request_correction",
        "一次性告知补正",
        (State.SUBMITTED,),
        State.AWAITING_CORRECTION,
        frozenset({R.CLERK, R.DEPT}),
        effects.request_correction,
        inputs=(
            Input(
                "corrections",
                Kind.CORRECTIONS,
                "需补正的材料及原因",
                help="一次性列明全部需补正的材料",
            ),
            Input("opinion", Kind.LONG_TEXT, "说明", required=False),
        ),
        guard=guards.corrections_listed,
        offered=guards.may_still_be_sent_back,
        notice=DocumentKind.CORRECTION,
        event_text="opinion",
    ),
    Transition(
        "resubmit",
        "补正材料",
        (State.AWAITING_CORRECTION,),
        State.SUBMITTED,
        frozenset({R.APPLICANT, R.CLERK, R.DEPT}),
        effects.resubmit,
        inputs=(Input("materials", Kind.MATERIALS, "补正材料"),),
    ),
    Transition(
        "refuse",
        "不予受理",
        (State.SUBMITTED, State.AWAITING_CORRECTION),
        State.REFUSED,
        frozenset({R.CLERK, R.DEPT, R.SYSTEM}),
        effects.close,
        inputs=(_reason("不予受理理由"),),
        guard=guards.not_deemed_accepted,
        notice=DocumentKind.REFUSAL,
        event_text="reason",
        bundle_parent=True,
        children=Cascade("refuse", fallback="terminate"),
        offered=guards.may_still_be_sent_back,
    ),
    Transition(
        "accept_with_tolerance",
        "容缺受理",
        (State.SUBMITTED,),
        State.IN_REVIEW,
        frozenset({R.CLERK, R.DEPT}),
        effects.accept_with_tolerance,
        inputs=(
            Input("tolerated", Kind.MATERIAL_IDS, "容缺材料", help="容缺材料 id"),
            Input("commitment", Kind.LONG_TEXT, "承诺书内容"),
            Input("catch_up_days", Kind.DAYS, "补齐期限（工作日）"),
            RESPONSIBLE,
        ),
        guard=guards.tolerance_allowed,
        offered=guards.may_tolerate,
        notice=DocumentKind.ACCEPTANCE,
    ),
    Transition(
        "catch_up",
        "容缺补齐",
        _ACTIVE + (State.DECIDED,),
        None,
        frozenset({R.APPLICANT, R.CLERK, R.DEPT}),
        effects.catch_up,
        inputs=(Input("materials", Kind.MATERIALS, "补齐材料", outstanding_only=True),),
        offered=guards.tolerance_outstanding,
    ),
    Transition(
        "review",
        "审查/审核",
        (State.IN_REVIEW,),
        None,
        frozenset({R.APPROVER}),
        effects.review,
        inputs=(Input("opinion", Kind.LONG_TEXT, "审查意见"),),
        guard=guards.review_step_open,
        event_text="opinion",
        offered=guards.has_open_review_step,
    ),
    Transition(
        "decide",
        "决定",
        (State.IN_REVIEW,),
        State.DECIDED,
        frozenset({R.APPROVER, R.INSTANT_CLERK}),
        effects.decide,
        inputs=(
            Input("result", Kind.CHOICE, "办理结果", choices=_choices(Result.choices)),
            Input("opinion", Kind.LONG_TEXT, "决定意见"),
            Input("reason", Kind.LONG_TEXT, "不予许可/退件理由", required=False),
        ),
        guard=guards.decision_allowed,
        offered=guards.ready_for_decision,
        notice=DocumentKind.DECISION,
        event_text="opinion",
    ),
    Transition(
        "start_special_step",
        "启动特殊环节",
        (State.IN_REVIEW,),
        State.SPECIAL_STEP,
        frozenset({R.DEPT}),
        effects.start_special_step,
        inputs=(
            Input("special_step", Kind.SPECIAL_STEP, "特殊环节", help="办事指南特殊环节 id"),
            Input(
                "notice",
                Kind.NOTICE,
                "告知内容",
                help="告知内容：time, place, content, persons, method",
            ),
            Input("opinion", Kind.LONG_TEXT, "说明", required=False),
        ),
        guard=guards.special_step_of_version,
        offered=guards.has_special_steps,
        notice=DocumentKind.SPECIAL_STEP,
        event_text="opinion",
    ),
    Transition(
        "end_special_step",
        "结束特殊环节",
        (State.SPECIAL_STEP,),
        State.IN_REVIEW,
        frozenset({R.DEPT}),
        effects.end_special_step,
        inputs=(Input("record", Kind.LONG_TEXT, "环节记录/结论"),),
    ),
    Transition(
        "extend",
        "延期",
        _ACTIVE,
        None,
        frozenset({R.CHIEF}),
        effects.extend,
        inputs=(Input("days", Kind.DAYS, "延长工作日"), _reason("延期理由")),
        guard=guards.extension_allowed,
        notice=DocumentKind.EXTENSION,
        event_text="reason",
        offered=guards.not_yet_extended,
    ),
    Transition(
        "certify",
        "制证",
        (State.DECIDED,),
        State.CERTIFIED,
        frozenset({R.DEPT, R.INSTANT_CLERK}),
        effects.certify,
        inputs=(Input("result_number", Kind.TEXT, "证照编号"),),
        guard=guards.approved,
        offered=guards.is_approved,
        releases_supplies=True,
    ),
    Transition(
        "deliver",
        "送达",
        (State.DECIDED, State.CERTIFIED),
        State.DELIVERED,
        frozenset({R.CLERK, R.DEPT}),
        effects.deliver,
        inputs=(
            Input("method", Kind.CHOICE, "送达方式", choices=_choices(DeliveryMethod.choices)),
            Input("tracking_number", Kind.TEXT, "邮寄单号", required=False),
        ),
        guard=guards.delivery_allowed,
        offered=guards.ready_for_delivery,
        notice=DocumentKind.SERVICE_RECEIPT,
    ),
    Transition(
        "complete",
        "办结",
        (State.DELIVERED,),
        State.COMPLETED,
        frozenset({R.CLERK, R.DEPT}),
        effects.complete,
        guard=guards.tolerance_caught_up,
        offered=guards.is_caught_up,
    ),
    Transition(
        "complete_bundle",
        "一件事办结",
        (State.SUBMITTED, State.IN_REVIEW),
        State.COMPLETED,
        frozenset({R.SYSTEM}),
        effects.complete,
        guard=guards.bundle_parent_only,
        bundle_parent=True,
    ),
    Transition(
        "archive",
        "归档",
        (State.COMPLETED,),
        State.ARCHIVED,
        frozenset({R.DEPT, R.ADMIN, R.SYSTEM}),
        effects.archive,
    ),
    Transition(
        "withdraw",
        "撤回",
        _BEFORE_DECISION,
        State.WITHDRAWN,
        frozenset({R.APPLICANT, R.CLERK, R.DEPT, R.SYSTEM}),
        effects.close,
        inputs=(_reason("撤回理由"),),
        event_text="reason",
        bundle_parent=True,
        children=Cascade("withdraw"),
    ),
    Transition(
        "terminate",
        "终止",
        _OPEN,
        State.TERMINATED,
        frozenset({R.CHIEF, R.ADMIN, R.SYSTEM}),
        effects.close,
        inputs=(_reason("终止理由"),),
        event_text="reason",
        bundle_parent=True,
        children=Cascade("terminate"),
    ),
]

TABLE: dict[str, Transition] = {t.action: t for t in TRANSITIONS}
_AUDIT = {t.action: audit.Action(f"cases.case.{t.action}", t.label) for t in TRANSITIONS}

# Events that are not transitions: they are written by the intake and the daily job.
SUBMIT = audit.Action("cases.case.submit", "申请")
SUBMIT_BUNDLE = audit.Action("cases.case.submit_bundle", "一件事申请")
DEEMED_ACCEPTANCE = audit.Action("cases.case.deemed_acceptance", "视为受理")
SIBLING_RESULT = audit.Action("cases.case.sibling_result", "收到一件事前置结果")
# 收费记录 (services.fees): recorded on the case's history, the state unchanged.
RECORD_FEE = audit.Action("cases.case.record_fee", "登记收费")
CANCEL_FEE = audit.Action("cases.case.cancel_fee", "撤销收费记录")
# 划转移交 (services.handover): the case follows its item to another department.
HAND_OVER = audit.Action("cases.case.hand_over", "划转移交")
EVENT_LABELS = {
    "submit": SUBMIT.label,
    "deemed_acceptance": DEEMED_ACCEPTANCE.label,
    "sibling_result": SIBLING_RESULT.label,
    "record_fee": RECORD_FEE.label,
    "cancel_fee": CANCEL_FEE.label,
    "hand_over": HAND_OVER.label,
    **{t.action: t.label for t in TRANSITIONS},
}

for _row in TRANSITIONS:
    if _row.children is not None:
        for _name in (_row.children.action, _row.children.fallback):
            if _name is not None and _name not in TABLE:
                raise ValueError(f"{_row.action}: cascade to unknown action {_name!r}")


def get(action: str) -> Transition:
    try:
        return TABLE[action]
    except KeyError:
        raise ValidationFailed(f"未知的办件操作“{action}”", code="unknown_action")


def event_label(action: str) -> str:
    """The Chinese name of a case event (办理记录, 进度查询)."""
    return EVENT_LABELS.get(action, action)


def missing_inputs(row: Transition, inputs: dict) -> dict[str, list[str]]:
    """``{input: [message]}`` for each required input that is absent or blank."""
    missing = {}
    for spec in row.inputs:
        if not spec.required:
            continue
        value = inputs.get(spec.name)
        if isinstance(value, str):
            value = value.strip()
        if value is None or (isinstance(value, str | list | tuple | dict) and not value):
            missing[spec.name] = [f"{spec.label}：必须填写"]
    return missing


def available_actions(user, case) -> list[Transition]:
    """Actions ``user`` may try on ``case`` now (for buttons; the service re-checks)."""
    roles = roles_for(user, case)
    return [
        t
        for t in TRANSITIONS
        if case.state in t.sources
        and roles & t.roles
        and (t.bundle_parent or not case.is_bundle_parent)
        and (t.offered is None or t.offered(case))
    ]
