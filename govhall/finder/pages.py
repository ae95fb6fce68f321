"""Reads and rules behind the staff page 检索记录 (/staff/finder/): who may read the
search log, the log filtered, what was most often searched without a result, how
often a result was opened, and the item a keyword is to be added to.

The centre administrator and the electronic-supervision office read the log (the
supervision office reads and changes nothing, org.permissions); the keyword goes into
an item's draft through ``services.add_keyword``, whose catalogue rules decide who
may edit the item — here only the centre administrator is offered the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import Item
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed
from govhall.org import permissions
from govhall.org.models import Role

from .models import Channel, Search

REFUSED = "只有中心管理员和电子监察人员可以查看检索记录"


def may_view(user) -> bool:
    return permissions.is_centre_admin(user) or (
        permissions.active_staff(user, Role.SUPERVISOR) is not None
    )


def require_viewer(user) -> None:
    if not may_view(user):
        raise PermissionDenied(REFUSED)


def may_add_keyword(user) -> bool:
    """The form 补充关键词 is offered to the centre administrator (the catalogue's
    rules, in ``add_keyword``, decide in the end)."""
    return permissions.is_centre_admin(user)


@dataclass
class Filters:
    nothing: bool = False  # 只看无结果
    channel: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    def query(self) -> dict:
        out = {}
        if self.nothing:
            out["nothing"] = "1"
        if self.channel:
            out["channel"] = self.channel
        if self.start:
            out["start"] = self.start.isoformat()
        if self.end:
            out["end"] = self.end.isoformat()
        return out


def parse_filters(params, *, errors: list[str] | None = None) -> Filters:
    """The filters from the query string; a value that does not parse is left out
    (a malformed date is reported in ``errors``)."""
    from govhall.core import web

    channel = params.get("channel", "")
    return Filters(
        nothing=params.get("nothing") == "1",
        channel=channel if channel in Channel.values else "",
        start=web.query_date(params.get("start"), errors=errors, label="起始日期"),
        end=web.query_date(params.get("end"), errors=errors, label="截止日期"),
    )


def _dated(filters: Filters) -> QuerySet[Search]:
    qs = Search.objects.all()
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.start:
        qs = qs.filter(created_at__date__gte=filters.start)
    if filters.end:
        qs = qs.filter(created_at__date__lte=filters.end)
    return qs


def searches(filters: Filters) -> QuerySet[Search]:
    """The log, newest first, filtered."""
    qs = _dated(filters)
    if filters.nothing:
        qs = qs.filter(found=False)
    return qs.select_related("opened_item", "handled_by").order_by("-created_at", "-pk")


def unfound_summary(filters: Filters, *, limit: int = 15) -> list[dict]:
    """The queries most often searched without a result (same channel and dates),
    grouped by text: ``{"text", "count", "last", "handled"}``."""
    rows = (
        _dated(filters)
        .filter(found=False)
        .values("text")
        .annotate(
            count=Count("pk"),
            last=Max("created_at"),
            handled=Count("pk", filter=~Q(keyword_added="")),
        )
        .order_by("-count", "-last", "text")[:limit]
    )
    return list(rows)


def rates(filters: Filters) -> dict:
    """How many searches, how many found something, and how many of those the person
    then opened a guide of (打开率 = opened / found)."""
    qs = _dated(filters)
    data = qs.aggregate(
        total=Count("pk"),
        found=Count("pk", filter=Q(found=True)),
        opened=Count("pk", filter=Q(opened_item__isnull=False)),
    )
    data["nothing"] = data["total"] - data["found"]
    data["opened_rate"] = round(100 * data["opened"] / data["found"], 1) if data["found"] else None
    data["nothing_rate"] = (
        round(100 * data["nothing"] / data["total"], 1) if data["total"] else None
    )
    return data


def hit_names(rows) -> dict[str, str]:
    """实施编码 → the name in force, for the codes logged in ``rows``' hits."""
    codes = {code for row in rows for code in (row.hits or [])[:1]}
    if not codes:
        return {}
    versions = catalog_selectors.current_versions().filter(item__implementation_code__in=codes)
    return dict(versions.values_list("item__implementation_code", "name"))


def item_named(value: str) -> Item:
    """The item a keyword is for: by its 实施编码, or by the exact name of its guide in
    force (a name two items share asks for the code)."""
    value = (value or "").strip()
    if not value:
        raise ValidationFailed("请填写事项的实施编码或名称", code="item_required")
    item = Item.objects.select_related("department").filter(implementation_code=value).first()
    if item is not None:
        return item
    ids = list(
        catalog_selectors.current_versions()
        .filter(name=value)
        .values_list("item_id", flat=True)
        .distinct()[:2]
    )
    if not ids:
        raise NotFound(f"没有实施编码或名称为“{value}”的现行事项", code="item_not_found")
    if len(ids) > 1:
        raise ValidationFailed(f"有多个事项名为“{value}”，请填写实施编码", code="item_ambiguous")
    return Item.objects.select_related("department").get(pk=ids[0])


def reason_lines(reasons) -> list[str]:
    """The reasons of a hit as a page shows them: one line per label, its words
    joined, a word inside another of the same label left out (俗称/关键词：出生证明,
    not also 出生证)."""
    order: list[str] = []
    words: dict[str, list[str]] = {}
    for reason in reasons:
        if reason.label not in words:
            order.append(reason.label)
            words[reason.label] = []
        if reason.words and reason.words not in words[reason.label]:
            words[reason.label].append(reason.words)
    lines = []
    for label in order:
        kept = [w for w in words[label] if not any(w != o and w in o for o in words[label])]
        lines.append(f"{label}：{'、'.join(kept)}" if kept else label)
    return lines
