"""The one transition table of a complaint (诉求流转表), smaller than the cases' one.

Loop (国办发〔2020〕53号, GB/T 33358): 受理 → 派单 → (退单 once → 派单 again) → 办理 →
答复 → 办结 → 回访 → 评价; 督办 when the answer is late; 直接办结 for a consultation
answered on the spot from the 知识库. A row says which states it starts from, the
state it leaves (``None``: unchanged, or ``outcomes`` when the effect decides, as
评价 does), who may take it (``roles.R`` tokens), its inputs, its guard and its
effect. ``services.transition`` is the only code that moves a complaint and knows no
action by name. The API builds one request serializer per row from ``inputs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from govhall.calendar import selectors as calendar
from govhall.core import audit, clock, policy
from govhall.core.errors import Conflict, ValidationFailed

from .models import ANSWER_PENDING, Category, Complaint, Finding, State
from .roles import R


class Kind:
    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    HANDLER = "handler"  # a department id, or "centre"
    STAFF = "staff"  # a staff member (被投诉人)
    ENTRY = "entry"  # a published 知识库 entry
    CASE = "case"  # a 受理编号

    ALL = frozenset({TEXT, LONG_TEXT, CHOICE, HANDLER, STAFF, ENTRY, CASE})


TEXT_MAX = 200
LONG_TEXT_MAX = 4000
CENTRE = "centre"


@dataclass(frozen=True)
class Input:
    name: str
    kind: str
    label: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if self.kind not in Kind.ALL:
            raise ValueError(f"unknown input kind {self.kind!r}")
        if self.kind == Kind.CHOICE and not self.choices:
            raise ValueError(f"choice input {self.name!r} has no choices")


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
    # The states the effect may leave when ``target`` is None and the effect decides.
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
        if self.target is not None and self.outcomes:
            raise ValueError(f"{self.action}: a target and outcomes")

    @property
    def audit_action(self) -> audit.Action:
        return _AUDIT[self.action]

    @property
    def input_names(self) -> frozenset[str]:
        return frozenset(i.name for i in self.inputs)


# --------------------------------------------------------------------------- clock


def limit_days(category: str) -> int:
    """Working days to answer a complaint of ``category`` (policy; 0 = the same day)."""
    return int(policy.get("COMPLAINTS_LIMIT_DAYS")[category])


def due_from(start, category: str):
    return calendar.add_workdays(start=start, days=limit_days(category)).date


# --------------------------------------------------------------------------- guards


def discipline_codes() -> set[str]:
    return {str(c).upper() for c in policy.get("COMPLAINTS_DISCIPLINE_DEPARTMENTS") or []}


def routable(complaint: Complaint, inputs) -> None:
    """达拉特旗 §26: a complaint about a staff member goes to the centre or the
    discipline office only, never to that person's department (nor any other)."""
    target = inputs.get("handler")
    if target == CENTRE or complaint.about_staff_id is None:
        if target != CENTRE and not target.is_active:
            raise ValidationFailed(
                f"部门“{target.name}”已停用",
                code="inactive_department",
                fields={"handler": ["已停用"]},
            )
        return
    if (
        target.code.upper() in discipline_codes()
        and target.pk != complaint.about_staff.department_id
    ):
        return
    raise ValidationFailed(
        "投诉工作人员的诉求只能派给中心或纪检监察部门，不能派给被投诉人所在部门或其他部门",
        code="staff_complaint_routing",
        fields={"handler": ["只能选择中心或纪检监察部门"]},
    )


def may_return(complaint: Complaint, inputs) -> None:
    if complaint.department_id is None:
        raise Conflict("由中心自办的诉求不能退单", code="centre_cannot_return")
    if complaint.returned_count >= 1:
        raise Conflict("该诉求已退单一次，不能再次退单，请办理", code="return_limit")


def consultation(complaint: Complaint, inputs) -> None:
    if complaint.category != Category.CONSULTATION:
        raise Conflict("只有咨询类诉求可以直接办结", code="not_consultation")
    if not (inputs.get("answer") or "").strip() and inputs.get("entry") is None:
        raise ValidationFailed(
            "请填写答复内容或选择知识库条目",
            code="missing_input",
            fields={"answer": ["必填"]},
        )


