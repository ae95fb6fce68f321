"""The warning rules of 电子监察 (issue 11 §1, docs/supervision.md).

Each rule is a small named function ``(case, today) -> Finding | None``: a
:class:`Finding` while its condition holds on ``today``, ``None`` otherwise. The
services raise a warning for a finding and clear an open warning of that kind once
its rule answers ``None``. Rules read only the case, its events, its running
special steps, the guide's steps, its standing fees and the guide's fee list; they
change nothing. Of the events they need three facts only (:class:`EventFacts`: when
the step in hand started, how many 补正 were asked, whether it was served), counted
by the database. A batch (``services.evaluate_cases``) reads those for all its cases
at once and hands them over as ``case.supervision_facts`` / ``_runs`` / ``_steps``
/ ``_fees`` / ``_fee_lines``; a case without them reads its own (the accessors
below).

Some conditions are facts that stay true once they happened (overdue after
completion, §32 deemed acceptance, 补正 twice, a thin reason, no 送达 record): their
warnings are never cleared.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.cases import deadlines, guards
from govhall.cases import selectors as case_selectors
from govhall.cases.models import FAILED_RESULTS, CaseEvent, Light, State
from govhall.core import policy

from .models import Kind, Level


@dataclass(frozen=True)
class Finding:
    kind: str
    level: str
    detail: str


# Events after which the next 办理环节 starts (its own time limit counts from them).
STEP_START_ACTIONS = frozenset(
    {"accept", "accept_with_tolerance", "deemed_acceptance", "review", "end_special_step"}
)
COMPLETED_STATES = (State.COMPLETED, State.ARCHIVED)


@dataclass(frozen=True)
class EventFacts:
    """What the rules read of a case's events: the time of the last event that
    started the step in hand (``STEP_START_ACTIONS``), the number of 补正 asked, and
    whether a 送达 was recorded."""

    step_started_at: dt.datetime | None = None
    corrections: int = 0
    delivered: bool = False


NO_EVENTS = EventFacts()


def event_facts(case_ids) -> dict[int, EventFacts]:
    """The :class:`EventFacts` of the cases ``case_ids`` in one grouped query (one row
    a case, not one an event: a morning run reads 100,000 cases); a case without any
    of those events is absent (:data:`NO_EVENTS`)."""
    rows = (
        CaseEvent.objects.filter(
            case_id__in=case_ids,
            action__in=[*STEP_START_ACTIONS, "request_correction", "deliver"],
        )
        .values("case_id")
        .annotate(
            started=Max("at", filter=Q(action__in=STEP_START_ACTIONS)),
            corrections=Count("id", filter=Q(action="request_correction")),
            delivered=Count("id", filter=Q(action="deliver")),
        )
        .order_by()
    )
    return {
        r["case_id"]: EventFacts(r["started"], r["corrections"], r["delivered"] > 0) for r in rows
    }


def _facts(case) -> EventFacts:
    """The case's :class:`EventFacts`: those its batch read, else its own."""
    facts = getattr(case, "supervision_facts", None)
    if facts is None:
        facts = event_facts([case.pk]).get(case.pk, NO_EVENTS)
    return facts


def _open_runs(case) -> list:
    """The special steps running now (``ended_at`` empty), with their step."""
    runs = getattr(case, "supervision_runs", None)
    if runs is not None:
        return runs
    return list(case.special_runs.filter(ended_at__isnull=True).select_related("special_step"))


def _fees(case) -> list:
    """The fees recorded on the case and not cancelled."""
    fees = getattr(case, "supervision_fees", None)
    return fees if fees is not None else list(case.fees.filter(cancelled_at__isnull=True))


def _fee_lines(case) -> list:
    """The 收费项目 of the case's guide version."""
    lines = getattr(case, "supervision_fee_lines", None)
    if lines is not None:
        return lines
    version = case.item_version
    return list(version.fee_lines.all()) if version is not None else []


def steps_of(case) -> list:
    """The guide's 办理环节 of the case: those the daily run read for its batch
    (``case.supervision_steps``, one query for all versions), else the cases app's."""
    steps = getattr(case, "supervision_steps", None)
    return steps if steps is not None else guards.version_steps(case)


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _bundle_parent(case) -> bool:
    return case.bundle_id is not None and case.parent_id is None


