"""电子监察预警 services (issue 11 §1): evaluate the rules on a case and keep its
warnings in step — raise a warning for each new finding, clear the open ones whose
condition ended — audited, with the department's 首席代表 and the 承办人 told of each
new warning in their inbox.

* :func:`evaluate_case` — one case;
* :func:`evaluate_cases` — a batch of cases: the cases changed in the last second
  (the drain of ``drain.py``) and, batch after batch, :func:`daily_run`: every open
  case and the recently closed ones (the morning schedule).

Both are idempotent: a second run with nothing changed raises and clears nothing
(one open warning per case and kind, a unique constraint as well).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from govhall.cases.models import OPEN_STATES, Case, CaseFee, SpecialStepRun, State
from govhall.catalog.models import FeeLine, ItemVersion, Step
from govhall.core import actors, audit, clock, policy
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.files import check_attachments
from govhall.core.validators import clean_text
from govhall.notifications.models import Channel
from govhall.notifications.services import Message, Recipient, notify
from govhall.org import permissions
from govhall.org.models import Role, Staff

from . import rules
from .models import (
    OPEN_ORDER_STATES,
    Kind,
    Level,
    OrderAttachment,
    OrderState,
    SupervisionOrder,
    Warning,
)

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
    if kind == Kind.FEE_NOT_LISTED:
        return "清单外收费记录已撤销"
    if not case.is_open:
        return f"办件{case.get_state_display()}"
    return "预警条件已消除"


def _grouped(rows, key: str = "case_id") -> dict[int, list]:
    out: dict[int, list] = {}
    for row in rows:
        out.setdefault(getattr(row, key), []).append(row)
    return out


def _load_batch(case_ids) -> list[Case]:
    """The cases ``case_ids`` with every fact the rules read (``rules`` accessors):
    one query per kind of fact for the whole batch, grouped here, instead of
    ``prefetch_related``'s per-case querysets (half the morning run's time at 100,000
    open cases went into building those). The 承办人 and the guide versions are read
    once for the batch (a few dozen rows), not joined onto every case."""
    cases = list(Case.objects.filter(pk__in=case_ids))
    ids = [c.pk for c in cases]
    facts = rules.event_facts(ids)
    runs = _grouped(
        SpecialStepRun.objects.filter(case_id__in=ids, ended_at__isnull=True).select_related(
            "special_step"
        )
    )
    fees = _grouped(CaseFee.objects.filter(case_id__in=ids, cancelled_at__isnull=True))
    staff = Staff.objects.in_bulk({c.responsible_id for c in cases} - {None})
    versions = ItemVersion.objects.in_bulk({c.item_version_id for c in cases} - {None})
    lines = _grouped(
        FeeLine.objects.filter(
            version_id__in={c.item_version_id for c in cases if c.pk in fees}
        ).order_by("version_id", "order", "id"),
        key="version_id",
    )
    for case in cases:
        case.responsible = staff.get(case.responsible_id)
        case.item_version = versions.get(case.item_version_id)
        case.supervision_facts = facts.get(case.pk, rules.NO_EVENTS)
        case.supervision_runs = runs.get(case.pk, [])
        case.supervision_fees = fees.get(case.pk, [])
        case.supervision_fee_lines = lines.get(case.item_version_id, [])
    _attach_steps(cases)
    return cases


def _open_by_case(case_ids) -> dict[int, list[Warning]]:
    """The open warnings of ``case_ids``. Bounded by the batch's lowest and highest
    case as well: while a first morning run fills the warning table, PostgreSQL's
    statistics still call it nearly empty, and the plan they give tested every open
    warning against the whole ``IN`` list (0.23 s a batch at 60,000 warnings, half of
    that run; 16 ms with the bounds)."""
    if not case_ids:
        return {}
    return _grouped(
        Warning.objects.filter(
            case_id__in=case_ids,
            case_id__gte=min(case_ids),
            case_id__lte=max(case_ids),
            cleared_at__isnull=True,
        )
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


def _evaluate(cases: list[Case], today: dt.date, open_by_case) -> Outcome:
    """The rules on ``cases``: the warnings whose condition ended are cleared and the
    new ones raised, each with its audit row, in a few statements for the batch
    (one UPDATE per clearing reason, one INSERT of warnings, one of audit rows)."""
    now = clock.now()
    out = Outcome()
    cleared: dict[str, list[Warning]] = {}
    for case in cases:
        found = rules.findings(case, today)
        have = {w.kind: w for w in open_by_case.get(case.pk, [])}
        for kind, w in have.items():
            if kind in found or kind in rules.PERMANENT:
                continue
            w.cleared_at, w.clear_reason = now, _clear_reason(case, kind)
            cleared.setdefault(w.clear_reason, []).append(w)
        staff = case.responsible
        for kind, f in found.items():
            if kind not in have:
                out.raised.append(
                    Warning(
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
                )
    entries = []
    for reason, rows in cleared.items():
        Warning.objects.filter(pk__in=[w.pk for w in rows]).update(
            cleared_at=now, clear_reason=reason
        )
        change = {"cleared_at": [None, now.isoformat()]}
        entries += [
            audit.record(
                actor=actors.SYSTEM, action=CLEAR, obj=w, changes=change, reason=reason, save=False
            )
            for w in rows
        ]
        out.cleared += rows
    out.raised = _insert_warnings(out.raised)
    entries += [
        audit.record(
            actor=actors.SYSTEM,
            action=RAISE,
            obj=w,
            changes={"kind": [None, w.kind], "level": [None, w.level]},
            reason=w.detail,
            save=False,
        )
        for w in out.raised
    ]
    audit.AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return out


def _insert_warnings(rows: list[Warning]) -> list[Warning]:
    """Insert ``rows`` (one statement); when another run raised one of them meanwhile
    (one open warning per case and kind), insert them one by one and keep the ones
    that were new."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            return Warning.objects.bulk_create(rows, batch_size=1000)
    except IntegrityError:
        pass
    kept = []
    for w in rows:
        try:
            with transaction.atomic():
                w.save()
        except IntegrityError:  # raised meanwhile by another run: nothing new
            continue
        kept.append(w)
    return kept


