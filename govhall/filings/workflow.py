"""The one transition table of a 确认类 filing (备案流转表).

事后告知类 filings have no transition: :func:`services.submit` records them 已备案 at
once (即来即备, ``FILE``). A 确认类 filing is 待确认 until its department confirms it
(确认 → 已确认备案, the 备案编号 issued) or returns it for 补正 with the reasons (退回补正);
the filer then files it again (补正提交 → 补正后待确认, a new confirmation limit from
that day). There is no "refuse": a filing never blocks the activity (seed 4 备案 第一条、
第五条). ``services.transition`` is the only code that moves a filing and knows no
action by name; the API builds one request serializer per row from ``inputs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from govhall.calendar import selectors as calendar
from govhall.core import audit, clock
from govhall.core.errors import ValidationFailed

from . import numbering
from .models import PENDING, Filing, State
from .roles import R

TEXT_MAX = 2000


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    required: bool = True


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    effect: Callable
    inputs: tuple[Input, ...] = ()
    event_text: str | None = None
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

    @property
    def audit_action(self) -> audit.Action:
        return _AUDIT[self.action]

    @property
    def input_names(self) -> frozenset[str]:
        return frozenset(i.name for i in self.inputs)


# --------------------------------------------------------------------------- clock


def due_from(start, version) -> object:
    """The confirmation limit: the version's 承诺时限 in working days from ``start``
    (0: the same day)."""
    days = version.promised_limit_days or 0
    return calendar.add_workdays(start=start, days=days).date


def issue_number(filing: Filing) -> None:
    """The 备案编号 of the year, drawn in the caller's transaction (no gap)."""
    now = clock.now()
    filing.number = numbering.next_number(series=numbering.FILING, year=clock.today().year)
    filing.filed_at = now


# --------------------------------------------------------------------------- effects


def confirm(actor, f: Filing, inputs) -> dict:
    issue_number(f)
    on_time = f.due_date is None or clock.today() <= f.due_date
    return {"number": f.number, "on_time": on_time}


def return_for_correction(actor, f: Filing, inputs) -> dict:
    f.returned_count += 1
    f.return_reason = inputs["reason"]
    data = {"due_date": f.due_date.isoformat() if f.due_date else None}
    f.due_date = None  # the limit stops until the filer files again
    return data


def resubmit(actor, f: Filing, inputs) -> dict:
    f.due_date = due_from(clock.today(), f.item_version)
    return {"due_date": f.due_date.isoformat()}


# --------------------------------------------------------------------------- rows

TRANSITIONS: list[Transition] = [
    Transition(
        "confirm",
        "确认备案",
        PENDING,
        State.CONFIRMED,
        frozenset({R.DEPT}),
        confirm,
        inputs=(Input("opinion", "确认意见", required=False),),
        event_text="opinion",
    ),
    Transition(
        "return",
        "退回补正",
        PENDING,
        State.RETURNED,
        frozenset({R.DEPT}),
        return_for_correction,
        inputs=(Input("reason", "需补正的内容及理由"),),
        event_text="reason",
    ),
    Transition(
        "resubmit",
        "补正提交",
        (State.RETURNED,),
        State.RESUBMITTED,
        frozenset({R.APPLICANT, R.CLERK, R.ADMIN}),
        resubmit,
        inputs=(Input("note", "补正说明"),),
        event_text="note",
        attachments=True,
    ),
]

TABLE: dict[str, Transition] = {row.action: row for row in TRANSITIONS}
_AUDIT = {
    row.action: audit.Action(f"filings.filing.{row.action}", row.label) for row in TRANSITIONS
}
# The events that are not transitions.
SUBMIT = audit.Action("filings.filing.submit", "备案申报")
FILE = audit.Action("filings.filing.file", "即来即备")
EVENT_LABELS = {
    "submit": "提交备案",
    "file": "即来即备",
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
        if spec.required and (value is None or not str(value).strip()):
            out[spec.name] = ["必填"]
    return out


def available_actions(user, filing: Filing) -> list[Transition]:
    from .roles import roles_for

    tokens = roles_for(user, filing)
    return [row for row in TRANSITIONS if filing.state in row.sources and tokens & row.roles]


def event_label(action: str) -> str:
    return EVENT_LABELS.get(action, action)