# --------------------------------------------------------------------------- lights


def yellow_light(case, today: dt.date) -> Finding | None:
    """黄灯预警: 80% of the promised days used or one day left (R-LIGHT-1)."""
    if deadlines.light_of(case, today) != Light.YELLOW:
        return None
    return Finding(
        Kind.YELLOW_LIGHT, Level.YELLOW, f"办结期限 {case.due_date:%Y-%m-%d}，已进入黄灯预警"
    )


def red_light(case, today: dt.date) -> Finding | None:
    """红灯预警: the case is due today."""
    if deadlines.light_of(case, today) != Light.RED:
        return None
    return Finding(Kind.RED_LIGHT, Level.RED, f"办结期限 {case.due_date:%Y-%m-%d}，今日到期")


def overdue(case, today: dt.date) -> Finding | None:
    """超期办理: open past its due date, or closed after it. Stays on record after
    completion (a closed case keeps its finding); only a 延期 that moves the due date
    of an open case past today ends it."""
    if case.due_date is None:
        return None
    if case.is_open:
        if deadlines.light_of(case, today) != Light.OVERDUE:
            return None
        days = calendar.workdays_between(start=case.due_date, end=today).count
        return Finding(
            Kind.OVERDUE,
            Level.RED,
            f"办结期限 {case.due_date:%Y-%m-%d}，已超期 {days} 个工作日",
        )
    ended = _local_day(case.completed_at or case.closed_at)
    if ended is None or ended <= case.due_date:
        return None
    days = calendar.workdays_between(start=case.due_date, end=ended).count
    return Finding(
        Kind.OVERDUE,
        Level.RED,
        f"办结期限 {case.due_date:%Y-%m-%d}，于 {ended:%Y-%m-%d} 办结，超期 {days} 个工作日",
    )


# --------------------------------------------------------------------------- steps


def review_step_overdue(case, today: dt.date) -> Finding | None:
    """审查环节超时: the step in hand (审查/审核 … 决定, the guide's ``Step``) has taken
    more working days than its ``time_limit_days``, counted from the event that
    started it (受理, the previous 审查, the end of a special step)."""
    if case.state != State.IN_REVIEW or case.item_version_id is None or _bundle_parent(case):
        return None
    steps = steps_of(case)
    if case.current_step >= len(steps):
        return None
    step = steps[case.current_step]
    started = _facts(case).step_started_at
    start = _local_day(started) if started is not None else case.accepted_on
    if start is None:
        return None
    used = calendar.workdays_between(start=start, end=today).count
    if used <= step.time_limit_days:
        return None
    return Finding(
        Kind.REVIEW_STEP_OVERDUE,
        Level.YELLOW,
        f"“{step.name}”环节时限 {step.time_limit_days} 个工作日，"
        f"自 {start:%Y-%m-%d} 起已用 {used} 个工作日",
    )


def special_step_overdue(case, today: dt.date) -> Finding | None:
    """特殊环节超时: a running 特殊环节 (§45) past the time limit of its catalogue
    entry (``SpecialStep.time_limit_days``). Ends when the step ends."""
    if case.state != State.SPECIAL_STEP:
        return None
    run = next(iter(_open_runs(case)), None)
    if run is None:
        return None
    limit = run.special_step.time_limit_days
    used = calendar.workdays_between(start=run.started_on, end=today).count
    if used <= limit:
        return None
    return Finding(
        Kind.SPECIAL_STEP_OVERDUE,
        Level.YELLOW,
        f"特殊环节“{run.name}”时限 {limit} 个工作日，自 {run.started_on:%Y-%m-%d} 起已用 {used} 个工作日",
    )


# --------------------------------------------------------------------------- facts


def deemed_acceptance(case, today: dt.date) -> Finding | None:
    """逾期视为受理 (行政许可法 §32): neither accepted nor told what to correct within
    five working days of receipt — accepted by law (the daily job, or staff
    accepting late)."""
    if not case.deemed_accepted_s32:
        return None
    return Finding(
        Kind.DEEMED_ACCEPTANCE,
        Level.RED,
        f"材料收到于 {case.materials_received_on:%Y-%m-%d}，"
        "未在法定期限内受理或一次性告知，依法视为受理",
    )


