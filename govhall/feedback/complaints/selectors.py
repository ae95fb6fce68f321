"""Reads of 有诉即办 / 12345: the complaints a user may see (``roles.visible_filter``,
the one rule), one complaint, its history, the ids of a transition request turned
into objects, and the 知识库 search (the catalogue's substring search)."""

from __future__ import annotations

from django.db.models import QuerySet

from govhall.cases.models import Case
from govhall.catalog import selectors as catalog_selectors
from govhall.core import clock
from govhall.core.errors import NotFound, ValidationFailed
from govhall.org.models import Department, Staff

from . import roles, workflow
from .models import ANSWER_PENDING, Complaint, ComplaintEvent, KnowledgeEntry, State

URGENCY = ("due_date", "-received_at", "-id")


def visible_complaints(*, user) -> QuerySet[Complaint]:
    return Complaint.objects.filter(roles.visible_filter(user)).select_related(
        "department", "centre", "about_staff"
    )


def complaint_list(
    *,
    user,
    state: str = "",
    category: str = "",
    channel: str = "",
    department: int | None = None,
    overdue: bool | None = None,
) -> QuerySet[Complaint]:
    """The staff list: visible complaints, filtered, earliest deadline first (those
    without a deadline — not yet accepted — after them on both databases)."""
    from django.db.models import F

    qs = visible_complaints(user=user)
    if state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if channel:
        qs = qs.filter(channel=channel)
    if department:
        qs = qs.filter(department_id=department)
    if overdue is not None:
        late = {"state__in": ANSWER_PENDING, "due_date__lt": clock.today()}
        qs = qs.filter(**late) if overdue else qs.exclude(**late)
    return qs.order_by(F("due_date").asc(nulls_last=True), "-received_at", "-id")


def complaint_by_number(*, user, number: str) -> Complaint:
    complaint = visible_complaints(user=user).filter(number=(number or "")[:20]).first()
    if complaint is None:
        raise NotFound("没有该诉求，或您无权查看", code="complaint_not_found")
    return complaint


