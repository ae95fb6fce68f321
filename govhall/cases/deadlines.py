"""The legal clock of a case (办结时限).

Due date = 受理日期 + 承诺时限 + paused working days (特殊环节 not counted in the limit,
行政许可法 §45) + extension (延期, §42), all in working days with the acceptance day not
counted (§82); 即办件 are due the day they are accepted. The dates are stored on the
case (``due_date``, ``yellow_from``) so that lists filter and sort in SQL; the light
is computed from them and today, in Python (:func:`light_of`) or in SQL
(:func:`light_expression`). Only ``govhall.calendar`` counts days.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Case as SqlCase
from django.db.models import CharField, Q, Value, When

from govhall.calendar import selectors as calendar
from govhall.catalog.models import CaseType
from govhall.core import clock, policy

from .models import CLOSED_STATES, OPEN_STATES, Light


def limit_of(version) -> int:
    """承诺时限 (working days) of a case of ``version``: 0 for a 即办件, due the day it is
    accepted."""
    return 0 if version.case_type == CaseType.INSTANT else version.promised_limit_days or 0


def due_if_accepted(*, version, on: dt.date | None = None) -> calendar.WorkdayResult:
    """The day a case of ``version`` falls due by its 承诺时限 if accepted on ``on``
    (today by default; a day the centre is closed → the next working day, when it can
    first be accepted): what a guide tells a citizen before they apply. ``provisional``
    when it rests on a 推算 year."""
    day = on or clock.today()
    if not calendar.is_workday(day=day):
        day = calendar.next_workday(day=day)
    return calendar.add_workdays(start=day, days=limit_of(version))


def yellow_used_days(total: int) -> int:
    """Working days used at which the light turns yellow (80% of ``total``)."""
    ratio = policy.get("YELLOW_USED_RATIO")
    return math.ceil(round(ratio * total, 6))


def s32_deadline(case) -> dt.date:
    """Last day to accept or issue the 一次性告知 (行政许可法 §32: 5 working days)."""
    days = policy.get("INCOMPLETE_NOTICE_DAYS")
    return calendar.add_workdays(start=case.materials_received_on, days=days).date


def s32_overdue(case, today: dt.date | None = None) -> bool:
    return (today or clock.today()) > s32_deadline(case)


def recompute(case) -> None:
    """Set ``due_date``, ``yellow_from`` and ``deadline_provisional`` (not saved).

    A case not yet accepted (and not deemed accepted) has no deadline. A 一件事 parent
    takes the latest deadline of its children (set by the services).
    """
    if case.accepted_on is None or case.is_bundle_parent:
        if case.accepted_on is None:
            case.due_date = case.yellow_from = None
            case.deadline_provisional = False
        return
    total = case.limit_days + case.extension_days
    due = calendar.add_workdays(start=case.accepted_on, days=total + case.paused_days)
    case.due_date = due.date
    case.deadline_provisional = due.provisional
    if total == 0:
        case.yellow_from = due.date
        return
    used_80 = calendar.add_workdays(
        start=case.accepted_on, days=yellow_used_days(total) + case.paused_days
    ).date
    left = max(0, workday_ordinal(due.date) - policy.get("YELLOW_DAYS_LEFT"))
    one_left = calendar.date_of_ordinal(ordinal=left) if left else case.accepted_on
    case.yellow_from = max(case.accepted_on, min(used_80, one_left))


def workday_ordinal(day: dt.date) -> int:
    return calendar.workday_ordinal(day=day)


def remaining_workdays(case, today: dt.date | None = None) -> int | None:
    """Working days left until the due date (0 on the due date, negative when overdue)."""
    if case.due_date is None:
        return None
    today = today or clock.today()
    if today <= case.due_date:
        return calendar.workdays_between(start=today, end=case.due_date).count
    return -calendar.workdays_between(start=case.due_date, end=today).count


def light_of(case, today: dt.date | None = None) -> str:
    """正常 / 黄灯 / 红灯 (due today) / 超期, or 暂停计时 while a special step pauses it."""
    today = today or clock.today()
    if case.state in CLOSED_STATES or case.due_date is None:
        return Light.NONE
    if case.clock_paused:
        return Light.PAUSED
    if today > case.due_date:
        return Light.OVERDUE
    if today == case.due_date:
        return Light.RED
    if case.yellow_from is not None and today >= case.yellow_from:
        return Light.YELLOW
    return Light.NORMAL


def light_expression(today: dt.date | None = None) -> SqlCase:
    """The same rule as :func:`light_of` as an SQL expression (for ``annotate``)."""
    today = today or clock.today()
    return SqlCase(
        When(Q(state__in=CLOSED_STATES) | Q(due_date__isnull=True), then=Value(Light.NONE)),
        When(clock_paused=True, then=Value(Light.PAUSED)),
        When(due_date__lt=today, then=Value(Light.OVERDUE)),
        When(due_date=today, then=Value(Light.RED)),
        When(yellow_from__lte=today, then=Value(Light.YELLOW)),
        default=Value(Light.NORMAL),
        output_field=CharField(),
    )


def light_filter(light: str, today: dt.date | None = None) -> Q:
    """A ``Q`` selecting the cases with ``light`` — index-friendly (no annotation)."""
    today = today or clock.today()
    # ``state IN (open states)`` (not ``NOT IN closed``) so PostgreSQL uses the partial
    # index ``case_open_dept_due``.
    running = Q(state__in=OPEN_STATES) & Q(due_date__isnull=False)
    if light == Light.PAUSED:
        return running & Q(clock_paused=True)
    running &= Q(clock_paused=False)
    if light == Light.OVERDUE:
        return running & Q(due_date__lt=today)
    if light == Light.RED:
        return running & Q(due_date=today)
    if light == Light.YELLOW:
        return running & Q(due_date__gt=today, yellow_from__lte=today)
    if light == Light.NORMAL:
        return running & Q(due_date__gt=today) & (Q(yellow_from__gt=today) | Q(yellow_from=None))
    return Q(state__in=CLOSED_STATES) | Q(due_date__isnull=True)