def repeated_correction(case, today: dt.date) -> Finding | None:
    """多次补正: 一次性告知补正 issued twice or more on one case (breaks 一次性告知)."""
    times = _facts(case).corrections
    if times < 2:
        return None
    return Finding(
        Kind.REPEATED_CORRECTION,
        Level.NOTICE,
        f"同一办件已 {times} 次告知补正，违反一次性告知要求",
    )


def _plain(text: str) -> str:
    """The reason without spaces and punctuation (what is counted and compared)."""
    return "".join(
        ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P")
    )


def weak_reason(case, today: dt.date) -> Finding | None:
    """理由不充分: a 不予受理, 不予许可 or 退件 whose reason is shorter than
    ``SUPERVISION_MIN_REASON_CHARS`` or is one of ``SUPERVISION_BOILERPLATE_REASONS``."""
    if case.state == State.REFUSED:
        what = "不予受理"
    elif case.result in FAILED_RESULTS:
        what = case.get_result_display()
    else:
        return None
    reason = _plain(case.result_reason or "")
    minimum = policy.get("SUPERVISION_MIN_REASON_CHARS")
    boilerplate = {_plain(p) for p in policy.get("SUPERVISION_BOILERPLATE_REASONS")}
    if reason in boilerplate:
        why = "为套话"
    elif len(reason) < minimum:
        why = f"不足 {minimum} 字"
    else:
        return None
    shown = (case.result_reason or "").strip()[:60] or "（空）"
    return Finding(Kind.WEAK_REASON, Level.NOTICE, f"{what}理由“{shown}”{why}")


def no_service_record(case, today: dt.date) -> Finding | None:
    """办结无送达记录: completed (or archived) with no 送达 event."""
    if case.state not in COMPLETED_STATES or _bundle_parent(case):
        return None
    if _facts(case).delivered:
        return None
    return Finding(Kind.NO_SERVICE_RECORD, Level.YELLOW, "办件已办结，但没有送达记录")


def fee_not_listed(case, today: dt.date) -> Finding | None:
    """收费不在收费清单内: a fee recorded on the case (``cases.CaseFee``, not cancelled)
    that is on none of the 收费项目 of the case's guide version (by the line it was
    charged under or by name), or any fee when the guide says 不收费. Holds while
    such a record stands; cancelling it (``cases.services.cancel_fee``) ends it."""
    fees = _fees(case)
    if not fees:
        return None
    version = case.item_version
    has_fee = bool(version is not None and version.has_fee)
    lines = _fee_lines(case) if has_fee else []
    off = case_selectors.off_list_fees(fees=fees, lines=lines, has_fee=has_fee)
    if not off:
        return None
    shown = "、".join(f"“{f.name}”{f.amount_yuan} 元" for f in off[:3])
    if len(off) > 3:
        shown += f" 等 {len(off)} 笔"
    if not has_fee:
        detail = f"办事指南为不收费，却登记收费{shown}"
    elif not lines:
        detail = f"登记收费{shown}，本事项办事指南未列收费清单"
    else:
        detail = f"登记收费{shown}，不在本事项收费清单内"
    return Finding(Kind.FEE_NOT_LISTED, Level.RED, detail)


RULES: tuple[Callable, ...] = (
    yellow_light,
    red_light,
    overdue,
    review_step_overdue,
    special_step_overdue,
    deemed_acceptance,
    repeated_correction,
    weak_reason,
    no_service_record,
    fee_not_listed,
)

# Facts: once found, never cleared (the services skip clearing them).
PERMANENT = frozenset(
    {Kind.DEEMED_ACCEPTANCE, Kind.REPEATED_CORRECTION, Kind.WEAK_REASON, Kind.NO_SERVICE_RECORD}
)


def findings(case, today: dt.date) -> dict[str, Finding]:
    """Every rule's finding on ``case`` as of ``today``, by kind."""
    if _bundle_parent(case):
        return {}
    found = {}
    for rule in RULES:
        f = rule(case, today)
        if f is not None:
            found[f.kind] = f
    return found
