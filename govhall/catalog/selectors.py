"""Reads of the catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Prefetch, Q, QuerySet

from govhall.core import clock
from govhall.core.errors import NotFound

from .models import (
    MATERIAL_FIELDS,
    SPECIAL_STEP_FIELDS,
    STEP_FIELDS,
    Item,
    ItemVersion,
    Material,
    SpecialStep,
    Step,
    VersionStatus,
)


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


# --- Excel 导出/导入 (catalog.excel) -----------------------------------------------


def _version_ids(versions) -> QuerySet | list[int]:
    """A subquery for a queryset (no parameter list, however large), else the pks."""
    if isinstance(versions, QuerySet):
        return versions.values("pk")
    return [v.pk for v in versions]


def versions_for_export(*, versions=None) -> list[ItemVersion]:
    """Versions to write to the 事项目录 workbook, ordered by 实施编码, in 6 queries.

    Each version gets ``export_materials`` / ``export_steps`` / ``export_special_steps``
    (lists of dicts of the ``*_FIELDS``) and ``export_life_events`` (主题 codes), so
    that 10,000 items export without one query per item. Default: current versions.
    """
    ids = _version_ids(current_versions() if versions is None else versions)
    result = list(
        ItemVersion.objects.filter(pk__in=ids)
        .select_related("item__department")
        .order_by("item__implementation_code", "number")
    )
    by_pk = {v.pk: v for v in result}
    for version in result:
        version.export_materials, version.export_steps, version.export_special_steps = [], [], []
        version.export_life_events = []
    for model, fields, attr in (
        (Material, MATERIAL_FIELDS, "export_materials"),
        (Step, STEP_FIELDS, "export_steps"),
        (SpecialStep, SPECIAL_STEP_FIELDS, "export_special_steps"),
    ):
        rows = (
            model.objects.filter(version_id__in=ids)
            .order_by("version_id", "order", "id")
            .values("version_id", *fields)
        )
        for row in rows:
            getattr(by_pk[row.pop("version_id")], attr).append(row)
    item_versions: dict[int, list[ItemVersion]] = {}
    for version in result:
        item_versions.setdefault(version.item_id, []).append(version)
    links = (
        Item.life_events.through.objects.filter(
            item_id__in=ItemVersion.objects.filter(pk__in=ids).values("item_id")
        )
        .order_by("lifeevent__code")
        .values_list("item_id", "lifeevent__code")
    )
    for item_id, code in links:
        for version in item_versions.get(item_id, ()):
            version.export_life_events.append(code)
    return result


@dataclass
class ImportBaseline:
    """What an import compares each row with (read in a fixed number of queries)."""

    items: dict[str, Item] = field(default_factory=dict)  # 实施编码 → Item
    current: dict[int, ItemVersion] = field(default_factory=dict)  # item id → 现行版本
    open: dict[int, ItemVersion] = field(default_factory=dict)  # item id → 未设失效日期的版本
    children: dict[int, tuple] = field(default_factory=dict)  # version id → (材料, 环节, 特殊环节)
    life_events: dict[int, frozenset[int]] = field(default_factory=dict)
    max_number: dict[int, int] = field(default_factory=dict)


def guide_children_key(rows: list[dict], fields: list[str]) -> tuple:
    """Children of a guide as a comparable tuple (rows in 序号 order)."""
    return tuple(tuple(row[f] for f in fields) for row in rows)


def import_baseline(*, on: dt.date | None = None) -> ImportBaseline:
    """Every item with its current and open published versions, their children,
    主题 and highest version number — what ``services.import_items`` needs."""
    on = on or clock.today()
    base = ImportBaseline()
    base.items = {item.implementation_code: item for item in Item.objects.all()}
    versions = ItemVersion.objects.filter(
        Q(status=VersionStatus.PUBLISHED), Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )
    for version in versions:
        if version.valid_to is None:
            base.open[version.item_id] = version
        if version.valid_from <= on:
            base.current[version.item_id] = version
    ids = versions.values("pk")
    grouped: dict[int, list[list]] = {}
    for index, (model, fields) in enumerate(
        ((Material, MATERIAL_FIELDS), (Step, STEP_FIELDS), (SpecialStep, SPECIAL_STEP_FIELDS))
    ):
        rows = (
            model.objects.filter(version_id__in=ids)
            .order_by("version_id", "order", "id")
            .values_list("version_id", *fields)
        )
        for row in rows:
            grouped.setdefault(row[0], [[], [], []])[index].append(tuple(row[1:]))
    base.children = {pk: tuple(tuple(part) for part in parts) for pk, parts in grouped.items()}
    links: dict[int, set[int]] = {}
    for item_id, event_id in Item.life_events.through.objects.values_list(
        "item_id", "lifeevent_id"
    ):
        links.setdefault(item_id, set()).add(event_id)
    base.life_events = {k: frozenset(v) for k, v in links.items()}
    base.max_number = dict(
        ItemVersion.objects.filter(number__isnull=False)
        .values("item_id")
        .annotate(m=Max("number"))
        .values_list("item_id", "m")
    )
    return base