def evaluate_case(*, case: Case, today: dt.date | None = None) -> Outcome:
    """Run every rule on ``case`` as of ``today`` (default the clock's): raise the new
    warnings, clear those whose condition ended; the people concerned are told."""
    today = today or clock.today()
    with transaction.atomic():
        out = evaluate_cases(case_ids=[case.pk], today=today)
        tell(warnings=out.raised)
    return out


def cases_to_watch(*, today: dt.date):
    """Open cases, cases with an open warning, and cases closed in the last
    ``SUPERVISION_RECENT_DAYS`` days (the completion rules), bundle parents aside."""
    since = today - dt.timedelta(days=policy.get("SUPERVISION_RECENT_DAYS"))
    midnight = timezone.make_aware(dt.datetime.combine(since, dt.time()))
    open_warned = Warning.objects.filter(cleared_at__isnull=True).values("case_id")
    return Case.objects.filter(
        Q(state__in=OPEN_STATES) | Q(closed_at__gte=midnight) | Q(pk__in=open_warned)
    ).exclude(bundle__isnull=False, parent__isnull=True)


def evaluate_cases(*, case_ids, today: dt.date) -> Outcome:
    """The rules on the cases ``case_ids`` as of ``today``, in one transaction (every
    fact read once for the batch, :func:`_load_batch`; the writes in a few
    statements, :func:`_evaluate`): the body of the daily run and of the drain of
    changed cases (``drain.py``). The new warnings are returned, not told: the
    caller tells them (:func:`tell`)."""
    with transaction.atomic():
        open_by_case = _open_by_case(case_ids)
        batch = [
            c
            for c in _load_batch(case_ids)
            if not (c.bundle_id is not None and c.parent_id is None)  # 一件事 parent
        ]
        return _evaluate(batch, today, open_by_case)


def daily_run(*, today: dt.date | None = None) -> dict[str, int]:
    """The morning run (电子监察 每日): every case of :func:`cases_to_watch`, in
    batches of ``BATCH`` (:func:`evaluate_cases`, one transaction a batch), then one
    预警日报 to each person concerned (:func:`tell_daily`) instead of a message per
    warning. Returns the counts of cases looked at, warnings raised and cleared."""
    today = today or clock.today()
    ids = list(cases_to_watch(today=today).order_by("pk").values_list("pk", flat=True))
    raised = cleared = 0  # counted, not kept: a first run may raise 100,000s
    for i in range(0, len(ids), BATCH):
        out = evaluate_cases(case_ids=ids[i : i + BATCH], today=today)
        raised, cleared = raised + len(out.raised), cleared + len(out.cleared)
    with transaction.atomic():
        tell_daily(today=today)
    return {"cases": len(ids), "raised": raised, "cleared": cleared}


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


