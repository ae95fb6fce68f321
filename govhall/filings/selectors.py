"""Reads of 行政备案: the 备案清单 (what may be filed), the register a user may see
(``roles.visible_filter``, the one rule), one filing, its history, and the public
lookup of the progress page."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import ItemVersion, Material
from govhall.core import clock
from govhall.core.errors import NotFound

from . import roles
from .models import PENDING, Filing, FilingEvent

ON_FILING_LIST = catalog_selectors.ON_FILING_LIST


def filing_list(*, on: dt.date | None = None) -> QuerySet[ItemVersion]:
    """The 备案清单: the versions in force of the items that may be filed, by
    department and name, with their materials (two queries)."""
    return (
        catalog_selectors.current_versions(on=on)
        .filter(ON_FILING_LIST)
        .select_related("item__department")
        .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("order", "id")))
        .order_by("item__department__name", "name", "item_id")
    )


def visible_filings(*, user) -> QuerySet[Filing]:
    return Filing.objects.filter(roles.visible_filter(user)).select_related(
        "item", "item_version", "department", "centre"
    )


def filing_register(
    *,
    user,
    number: str = "",
    name: str = "",
    item: str = "",
    department: int | None = None,
    state: str = "",
    kind: str = "",
    channel: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    overdue: bool | None = None,
) -> QuerySet[Filing]:
    """备案登记簿: the filings ``user`` may see, filtered: ``number`` (备案编号 or 申报编号,
    a prefix), ``name`` (备案人, a substring), ``item`` (实施编码, or a substring of the
    事项名称), ``department``, ``state``, ``kind``, ``channel``, submitted between
    ``date_from`` and ``date_to`` (inclusive), ``overdue`` (超期未确认). Newest first."""
    qs = visible_filings(user=user)
    if number:
        number = number.strip().upper()
        qs = qs.filter(Q(number__startswith=number) | Q(tracking__startswith=number))
    if name:
        qs = qs.filter(filer_name__contains=name.strip())
    if item:
        qs = qs.filter(
            Q(item__implementation_code=item.strip().upper()) | Q(item_version__name__contains=item)
        )
    if department:
        qs = qs.filter(department_id=department)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if channel:
        qs = qs.filter(channel=channel)
    if date_from:
        qs = qs.filter(submitted_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(submitted_at__date__lte=date_to)
    if overdue is not None:
        late = Q(state__in=PENDING, due_date__lt=clock.today())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs.order_by("-submitted_at", "-id")


def _ref(value: str) -> str:
    return (value or "").strip().upper()[:20]


def filing_by_ref(*, user, ref: str) -> Filing:
    """One filing the user may see, by 备案编号 or 申报编号."""
    ref = _ref(ref)
    filing = visible_filings(user=user).filter(Q(number=ref) | Q(tracking=ref)).first()
    if filing is None:
        raise NotFound("没有该备案，或您无权查看", code="filing_not_found")
    return filing


def history(*, filing: Filing) -> QuerySet[FilingEvent]:
    return filing.events.order_by("at", "id").prefetch_related("attachments")


def overdue_count(*, user) -> int:
    return visible_filings(user=user).filter(state__in=PENDING, due_date__lt=clock.today()).count()


def filing_for_filer(*, ref: str, phone_tail: str) -> Filing:
    """The filer's own filing: 备案编号 or 申报编号 plus the last 4 digits of the phone
    given with it (as the case progress query). Any mismatch is the same NotFound."""
    tail = (phone_tail or "").strip()
    ref = _ref(ref)
    filing = (
        Filing.objects.select_related("item_version", "department", "centre")
        .filter(Q(number=ref) | Q(tracking=ref))
        .first()
        if ref
        else None
    )
    if filing is None or len(tail) != 4 or not filing.phone.endswith(tail):
        raise NotFound("未找到该备案，请核对编号和手机号后四位", code="filing_not_found")
    return filing
