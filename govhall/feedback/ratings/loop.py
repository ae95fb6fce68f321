"""The 差评 loop's one transition table (差评整改流转表), read by ``services.advance``.

    待回访 ─回访→ 已回访 ─核实→ 已核实 ─┬─立行立改→ 已整改 ──┐
                                       ├─列入整改台账→ 列入整改台账 ─┼─反馈→ 已反馈 ─办结→ 已办结
                                       └─解释说明→ 已解释说明 ───┘
    any open state ─申诉成立 (the appeal's reviewer)→ 申诉成立

A row names the action, the states it starts from, the state it leaves (``None``: no
change — a further 回访 record), who may take it (``DEPARTMENT``: the staff of the
responsible department and the centre administrator; ``REVIEWER``: only through an
upheld appeal, ``services.decide_appeal``), the audit action, the inputs it requires
and a guard. 办结 needs at least one 回访 record (国办发〔2019〕51号: 差评 are called
back and verified); the 整改台账 entry is closed later on its own
(``services.complete_ledger``), which is when the 差评 counts as rectified.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from govhall.core import audit
from govhall.core.errors import Conflict

from .models import OPEN_BAD_REVIEW_STATES, BadReviewState

S = BadReviewState

DEPARTMENT = "department"
REVIEWER = "reviewer"


def has_callback(bad_review) -> None:
    if not bad_review.callbacks.exists():
        raise Conflict("差评尚无回访记录，不能办结", code="callback_required")


@dataclass(frozen=True)
class Step:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None
    who: str
    audit_action: audit.Action
    required: tuple[str, ...] = ()
    guard: Callable | None = None


def _act(verb: str, label: str) -> audit.Action:
    return audit.Action(f"ratings.badreview.{verb}", label)


CALLBACK = _act("callback", "差评回访")
VERIFY = _act("verify", "差评核实")
RECTIFY = _act("rectify", "差评立行立改")
LEDGER = _act("ledger", "差评列入整改台账")
EXPLAIN = _act("explain", "差评解释说明")
FEEDBACK = _act("feedback", "差评整改反馈")
CLOSE = _act("close", "差评整改办结")
VOID = _act("void", "差评申诉成立")

AFTER_CALLBACK = (S.CALLED_BACK, S.VERIFIED, S.RECTIFIED, S.ON_LEDGER, S.EXPLAINED, S.FED_BACK)

STEPS: tuple[Step, ...] = (
    Step(
        "callback",
        "回访",
        (S.ASSIGNED,),
        S.CALLED_BACK,
        DEPARTMENT,
        CALLBACK,
        ("method", "content"),
    ),
    Step("callback", "回访", AFTER_CALLBACK, None, DEPARTMENT, CALLBACK, ("method", "content")),
    Step("verify", "核实", (S.CALLED_BACK,), S.VERIFIED, DEPARTMENT, VERIFY, ("finding",)),
    Step("rectify", "立行立改", (S.VERIFIED,), S.RECTIFIED, DEPARTMENT, RECTIFY, ("measures",)),
    Step(
        "ledger",
        "列入整改台账",
        (S.VERIFIED,),
        S.ON_LEDGER,
        DEPARTMENT,
        LEDGER,
        ("measures", "due_on"),
    ),
    Step("explain", "解释说明", (S.VERIFIED,), S.EXPLAINED, DEPARTMENT, EXPLAIN, ("explanation",)),
    Step(
        "feedback",
        "反馈",
        (S.RECTIFIED, S.ON_LEDGER, S.EXPLAINED),
        S.FED_BACK,
        DEPARTMENT,
        FEEDBACK,
        ("method", "content"),
    ),
    Step("close", "办结", (S.FED_BACK,), S.CLOSED, DEPARTMENT, CLOSE, guard=has_callback),
    Step("void", "申诉成立", tuple(OPEN_BAD_REVIEW_STATES), S.VOIDED, REVIEWER, VOID),
)

ACTIONS = {s.action: s.label for s in STEPS}


def step_for(action: str, state: str) -> Step:
    """The row of ``action`` from ``state``: :class:`Conflict` ``wrong_state`` when no
    row starts there, ``unknown_action`` when there is no such action."""
    rows = [s for s in STEPS if s.action == action]
    if not rows:
        raise Conflict(f"没有“{action[:20]}”这一步", code="unknown_action")
    for row in rows:
        if state in row.sources:
            return row
    label = BadReviewState(state).label if state in BadReviewState.values else state
    raise Conflict(f"差评整改{label}，不能{rows[0].label}", code="wrong_state")


def offered(state: str, who: str = DEPARTMENT) -> list[tuple[str, str]]:
    """The actions open from ``state`` for ``who`` (pages and the API list them)."""
    seen: dict[str, str] = {}
    for s in STEPS:
        if s.who == who and state in s.sources:
            seen.setdefault(s.action, s.label)
    return list(seen.items())
