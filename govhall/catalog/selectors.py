"""Reads of the catalogue."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from govhall.core import clock
from govhall.core.errors import NotFound

from .models import Item, ItemVersion, VersionStatus


def current_versions(*, on: dt.date | None = None) -> QuerySet[ItemVersion]:
    """Published versions in force on ``on`` (default: today) — one per item."""
    on = on or clock.today()
    return ItemVersion.objects.filter(
        Q(status=VersionStatus.PUBLISHED),
        Q(valid_from__lte=on),
        Q(valid_to__isnull=True) | Q(valid_to__gt=on),
    )


def search_items(
    *,
    q: str = "",
    department_id: int | None = None,
    type: str = "",
    life_event: str = "",
    level: str = "",
    accepting_only: bool = False,
    on: dt.date | None = None,
) -> QuerySet[ItemVersion]:
    """The catalogue as current versions, with their items and departments.

    ``q`` is matched as a substring of name, keywords, department and result name,
    so two-character Chinese queries (户口, 社保, 营业) find what they should.
    """
    qs = current_versions(on=on).select_related("item", "item__department")
    for word in (q or "").lower().split():
        qs = qs.filter(search_text__contains=word)
    if department_id:
        qs = qs.filter(item__department_id=department_id)
    if type:
        qs = qs.filter(item__type=type)
    if life_event:
        qs = qs.filter(item__life_events__code=life_event)
    if level:
        qs = qs.filter(**{f"accept_at_{level}": True})
    if accepting_only:
        qs = qs.filter(item__status="active", item__is_stationed=True, item__on_negative_list=False)
    return qs.order_by("item__department__name", "name")


def get_item(*, code: str) -> Item:
    try:
        return Item.objects.select_related("department").get(implementation_code=code.upper())
    except Item.DoesNotExist:
        raise NotFound(f"事项 {code} 不存在", code="item_not_found")


def with_guide(qs: QuerySet[ItemVersion]) -> QuerySet[ItemVersion]:
    return qs.prefetch_related("materials", "steps", "special_steps")


def current_version(*, item: Item, on: dt.date | None = None) -> ItemVersion | None:
    return (
        with_guide(current_versions(on=on).filter(item=item))
        .select_related("item__department")
        .first()
    )


def draft_of(*, item: Item) -> ItemVersion | None:
    return with_guide(item.versions.filter(status=VersionStatus.DRAFT)).first()


def version_history(*, item: Item) -> QuerySet[ItemVersion]:
    return item.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number")


def get_version(*, item: Item, number: int) -> ItemVersion:
    version = with_guide(
        item.versions.filter(status=VersionStatus.PUBLISHED, number=number)
    ).first()
    if version is None:
        raise NotFound(
            f"事项 {item.implementation_code} 没有第{number}版", code="version_not_found"
        )
    return version


def items_with_current(*, items: QuerySet[Item]) -> QuerySet[Item]:
    return items.prefetch_related(
        Prefetch("versions", queryset=current_versions(), to_attr="current_list")
    )