def late(complaint: Complaint, inputs) -> None:
    """督办 is for an answer past its deadline, once per deadline."""
    if complaint.due_date is None or complaint.due_date >= clock.today():
        raise Conflict("诉求尚未超过答复期限，不需督办", code="not_overdue")
    if complaint.supervised_due == complaint.due_date:
        raise Conflict("该诉求已就本次期限督办", code="already_supervised")


# --------------------------------------------------------------------------- effects


def accept(actor, c: Complaint, inputs) -> dict:
    if inputs.get("category"):
        c.category = inputs["category"]
    if inputs.get("about_staff") is not None:
        c.about_staff = inputs["about_staff"]
    if inputs.get("case") is not None:
        c.case = inputs["case"]
    c.accepted_on = clock.today()
    if c.due_date is None:  # a 12345 order keeps the city platform's deadline
        c.due_date = due_from(c.accepted_on, c.category)
    return {"due_date": c.due_date.isoformat(), "category": c.category}


def assign(actor, c: Complaint, inputs) -> dict:
    target = inputs["handler"]
    c.department = None if target == CENTRE else target
    return {"department": c.department_id, "handler": c.handler_label}


def return_order(actor, c: Complaint, inputs) -> dict:
    data = {"department": c.department_id, "department_name": c.department.name}
    c.returned_count += 1
    c.department = None
    return data


def handle(actor, c: Complaint, inputs) -> dict:
    return {}


def reply(actor, c: Complaint, inputs) -> dict:
    c.reply = inputs["reply"]
    c.replied_at = clock.now()
    on_time = c.due_date is None or c.replied_at.date() <= c.due_date
    return {"on_time": on_time}


def close(actor, c: Complaint, inputs) -> dict:
    c.closed_at = clock.now()
    c.finding = inputs.get("finding") or ""
    return {"finding": c.finding} if c.finding else {}


def finding_given(complaint: Complaint, inputs) -> None:
    """A complaint or report about a staff member is closed with its 核查结论
    (达拉特旗 §26; it is read by the year-end appraisal, 达拉特旗 §22)."""
    if (
        complaint.about_staff_id
        and complaint.category in (Category.COMPLAINT, Category.REPORT)
        and not inputs.get("finding")
    ):
        raise ValidationFailed(
            "涉及工作人员的投诉、举报办结时须填写核查结论",
            code="finding_required",
            fields={"finding": ["请选择核查结论"]},
        )


def direct_close(actor, c: Complaint, inputs) -> dict:
    entry = inputs.get("entry")
    answer = (inputs.get("answer") or "").strip() or entry.answer
    now = clock.now()
    if c.accepted_on is None:
        c.accepted_on = now.date()
        c.due_date = due_from(c.accepted_on, c.category)
    c.reply, c.replied_at, c.closed_at = answer, now, now
    c.knowledge_entry = entry
    return {"entry": entry.pk if entry else None, "on_time": True}


def visit(actor, c: Complaint, inputs) -> dict:
    return {"method": inputs["method"]}


def evaluate(actor, c: Complaint, inputs) -> dict:
    """满意 closes; 不满意 reopens once (办理中 again, a new deadline from today), and
    a second 不满意 closes as 不满意."""
    if inputs["result"] == "satisfied":
        c.state, c.satisfied = State.SATISFIED, True
        return {"result": "satisfied"}
    if c.reopened_count == 0:
        c.reopened_count = 1
        c.state = State.IN_PROGRESS
        c.satisfied = None
        c.closed_at = None
        c.due_date = due_from(clock.today(), c.category)
        return {"result": "unsatisfied", "reopened": True, "due_date": c.due_date.isoformat()}
    c.state, c.satisfied = State.UNSATISFIED, False
    return {"result": "unsatisfied", "reopened": False}


def supervise(actor, c: Complaint, inputs) -> dict:
    c.supervised_at = clock.now()
    c.supervised_due = c.due_date
    return {"due_date": c.due_date.isoformat() if c.due_date else None}


# --------------------------------------------------------------------------- rows

OPINION = Input("opinion", Kind.LONG_TEXT, "意见", required=False)
FINDINGS = tuple(Finding.choices)
VISIT_METHODS = (
    ("phone", "电话回访"),
    ("sms", "短信回访"),
    ("onsite", "上门回访"),
    ("online", "网上回访"),
)
RESULTS = (("satisfied", "满意"), ("unsatisfied", "不满意"))
CENTRE_SIDE = frozenset({R.ADMIN, R.CLERK})

