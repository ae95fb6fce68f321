"""电子监察预警 services (issue 11 §1): evaluate the rules on a case and keep its
warnings in step — raise a warning for each new finding, clear the open ones whose
condition ended — audited, with the department's 首席代表 and the 承办人 told of each
new warning in their inbox.

* :func:`evaluate_case` — one case (the ``case_transitioned`` receiver's task);
* :func:`daily_run` — every open case and the recently closed ones (the morning
  schedule), in batches with the events and special-step runs prefetched.

Both are idempotent: a second run with nothing changed raises and clears nothing
(one open warning per case and kind, a unique constraint as well).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.urls import reverse

from govhall.cases.models import OPEN_STATES, Case, CaseEvent, SpecialStepRun, State
from govhall.catalog.models import Step
from govhall.core import actors, audit, clock, policy
from govhall.notifications.models import Channel
from govhall.notifications.services import Message, Recipient, notify
from govhall.org.models import Role, Staff

from . import rules
from .models import Warning

RAISE = audit.Action("supervision.warning.raise", "电子监察预警")
CLEAR = audit.Action("supervision.warning.clear", "解除电子监察预警")

BATCH = 500


@dataclass
class Outcome:
    raised: list[Warning] = field(default_factory=list)
    cleared: list[Warning] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.raised += other.raised
        self.cleared += other.cleared


def _clear_reason(case, kind: str) -> str:
    if not case.is_open:
        return f"办件{case.get_state_display()}"
    return "预警条件已消除"


def _evaluate(case, today: dt.date, open_warnings: list[Warning]) -> Outcome:
    found = rules.findings(case, today)
    now = clock.now()
    out = Outcome()
    have = {w.kind: w for w in open_warnings}
    for kind, w in have.items():
        if kind in found or kind in rules.PERMANENT:
            continue
        w.cleared_at = now
        w.clear_reason = _clear_reason(case, kind)
        w.save(update_fields=["cleared_at", "clear_reason"])
        audit.record(
            actor=actors.SYSTEM,
            action=CLEAR,
            obj=w,
            changes={"cleared_at": [None, now.isoformat()]},
            reason=w.clear_reason,
        )
        out.cleared.append(w)
    staff = case.responsible
    for kind, f in found.items():
        if kind in have:
            continue
        w = Warning(
            kind=kind,
            level=f.level,
            case=case,
            department_id=case.department_id,
            window_id=staff.window_id if staff else None,
            staff=staff,
            raised_at=now,
            raised_on=today,
            detail=f.detail,
        )
        try:
            with transaction.atomic():
                w.save()
        except IntegrityError:  # raised meanwhile by another run: nothing new
            continue
        audit.record(
            actor=actors.SYSTEM,
            action=RAISE,
            obj=w,
            changes={"kind": [None, kind], "level": [None, f.level]},
            reason=f.detail,
        )
        out.raised.append(w)
    return out


def _open_by_case(case_ids) -> dict[int, list[Warning]]:
    by_case: dict[int, list[Warning]] = {}
    for w in Warning.objects.filter(case_id__in=case_ids, cleared_at__isnull=True):
        by_case.setdefault(w.case_id, []).append(w)
    return by_case


def _with_facts(qs):
    return qs.select_related("responsible", "item_version").prefetch_related(
        Prefetch(
            "events",
            queryset=CaseEvent.objects.only("id", "case_id", "action", "at").order_by("at", "id"),
        ),
        Prefetch(
            "special_runs",
            queryset=SpecialStepRun.objects.filter(ended_at__isnull=True).select_related(
                "special_step"
            ),
        ),
    )


def _attach_steps(cases: list[Case]) -> None:
    """The 办理环节 of every case in review, one query for the batch
    (``rules.steps_of``)."""
    versions = {c.item_version_id for c in cases if c.state == State.IN_REVIEW}
    versions.discard(None)
    by_version: dict[int, list[Step]] = {v: [] for v in versions}
    for step in Step.objects.filter(version_id__in=versions).order_by("version_id", "order", "id"):
        by_version[step.version_id].append(step)
    for c in cases:
        if c.item_version_id in by_version:
            c.supervision_steps = by_version[c.item_version_id]


def evaluate_case(*, case: Case, today: dt.date | None = None) -> Outcome:
    """Run every rule on ``case`` as of ``today`` (default the clock's): raise the new
    warnings, clear those whose condition ended; the people concerned are told."""
    today = today or clock.today()
    fresh = _with_facts(Case.objects.filter(pk=case.pk)).get()
    with transaction.atomic():
        out = _evaluate(fresh, today, _open_by_case([fresh.pk]).get(fresh.pk, []))
        tell(warnings=out.raised)
    return out


def needs_evaluation(*, case: Case, today: dt.date | None = None) -> bool:
    """Would :func:`evaluate_case` raise or clear anything on ``case`` today? Reads
    only (the rules and the open warnings): the transition receiver asks it so that
    the many events that change no warning queue no task."""
    today = today or clock.today()
    fresh = _with_facts(Case.objects.filter(pk=case.pk)).first()
    if fresh is None:
        return False
    found = set(rules.findings(fresh, today))
    have = set(
        Warning.objects.filter(case_id=case.pk, cleared_at__isnull=True).values_list(
            "kind", flat=True
        )
    )
    return bool(found - have) or bool(have - found - rules.PERMANENT)


def cases_to_watch(*, today: dt.date):
    """Open cases, cases with an open warning, and cases closed in the last
    ``SUPERVISION_RECENT_DAYS`` days (the completion rules), bundle parents aside."""
    since = today - dt.timedelta(days=policy.get("SUPERVISION_RECENT_DAYS"))
    open_warned = Warning.objects.filter(cleared_at__isnull=True).values("case_id")
    return Case.objects.filter(
        Q(state__in=OPEN_STATES) | Q(closed_at__date__gte=since) | Q(pk__in=open_warned)
    ).exclude(bundle__isnull=False, parent__isnull=True)


def daily_run(*, today: dt.date | None = None) -> dict[str, int]:
    """The morning run (电子监察 每日): every case of :func:`cases_to_watch`, in
    batches of ``BATCH`` (events and runs prefetched, one transaction a batch).
    Returns the counts of cases looked at, warnings raised and cleared."""
    today = today or clock.today()
    ids = list(cases_to_watch(today=today).order_by("pk").values_list("pk", flat=True))
    total = Outcome()
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        with transaction.atomic():
            open_by_case = _open_by_case(chunk)
            batch = list(_with_facts(Case.objects.filter(pk__in=chunk)))
            _attach_steps(batch)
            for case in batch:
                total.add(_evaluate(case, today, open_by_case.get(case.pk, [])))
    if total.raised:
        with transaction.atomic():
            tell(warnings=total.raised)
    return {"cases": len(ids), "raised": len(total.raised), "cleared": len(total.cleared)}


# --------------------------------------------------------------------------- telling


def _detail_url(number: str) -> str:
    return reverse("cases:detail", args=[number])


def tell(*, warnings: list[Warning]) -> int:
    """Tell the department's 首席代表 and the 承办人 of each new warning (inbox), once
    per warning and person (``dedupe_key``)."""
    if not warnings:
        return 0
    depts = {w.department_id for w in warnings}
    chiefs: dict[int, list[tuple[int, str]]] = {}
    for dept, user_id, name in Staff.objects.filter(
        department__in=depts, role=Role.CHIEF_REP, is_active=True, user__is_active=True
    ).values_list("department_id", "user_id", "name"):
        chiefs.setdefault(dept, []).append((user_id, name))
    messages = []
    for w in warnings:
        people = dict(chiefs.get(w.department_id, []))
        if w.staff is not None and w.staff.is_active:
            people.setdefault(w.staff.user_id, w.staff.name)
        for user_id, name in people.items():
            messages.append(
                Message(
                    channel=Channel.INBOX,
                    template="supervision/warning",
                    to=Recipient(name=name, user_id=user_id),
                    context={
                        "number": w.case.number,
                        "kind": w.get_kind_display(),
                        "level": w.get_level_display(),
                        "detail": w.detail,
                    },
                    url=_detail_url(w.case.number),
                    key=f"supervision.warning:{w.pk}:u{user_id}",
                    ref=f"supervision.warning:{w.pk}",
                )
            )
    if not messages:
        return 0
    return notify(messages=messages, group=f"supervision.warnings:{warnings[0].pk}")