DIGEST_NUMBERS = 5  # case numbers named in a 预警日报; the link lists them all


def _warnings_url(day: dt.date, *, mine: bool) -> str:
    url = f"{reverse('supervision:warnings')}?status=all&raised_on={day.isoformat()}"
    return url + "&mine=1" if mine else url


def tell_daily(*, today: dt.date) -> int:
    """预警日报: tell each department's 首席代表 how many warnings its cases got
    ``today`` (by level, the first case numbers, a link to the list), and each
    承办人 how many their own cases got — one message a person, not one a warning (a
    first run over 100,000 open cases raised 60,000 warnings: 120,000 messages, 3,000
    in one chief's inbox, and 40 % of the run). A chief who is also the 承办人 gets the
    department's. The key holds the day and the count, so a second run that raised
    nothing sends nothing, and one that raised more sends the new count."""
    rank = {Level.RED: 0, Level.YELLOW: 1, Level.NOTICE: 2}
    rows = sorted(
        Warning.objects.filter(raised_on=today).values_list(
            "department_id", "staff_id", "level", "case__number"
        ),
        key=lambda r: (rank.get(r[2], 3), r[3]),
    )
    if not rows:
        return 0
    by_dept: dict[int, list[tuple]] = {}
    by_staff: dict[int, list[tuple]] = {}
    for dept, staff_id, level, number in rows:
        by_dept.setdefault(dept, []).append((level, number))
        if staff_id is not None:
            by_staff.setdefault(staff_id, []).append((level, number))
    people = Staff.objects.filter(is_active=True, user__is_active=True)
    chiefs = people.filter(department__in=by_dept, role=Role.CHIEF_REP)
    messages, told = [], set()
    for scope, found, mine in [
        *((c, by_dept[c.department_id], False) for c in chiefs.select_related("department")),
        *((s, by_staff[s.pk], True) for s in people.filter(pk__in=by_staff)),
    ]:
        if scope.user_id in told:
            continue
        told.add(scope.user_id)
        levels = [level for level, _ in found]
        numbers = list(dict.fromkeys(number for _, number in found))
        shown = "、".join(numbers[:DIGEST_NUMBERS])
        if len(numbers) > DIGEST_NUMBERS:
            shown += f" 等 {len(numbers)} 件"
        messages.append(
            Message(
                channel=Channel.INBOX,
                template="supervision/daily",
                to=Recipient(name=scope.name, user_id=scope.user_id),
                context={
                    "day": today.isoformat(),
                    "whose": "您承办的办件" if mine else f"{scope.department.name}的办件",
                    "total": len(found),
                    "red": levels.count(Level.RED),
                    "yellow": levels.count(Level.YELLOW),
                    "notice": levels.count(Level.NOTICE),
                    "numbers": shown,
                },
                url=_warnings_url(today, mine=mine),
                key=f"supervision.daily:{today.isoformat()}:u{scope.user_id}:{len(found)}",
                ref=f"supervision.daily:{today.isoformat()}",
            )
        )
    return notify(messages=messages, group=f"supervision.daily:{today.isoformat()}")


# --------------------------------------------------------------------------- 督办 (§2)

ISSUE = audit.Action("supervision.order.issue", "下达督办单")
REPLY = audit.Action("supervision.order.reply", "回复督办单")
ACCEPT = audit.Action("supervision.order.accept", "督办回复办结")
RETURN = audit.Action("supervision.order.return", "退回督办回复")
ESCALATE = audit.Action("supervision.order.escalate", "督办逾期升级")


def _reply_due(start: dt.date) -> dt.date:
    from govhall.calendar import selectors as calendar

    days = int(policy.get("SUPERVISION_REPLY_DAYS"))
    return calendar.add_workdays(start=start, days=days).date


def _next_number(year: int) -> str:
    prefix = f"DB-{year}-"
    last = (
        SupervisionOrder.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:04d}"


def _text(value: str, field_name: str, label: str, *, required: bool = True) -> str:
    return clean_text(value, field=field_name, label=label, limit=4000, required=required)


