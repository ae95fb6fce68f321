"""Reads of cases: department lists by urgency, overdue counts, the public progress
query and the history. Each is a fixed number of queries (no N+1)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet

from govhall.core import clock
from govhall.core.errors import NotFound, PermissionDenied
from govhall.core.validators import mask_phone
from govhall.org import permissions as org_permissions
from govhall.org.models import Role

from . import deadlines, permissions
from .models import CLOSED_STATES, OPEN_STATES, Case, CaseEvent, IdempotencyKey, Light, State


def with_light(qs: QuerySet[Case], *, today: dt.date | None = None) -> QuerySet[Case]:
    """Annotate ``light`` (normal/yellow/red/overdue/paused/"") computed in SQL."""
    return qs.annotate(light=deadlines.light_expression(today))


def _list_related(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("item_version", "department", "centre", "responsible")


def department_cases(
    *,
    department,
    states: list[str] | None = None,
    light: str | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    due_before: dt.date | None = None,
    today: dt.date | None = None,
) -> QuerySet[Case]:
    """待办/在办 list of a department, most urgent first (earliest due date; cases
    without a deadline — not yet accepted — after them, oldest first)."""
    today = today or clock.today()
    qs = Case.objects.filter(department=department)
    qs = qs.filter(state__in=states) if states else qs.filter(state__in=OPEN_STATES)
    if light:
        qs = qs.filter(deadlines.light_filter(light, today))
    if received_from:
        qs = qs.filter(received_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(received_at__date__lte=received_to)
    if due_before:
        qs = qs.filter(due_date__lte=due_before)
    qs = with_light(_list_related(qs), today=today)
    return qs.order_by(F("due_date").asc(nulls_last=True), "received_at", "id")


def overdue_count(*, department, today: dt.date | None = None) -> int:
    """超期 cases of a department: one query on the (department, due_date) index."""
    return Case.objects.filter(
        deadlines.light_filter(Light.OVERDUE, today), department=department
    ).count()


def visible_cases(*, user) -> QuerySet[Case]:
    """Department isolation: what ``user`` may list."""
    qs = Case.objects.all()
    if org_permissions.is_centre_admin(user):
        return qs
    staff = org_permissions.staff_of(user)
    if staff is None or not staff.is_active:
        return qs.none()
    if staff.role == Role.SUPERVISOR:
        return qs
    if staff.role == Role.WINDOW_CLERK:
        return qs.filter(centre_id=staff.centre_id)
    return qs.filter(department_id=staff.department_id)


def case_by_number(*, number: str, user=None) -> Case:
    """A case by 受理编号; with ``user`` the department isolation applies."""
    case = (
        Case.objects.select_related(
            "item", "item_version", "department", "centre", "responsible", "bundle", "parent"
        )
        .filter(number=(number or "").strip())
        .first()
    )
    if case is None:
        raise NotFound(f"办件 {number} 不存在", code="case_not_found")
    if user is not None and not permissions.can_view_case(user, case):
        raise PermissionDenied("您无权查看该办件")
    return case


def case_history(*, case: Case, user) -> QuerySet[CaseEvent]:
    """办理记录, oldest first; 副卷 entries only for permitted roles."""
    qs = case.events.select_related("actor").prefetch_related("attachments", "documents")
    if not permissions.can_see_restricted(user, case):
        qs = qs.filter(restricted=False)
    return qs.order_by("at", "id")


def bundle_children(*, parent: Case) -> QuerySet[Case]:
    return with_light(_list_related(parent.children.all())).order_by("id")


def failed_children(*, parent: Case) -> QuerySet[Case]:
    """Children refused, denied, returned, withdrawn or terminated (shown on the parent)."""
    return parent.children.filter(
        state__in=[State.REFUSED, State.WITHDRAWN, State.TERMINATED]
    ) | parent.children.filter(result__in=["denied", "returned"])


_EVENT_LABELS = {"submit": "申请", "deemed_acceptance": "视为受理"}


def mask_name(name: str) -> str:
    """张三丰 → 张**; organisations keep the first 2 and last 2 characters."""
    name = name or ""
    if len(name) <= 1:
        return name
    if len(name) <= 4:
        return name[0] + "*" * (len(name) - 1)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


def public_progress(*, number: str, phone_tail: str) -> dict:
    """办件进度 for the public: 受理编号 + the last 4 digits of the phone. Returns only
    non-personal fields (masked name); any mismatch is the same NotFound."""
    case = (
        Case.objects.select_related("item_version", "department", "centre", "bundle")
        .filter(number=(number or "").strip())
        .first()
    )
    tail = (phone_tail or "").strip()
    if case is None or len(tail) != 4 or not case.applicant_phone.endswith(tail):
        raise NotFound("未找到该办件，请核对受理编号和手机号后四位", code="case_not_found")
    events = list(
        case.events.filter(restricted=False).order_by("at", "id").values("action", "to_state", "at")
    )
    from .workflow import TABLE

    return {
        "number": case.number,
        "item": case.item_version.name if case.item_version else case.bundle.name,
        "department": case.department.name,
        "centre": case.centre.name,
        "applicant": mask_name(case.applicant_name),
        "phone": mask_phone(case.applicant_phone),
        "state": case.state,
        "state_label": case.get_state_display(),
        "received_at": case.received_at,
        "accepted_on": case.accepted_on,
        "due_date": case.due_date,
        "result": case.get_result_display() if case.result else "",
        "closed": case.state in CLOSED_STATES,
        "steps": [
            {
                "action": e["action"],
                "label": TABLE[e["action"]].label
                if e["action"] in TABLE
                else _EVENT_LABELS.get(e["action"], e["action"]),
                "state_label": State(e["to_state"]).label,
                "at": e["at"],
            }
            for e in events
        ],
    }


def idempotency_key_used(*, key: str) -> bool:
    """Has a create request with this ``Idempotency-Key`` already been served?"""
    return IdempotencyKey.objects.filter(key=key).exists()