def history(*, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return complaint.events.order_by("at", "id").prefetch_related("attachments")


def _unknown(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=f"unknown_{name}", fields={name: [message]})


def resolve_inputs(*, complaint: Complaint, action: str, data: dict) -> dict:
    """The API's values for ``action`` as the objects ``services.transition`` takes:
    a department id or ``"centre"``, a staff id, a published 知识库 entry id, a
    受理编号. An unknown id is a 400 naming the field."""
    row = workflow.get(action)
    out = {}
    for spec in row.inputs:
        if spec.name not in data:
            continue
        value = data[spec.name]
        if value in (None, ""):
            out[spec.name] = (
                None
                if spec.kind
                not in (workflow.Kind.TEXT, workflow.Kind.LONG_TEXT, workflow.Kind.CHOICE)
                else ""
            )
            continue
        if spec.kind == workflow.Kind.HANDLER:
            if value == workflow.CENTRE:
                out[spec.name] = workflow.CENTRE
                continue
            dept = Department.objects.filter(pk=_int(value)).first() if _int(value) else None
            if dept is None:
                raise _unknown("handler", "承办单位应为部门 id 或 centre（中心）")
            out[spec.name] = dept
        elif spec.kind == workflow.Kind.STAFF:
            staff = Staff.objects.filter(pk=_int(value)).first() if _int(value) else None
            if staff is None:
                raise _unknown(spec.name, "没有该工作人员")
            out[spec.name] = staff
        elif spec.kind == workflow.Kind.ENTRY:
            entry = (
                KnowledgeEntry.objects.filter(pk=_int(value), published=True).first()
                if _int(value)
                else None
            )
            if entry is None:
                raise _unknown(spec.name, "没有该已发布的知识库条目")
            out[spec.name] = entry
        elif spec.kind == workflow.Kind.CASE:
            case = Case.objects.filter(number=str(value)[:40]).first()
            if case is None:
                raise _unknown(spec.name, "没有该受理编号的办件")
            out[spec.name] = case
        else:
            out[spec.name] = value
    return out


def _int(value) -> int | None:
    text = str(value)
    if text.isascii() and text.isdigit() and 0 < int(text) < 2**63:
        return int(text)
    return None


# --------------------------------------------------------------------------- 知识库


def search_knowledge(*, q: str = "", published_only: bool = True) -> QuerySet[KnowledgeEntry]:
    """知识库 search, the catalogue's way (``catalog.selectors.search_items``): every
    space-separated word must be a substring of the entry's lower-cased search text
    (question, keywords, answer, department, item), so 社保 or 营业执照 find what they
    should without a word tokenizer."""
    qs = KnowledgeEntry.objects.select_related("item", "department")
    if published_only:
        qs = qs.filter(published=True)
    for word in (q or "").lower().split()[:10]:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("question", "id")


def related_items(*, q: str, limit: int = 5):
    """Catalogue items matching the same words (``catalog.selectors.search_items``),
    so the answer can point to the guide (办事指南) itself."""
    if not (q or "").strip():
        return []
    return list(catalog_selectors.search_items(q=q, accepting_only=True)[:limit])


# --------------------------------------------------------------------------- 统计


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def statistics(*, start, end, user=None) -> dict:
    """诉求统计 over the complaints received from ``start`` to ``end`` (dates,
    inclusive), in two queries whatever the volume: by category, and by department
    (``None``: the centre, or not yet assigned) with the totals added up from them.

    * 按时答复率: answered by the due date ÷ (answered + still unanswered past it);
    * 满意率: 满意 ÷ evaluated (满意 + 不满意, the final evaluation);
    * 重办 / 退单: complaints reopened after a 不满意 / returned by a department.

    ``user``: only the complaints they may see (``roles.visible_filter``); without
    it, all (supervision's evaluation)."""
    import datetime as dt

    from django.db.models import Count, F, Q, Sum
    from django.utils import timezone

    from .models import Category, State

    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    qs = Complaint.objects.filter(received_at__gte=first, received_at__lt=after)
    if user is not None:
        qs = qs.filter(roles.visible_filter(user))
    today = clock.today()
    answered = Q(replied_at__isnull=False)
    measures = {
        "total": Count("id"),
        "answered": Count("id", filter=answered),
        "on_time": Count("id", filter=answered & Q(replied_at__date__lte=F("due_date"))),
        "overdue_open": Count("id", filter=Q(state__in=ANSWER_PENDING, due_date__lt=today)),
        "satisfied": Count("id", filter=Q(state=State.SATISFIED)),
        "unsatisfied": Count("id", filter=Q(state=State.UNSATISFIED)),
        "reopened": Sum("reopened_count"),
        "returned": Sum("returned_count"),
    }
    by_category = {
        row["category"]: row["n"]
        for row in qs.order_by().values("category").annotate(n=Count("id"))
    }
    rows = list(
        qs.order_by()
        .values("department", "department__name")
        .annotate(**measures)
        .order_by("department__name")
    )

    def finish(row: dict) -> dict:
        row = {k: (row.get(k) or 0) for k in measures}
        late_base = row["answered"] + row["overdue_open"]
        row["on_time_rate"] = _rate(row["on_time"], late_base)
        row["satisfaction_rate"] = _rate(row["satisfied"], row["satisfied"] + row["unsatisfied"])
        return row

    departments = [
        {
            "department": r["department"],
            "name": r["department__name"] or "中心（含未派单）",
            **finish(r),
        }
        for r in rows
    ]
    totals = finish({k: sum((r[k] or 0) for r in rows) for k in measures})
    return {
        "start": start,
        "end": end,
        "by_category": [
            {"category": value, "label": label, "count": by_category.get(value, 0)}
            for value, label in Category.choices
        ],
        "by_department": departments,
        "totals": totals,
    }


# --------------------------------------------------------------------------- 门户查询


def public_tracking(*, number: str, phone_tail: str) -> dict:
    """What the complainant sees on the portal's lookup: the state, the handling unit,
    the deadline, the reply and the steps — nothing personal, nobody else's. A wrong
    phone tail, a complaint without a phone, and an unknown number are the same
    ``NotFound`` (so a number cannot be confirmed by guessing)."""
    number = (number or "").strip().upper()[:20]
    tail = (phone_tail or "").strip()
    c = (
        Complaint.objects.select_related("department")
        .filter(number=number)
        .exclude(complainant_phone="")
        .first()
    )
    if c is None or len(tail) != 4 or not c.complainant_phone.endswith(tail):
        raise NotFound("未找到该诉求，请核对诉求编号和手机号后四位", code="complaint_not_found")
    labels = dict(State.choices)
    steps = [
        {"at": e.at, "label": workflow.event_label(e.action), "state": labels.get(e.to_state, "")}
        for e in c.events.order_by("at", "id")
        if e.action != "supervise"
    ]
    return {
        "number": c.number,
        "subject": c.subject,
        "category": c.get_category_display(),
        "state": c.state,
        "state_label": c.get_state_display(),
        "handler": c.handler_label or "待派单",
        "received_at": c.received_at,
        "due_date": c.due_date,
        "reply": c.reply if c.replied_at else "",
        "replied_at": c.replied_at,
        "steps": steps,
    }