def may_issue(user) -> bool:
    """督办 is issued by the supervision office or the centre administrator."""
    from . import selectors

    return selectors.sees_all(user)


def issue_order(*, actor, case: Case, subject: str, warning: Warning | None = None):
    """下达督办单 on ``case`` (or on one of its warnings) to the case's department; the
    reply is due ``SUPERVISION_REPLY_DAYS`` working days after today. The department's
    首席代表 is told. Changes nothing on the case."""
    if not may_issue(actor):
        raise PermissionDenied("只有电子监察人员和中心管理员可以下达督办单")
    if warning is not None and warning.case_id != case.pk:
        raise ValidationFailed("预警不属于该办件", code="warning_mismatch")
    if case.department_id is None:
        raise ValidationFailed("该办件没有办理部门，不能督办", code="no_department")
    subject = _text(subject, "subject", "督办事项")
    now = clock.now()
    today = clock.today()
    issuer = permissions.staff_of(actor)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                order = SupervisionOrder.objects.create(
                    number=_next_number(today.year),
                    case=case,
                    warning=warning,
                    department_id=case.department_id,
                    subject=subject,
                    issued_by=issuer,
                    issued_at=now,
                    reply_due=_reply_due(today),
                )
                audit.record(
                    actor=actor,
                    action=ISSUE,
                    obj=order,
                    changes={
                        "number": [None, order.number],
                        "reply_due": [None, str(order.reply_due)],
                    },
                    reason=subject,
                )
                _tell_order(order, event="下达", detail=f"{subject}。请于 {order.reply_due} 前回复")
            return order
        except IntegrityError:  # the number was taken meanwhile: draw the next one
            continue
    raise Conflict("督办编号冲突，请重试", code="number_conflict")


def _load(order) -> SupervisionOrder:
    return SupervisionOrder.objects.select_for_update().get(pk=order.pk)


def may_reply(user, order: SupervisionOrder) -> bool:
    staff = permissions.active_staff(user, Role.CHIEF_REP)
    return staff is not None and staff.department_id == order.department_id


def reply_order(
    *, actor, order: SupervisionOrder, explanation: str, measures: str, files=()
) -> SupervisionOrder:
    """The department's 首席代表 replies (情况说明, 整改措施, attachments)."""
    with transaction.atomic():
        order = _load(order)
        if not may_reply(actor, order):
            raise PermissionDenied("只有被督办部门的首席代表可以回复督办单")
        if order.state not in OPEN_ORDER_STATES:
            raise Conflict(f"督办单{order.get_state_display()}，不能回复", code="wrong_state")
        explanation = _text(explanation, "explanation", "情况说明")
        measures = _text(measures, "measures", "整改措施")
        files = check_attachments(files)
        now = clock.now()
        before = order.state
        order.explanation, order.measures = explanation, measures
        order.replied_by = permissions.staff_of(actor)
        order.replied_at = now
        order.state = OrderState.REPLIED
        order.save()
        for f in files:
            OrderAttachment.objects.create(
                order=order, name=(getattr(f, "name", "") or "附件")[:200], file=f, uploaded_at=now
            )
        audit.record(
            actor=actor,
            action=REPLY,
            obj=order,
            changes={"state": [before, order.state], "attachments": len(files)},
            reason=explanation[:200],
        )
        return order


def _review(actor, order, opinion: str, *, accept: bool) -> SupervisionOrder:
    with transaction.atomic():
        order = _load(order)
        if permissions.active_staff(actor, Role.SUPERVISOR) is None:
            raise PermissionDenied("只有电子监察人员可以审核督办回复")
        if order.state != OrderState.REPLIED:
            raise Conflict(
                f"督办单{order.get_state_display()}，没有待审核的回复", code="wrong_state"
            )
        opinion = _text(opinion, "opinion", "审核意见", required=not accept)
        before = order.state
        order.review_opinion = opinion
        order.reviewed_by = permissions.staff_of(actor)
        order.reviewed_at = clock.now()
        changes = {}
        if accept:
            order.state = OrderState.ACCEPTED
        else:
            order.state = OrderState.RETURNED
            order.returns += 1
            old_due = order.reply_due
            order.reply_due = _reply_due(clock.today())
            changes["reply_due"] = [str(old_due), str(order.reply_due)]
        order.save()
        changes["state"] = [before, order.state]
        audit.record(
            actor=actor,
            action=ACCEPT if accept else RETURN,
            obj=order,
            changes=changes,
            reason=opinion,
        )
        if not accept:
            _tell_order(order, event="退回", detail=f"{opinion}。请于 {order.reply_due} 前重新回复")
        return order


