"""Reads of the adjustment requests: the list (visibility, filters), one request, its
history, the late filings per department (supervision's evaluation reads
:func:`filing_timeliness`), and the items a department stopped accepting that still
have open cases (:func:`stopped_items_with_open_cases`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from govhall.cases.models import OPEN_STATES as CASE_OPEN_STATES
from govhall.cases.models import Case
from govhall.catalog.models import Item, ItemStatus
from govhall.core.errors import NotFound

from . import roles
from .models import AdjustmentRequest, RequestEvent


def request_list(
    *,
    user,
    state: str = "",
    kind: str = "",
    department: int | None = None,
    late: bool | None = None,
    q: str = "",
) -> QuerySet[AdjustmentRequest]:
    """The requests ``user`` may see (``roles.visible_filter``), newest first."""
    qs = AdjustmentRequest.objects.filter(roles.visible_filter(user)).select_related(
        "department", "item", "target_department"
    )
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if department:
        qs = qs.filter(department=department)
    if late is not None:
        qs = qs.filter(late=late)
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(item__implementation_code__icontains=q)
            | Q(item__versions__name__icontains=q)
        ).distinct()
    return qs.order_by("-created_at", "-id")


def request_by_number(*, user, number: str) -> AdjustmentRequest:
    r = (
        AdjustmentRequest.objects.filter(roles.visible_filter(user), number=number)
        .select_related(
            "department",
            "item__department",
            "target_department",
            "draft",
            "published_version",
            "created_by",
            "county_recorded_by",
        )
        .first()
    )
    if r is None:
        raise NotFound("没有该调整申请，或您无权查看", code="request_not_found")
    return r


def history(*, request: AdjustmentRequest) -> QuerySet[RequestEvent]:
    return request.events.prefetch_related("attachments").order_by("at", "id")


def item_names(*, items) -> dict[int, str]:
    """item id → the name of its newest published version (its draft's if never
    published). One query."""
    from govhall.catalog.models import ItemVersion

    rows = ItemVersion.objects.filter(item__in=items).order_by("item_id", "-status", "-number")
    out: dict[int, str] = {}
    for item_id, name in rows.values_list("item_id", "name"):
        out.setdefault(item_id, name)
    return out


def filing_timeliness(*, start: dt.date, end: dt.date) -> dict[int, dict]:
    """Per department, the requests first filed (提交) in ``[start, end]``: how many,
    and how many after their due date (逾期申请). One grouped query."""
    tz = timezone.get_current_timezone()
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz)
    rows = (
        AdjustmentRequest.objects.filter(submitted_at__gte=lo, submitted_at__lt=hi)
        .values("department_id")
        .annotate(
            filed=Count("id"),
            with_deadline=Count("id", filter=Q(due_date__isnull=False)),
            late=Count("id", filter=Q(late=True)),
        )
        .order_by()
    )
    return {
        r["department_id"]: {
            "filed": r["filed"],
            "with_deadline": r["with_deadline"],
            "late": r["late"],
        }
        for r in rows
    }


def stopped_items_with_open_cases(*, department_id: int | None = None) -> list[dict]:
    """取消 or 暂停 items (no longer accepted) whose open cases go on (达拉特旗 §17:
    cases already accepted are finished): each with its open cases, for the
    department's page. Two queries."""
    items = Item.objects.filter(status__in=(ItemStatus.CANCELLED, ItemStatus.SUSPENDED))
    if department_id:
        items = items.filter(department=department_id)
    cases = (
        Case.objects.filter(item__in=items, state__in=CASE_OPEN_STATES)
        .select_related("item", "department")
        .order_by("item_id", "due_date", "number")
    )
    if department_id:
        cases = cases.filter(department=department_id)
    out: dict[int, dict] = {}
    for case in cases:
        entry = out.setdefault(case.item_id, {"item": case.item, "cases": []})
        entry["cases"].append(case)
    return list(out.values())