TRANSITIONS: list[Transition] = [
    Transition(
        "accept",
        "受理",
        (State.SUBMITTED,),
        State.ACCEPTED,
        frozenset({R.ADMIN, R.CLERK, R.SYSTEM}),
        accept,
        inputs=(
            Input(
                "category", Kind.CHOICE, "诉求类别", required=False, choices=tuple(Category.choices)
            ),
            Input("about_staff", Kind.STAFF, "被投诉工作人员", required=False),
            Input("case", Kind.CASE, "涉及办件（受理编号）", required=False),
            OPINION,
        ),
        event_text="opinion",
    ),
    Transition(
        "assign",
        "派单",
        (State.ACCEPTED, State.RETURNED),
        State.ASSIGNED,
        CENTRE_SIDE,
        assign,
        inputs=(Input("handler", Kind.HANDLER, "承办单位"), OPINION),
        guard=routable,
        event_text="opinion",
    ),
    Transition(
        "return",
        "退单",
        (State.ASSIGNED,),
        State.RETURNED,
        frozenset({R.HANDLER}),
        return_order,
        inputs=(Input("reason", Kind.LONG_TEXT, "退单理由"),),
        guard=may_return,
        event_text="reason",
    ),
    Transition(
        "handle",
        "办理",
        (State.ASSIGNED,),
        State.IN_PROGRESS,
        frozenset({R.HANDLER}),
        handle,
        inputs=(OPINION,),
        event_text="opinion",
    ),
    Transition(
        "reply",
        "答复",
        (State.IN_PROGRESS,),
        State.REPLIED,
        frozenset({R.HANDLER}),
        reply,
        inputs=(Input("reply", Kind.LONG_TEXT, "答复内容"),),
        event_text="reply",
        attachments=True,
    ),
    Transition(
        "close",
        "办结",
        (State.REPLIED,),
        State.CLOSED,
        CENTRE_SIDE,
        close,
        inputs=(OPINION, Input("finding", Kind.CHOICE, "核查结论", False, FINDINGS)),
        guard=finding_given,
        event_text="opinion",
    ),
    Transition(
        "direct_close",
        "直接办结",
        (State.SUBMITTED, State.ACCEPTED),
        State.CLOSED,
        CENTRE_SIDE,
        direct_close,
        inputs=(
            Input("answer", Kind.LONG_TEXT, "答复内容", required=False),
            Input("entry", Kind.ENTRY, "知识库条目", required=False),
        ),
        guard=consultation,
        event_text="answer",
    ),
    Transition(
        "visit",
        "回访",
        (State.CLOSED,),
        State.VISITED,
        CENTRE_SIDE,
        visit,
        inputs=(
            Input("method", Kind.CHOICE, "回访方式", choices=VISIT_METHODS),
            Input("content", Kind.LONG_TEXT, "回访情况"),
        ),
        event_text="content",
    ),
    Transition(
        "evaluate",
        "评价",
        (State.VISITED,),
        None,
        frozenset({R.ADMIN, R.CLERK, R.APPLICANT}),
        evaluate,
        inputs=(Input("result", Kind.CHOICE, "评价结果", choices=RESULTS), OPINION),
        event_text="opinion",
        outcomes=(State.SATISFIED, State.IN_PROGRESS, State.UNSATISFIED),
    ),
    Transition(
        "supervise",
        "督办",
        ANSWER_PENDING,
        None,
        frozenset({R.SYSTEM, R.ADMIN, R.SUPERVISOR}),
        supervise,
        inputs=(OPINION,),
        guard=late,
        event_text="opinion",
    ),
]

TABLE: dict[str, Transition] = {row.action: row for row in TRANSITIONS}
_AUDIT = {
    row.action: audit.Action(f"complaints.complaint.{row.action}", row.label) for row in TRANSITIONS
}
# The events that are not transitions.
SUBMIT = audit.Action("complaints.complaint.submit", "提交诉求")
EVENT_LABELS = {
    "submit": "提交诉求",
    "import": "12345导入",
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


def available_actions(user, complaint: Complaint) -> list[Transition]:
    from .roles import roles_for

    tokens = roles_for(user, complaint)
    return [row for row in TRANSITIONS if complaint.state in row.sources and tokens & row.roles]


def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action)