def accept_reply(*, actor, order: SupervisionOrder, opinion: str = "") -> SupervisionOrder:
    """The office accepts the reply: the order is done (已办结)."""
    return _review(actor, order, opinion, accept=True)


def return_reply(*, actor, order: SupervisionOrder, opinion: str) -> SupervisionOrder:
    """The office returns the reply (退回重办) with its opinion; a new reply deadline."""
    return _review(actor, order, opinion, accept=False)


def escalate_overdue(*, today: dt.date | None = None) -> int:
    """Orders waiting for a reply past ``reply_due`` are escalated (逾期升级: red,
    listed for the centre director — the centre administrator — who is told, with the
    department's 首席代表). Idempotent: an escalated order is not escalated again.
    Returns the number escalated now."""
    today = today or clock.today()
    now = clock.now()
    count = 0
    due = SupervisionOrder.objects.filter(
        state__in=OPEN_ORDER_STATES, reply_due__lt=today, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            order = (
                SupervisionOrder.objects.select_for_update()
                .select_related("case", "department")
                .get(pk=pk)
            )
            if order.escalated_at is not None or order.state not in OPEN_ORDER_STATES:
                continue
            order.escalated_at = now
            order.save(update_fields=["escalated_at"])
            audit.record(
                actor=actors.SYSTEM,
                action=ESCALATE,
                obj=order,
                changes={"escalated_at": [None, now.isoformat()]},
                reason=f"回复期限 {order.reply_due} 已过未回复",
            )
            _tell_order(
                order,
                event="逾期升级",
                detail=f"回复期限 {order.reply_due} 已过仍未回复，已升级报中心主任",
                director=True,
            )
            count += 1
    return count


def remind_due_orders(*, today: dt.date | None = None) -> int:
    """督办 replies due today or on the next working day: the department's 首席代表
    is reminded (提醒) in the inbox, once per order and deadline (the notification's
    key carries ``reply_due``: a second run the same day, or the next, tells nobody
    again; a returned order with a new deadline is reminded again). Returns the
    number of orders reminded now."""
    from govhall.calendar import selectors as calendar

    today = today or clock.today()
    tomorrow = calendar.add_workdays(start=today, days=1).date
    due = SupervisionOrder.objects.filter(
        state__in=OPEN_ORDER_STATES,
        reply_due__gte=today,
        reply_due__lte=tomorrow,
        escalated_at__isnull=True,
    ).select_related("case", "department")
    from govhall.notifications.models import Notification

    count = 0
    for order in due:
        event = f"回复期限{order.reply_due:%m月%d日}临近"
        reminded = Notification.objects.filter(
            ref=f"supervision.order:{order.pk}", context__event=event
        )
        if reminded.exists():
            continue
        when = "今日" if order.reply_due == today else "明日"
        detail = f"请于{when}（{order.reply_due}）前回复，逾期将升级报中心主任"
        count += 1 if _tell_order(order, event=event, detail=detail) else 0
    return count


def _tell_order(order: SupervisionOrder, *, event: str, detail: str, director: bool = False):
    people = Staff.objects.filter(
        department=order.department_id, role=Role.CHIEF_REP, is_active=True, user__is_active=True
    )
    if director:
        people = people | Staff.objects.filter(
            centre=order.case.centre_id,
            role=Role.CENTRE_ADMIN,
            is_active=True,
            user__is_active=True,
        )
    url = reverse("supervision:order", args=[order.number])
    messages = [
        Message(
            channel=Channel.INBOX,
            template="supervision/order",
            to=Recipient(name=name, user_id=user_id),
            context={
                "order": order.number,
                "number": order.case.number,
                "department": order.department.name,
                "event": event,
                "detail": detail,
            },
            url=url,
            key=f"supervision.order:{order.pk}:{event}:{order.returns}:u{user_id}",
            ref=f"supervision.order:{order.pk}",
        )
        for user_id, name in people.distinct().values_list("user_id", "name")
    ]
    if messages:
        notify(messages=messages, group=f"supervision.order:{order.pk}:{event}:{order.returns}")
    return len(messages)
