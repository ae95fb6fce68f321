"""The daily rules and the recomputations a calendar change needs. Each job is
idempotent (it selects only what is not yet handled) and returns the 受理编号 of the
cases it changed, so the command and the scheduler report what was done."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from govhall.calendar import selectors as calendar
from govhall.core import audit, clock, policy
from govhall.core.actors import SYSTEM
from govhall.core.errors import Conflict
from govhall.core.models import AuditEntry

from .. import deadlines, workflow
from ..models import OPEN_STATES, Case, State
from .bundles import sync_parent_deadline
from .events import announce, write_event
from .transition import transition

RECOMPUTE_DEADLINE = audit.Action("cases.case.recompute_deadline", "重算办结期限")


def apply_deemed_acceptance(*, today: dt.date | None = None) -> list[str]:
    """R-INTAKE-5 (行政许可法 §32): cases neither accepted nor sent a 补正 notice within
    5 working days of receipt count as accepted from receipt: flag them and start the
    clock. Returns the numbers of the cases deemed accepted."""
    today = today or clock.today()
    ordinal = calendar.workday_ordinal(day=today) - policy.get("INCOMPLETE_NOTICE_DAYS")
    if ordinal < 1:
        return []
    # Overdue ⇔ ordinal(received) < ordinal(today) - 5 ⇔ received < that working day.
    cutoff = calendar.date_of_ordinal(ordinal=ordinal)
    ids = list(
        Case.objects.filter(
            state=State.SUBMITTED,
            deemed_accepted_s32=False,
            materials_received_on__lt=cutoff,
            bundle__isnull=True,
        ).values_list("pk", flat=True)
    )
    done = []
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.state != State.SUBMITTED or not deadlines.s32_overdue(case, today):
                continue
            case.deemed_accepted_s32 = True
            case.accepted_on = case.materials_received_on
            case.version += 1
            deadlines.recompute(case)
            case.save()
            opinion = "收到材料后5个工作日内未告知补正，依法视为受理（行政许可法第三十二条）"
            event = write_event(
                case=case,
                action="deemed_acceptance",
                from_state=case.state,
                actor=SYSTEM,
                opinion=opinion,
                data={"accepted_on": case.accepted_on.isoformat()},
            )
            announce(case=case, event=event)
            audit.record(actor=SYSTEM, action=workflow.DEEMED_ACCEPTANCE, obj=case, reason=opinion)
            done.append(case.number)
    return done


def expire_tolerance_catchups(*, today: dt.date | None = None) -> list[str]:
    """R-INTAKE-4 (容缺): a catch-up deadline missed ends the case (终止 by the
    system, as the applicant's 承诺书 said). Returns the numbers of the cases ended."""
    today = today or clock.today()
    cases = Case.objects.filter(
        state__in=OPEN_STATES,
        tolerance_due__lt=today,
        materials__tolerated=True,
        materials__caught_up_at__isnull=True,
    ).distinct()
    done = []
    for pk in list(cases.values_list("pk", flat=True)):
        case = Case.objects.get(pk=pk)
        try:
            transition(
                actor=SYSTEM,
                case=case,
                action="terminate",
                expected_version=case.version,
                reason=f"容缺材料未在{case.tolerance_due:%Y年%m月%d日}前补齐，依承诺终止办理",
            )
        except Conflict:
            # Changed by someone between this read and the lock (caught up, closed …):
            # the next run judges it again; the other cases are not held up.
            continue
        done.append(case.number)
    return done


def recompute_provisional_deadlines(*, years: list[int]) -> list[str]:
    """A year's schedule was entered or edited (R-CLOCK-3): recompute the deadlines of
    open cases that were provisional or fall in those years. Returns the numbers of
    the cases whose deadline changed."""
    years = list(years)
    cases = list(
        Case.objects.filter(state__in=OPEN_STATES, accepted_on__isnull=False, bundle__isnull=True)
        .filter(
            Q(deadline_provisional=True)
            | Q(due_date__year__in=years)
            | Q(accepted_on__year__in=years)
        )
        .select_related("parent")
    )
    changed, entries = [], []
    for case in cases:
        before = (case.due_date, case.yellow_from, case.deadline_provisional)
        deadlines.recompute(case)
        if (case.due_date, case.yellow_from, case.deadline_provisional) != before:
            changed.append(case)
            entry = audit.record(
                save=False,
                actor=SYSTEM,
                action=RECOMPUTE_DEADLINE,
                obj=case,
                changes={
                    "due_date": [
                        before[0].isoformat() if before[0] else None,
                        case.due_date.isoformat(),
                    ]
                },
                reason=f"工作日历更新（{'、'.join(str(y) for y in years)}年）",
            )
            entries.append(entry)
    # One UPDATE and one INSERT for all the cases (not one audit INSERT per case).
    Case.objects.bulk_update(changed, ["due_date", "yellow_from", "deadline_provisional"])
    AuditEntry.objects.bulk_create(entries)
    for parent_id in sorted({c.parent_id for c in changed if c.parent_id}):
        sync_parent_deadline(Case(pk=parent_id))  # it needs only the parent's id
    return [c.number for c in changed]
