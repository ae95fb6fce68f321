"""Reads of the catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet

from govhall.core import clock
from govhall.core.errors import NotFound

from .models import GUIDE_CHILDREN, Item, ItemStatus, ItemType, ItemVersion, VersionStatus


def in_force(*, on: dt.date | None = None) -> Q:
    """现行: a published version whose ``[valid_from, valid_to)`` contains ``on``
    (default: today) — the one rule, as a condition to filter or annotate with."""
    on = on or clock.today()
    return (
        Q(status=VersionStatus.PUBLISHED)
        & Q(valid_from__lte=on)
        & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))
    )


def current_versions(*, on: dt.date | None = None) -> QuerySet[ItemVersion]:
    """Published versions in force on ``on`` (default: today) — one per item."""
    return ItemVersion.objects.filter(in_force(on=on))


# 中心可受理 (应进必进, 暂停/取消) as a filter on versions — the query twin of
# ``Item.accepting``.
ACCEPTING = Q(item__status=ItemStatus.ACTIVE, item__is_stationed=True, item__on_negative_list=False)

# On the 备案清单 (seed 4 备案 第三条、第四条): a 行政备案 item the centre accepts (在用,
# 进驻, not on the 负面清单) whose guide in force names its 备案类别 — one definition
# for what may be filed (``filings``) and the list published (``lists``).
ON_FILING_LIST = ACCEPTING & Q(item__type=ItemType.FILING) & ~Q(filing_kind="")


def search_items(
    *,
    q: str = "",
    department_id: int | None = None,
    type: str = "",
    life_event: str = "",
    level: str = "",
    accepting_only: bool = False,
    accepting: bool | None = None,
    on: dt.date | None = None,
) -> QuerySet[ItemVersion]:
    """The catalogue as current versions, with their items and departments.

    ``q`` is matched as a substring of name, keywords, department and result name,
    so two-character Chinese queries (户口, 社保, 营业) find what they should.
    ``accepting``: True — only items the hall accepts; False — only the others
    (暂停, 取消, 未进驻, 负面清单); ``accepting_only=True`` is short for True.
    """
    if accepting_only:
        accepting = True
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
    if accepting is not None:
        qs = qs.filter(ACCEPTING) if accepting else qs.exclude(ACCEPTING)
    return qs.order_by("item__department__name", "name")


def _department_contact(item: Item) -> str:
    dept = item.department
    parts = [
        f"地址：{dept.address}" if dept.address else "",
        f"电话：{dept.phone}" if dept.phone else "",
    ]
    contact = "，".join(p for p in parts if p)
    return f"{dept.name}（{contact}）" if contact else dept.name


def not_accepting(item: Item) -> str | None:
    """Why the centre does not accept ``item`` — ``cancelled``, ``suspended``,
    ``negative_list``, ``not_stationed`` — or ``None`` when it does (R-CAT-2): the one
    reading behind the intake refusal and the citizens' notice."""
    if item.status == ItemStatus.CANCELLED:
        return "cancelled"
    if item.status == ItemStatus.SUSPENDED:
        return "suspended"
    if item.on_negative_list:
        return "negative_list"
    if not item.is_stationed:
        return "not_stationed"
    return None


def not_accepted_notice(item: Item) -> str:
    """What a citizen is told when the centre does not accept ``item`` (空 when it
    does): the truth, and where to go instead — one wording for the guide and the
    online application page (R-PUBLIC-3, R-CAT-1, R-CAT-2)."""
    why = item.status_reason.strip()
    kind = not_accepting(item)
    if kind == "cancelled":
        return "该事项已取消，不再受理" + (f"（{why}）。" if why else "。")
    if kind == "suspended":
        return (
            "该事项暂停受理"
            + (f"：{why}。" if why else "。")
            + f"暂停期间不接受申请（窗口和网上均不受理）；恢复时间请咨询{_department_contact(item)}。"
        )
    if kind == "negative_list":
        reason = item.negative_list_reason.strip()
        return (
            "该事项列入负面清单，不进驻政务服务中心"
            + (f"（{reason}）" if reason else "")
            + f"。请到实施部门办理：{_department_contact(item)}。"
        )
    if kind == "not_stationed":
        return f"该事项未进驻政务服务中心，请到实施部门办理：{_department_contact(item)}。"
    return ""


def get_item(*, code: str) -> Item:
    try:
        return Item.objects.select_related("department").get(implementation_code=code.upper())
    except Item.DoesNotExist:
        raise NotFound(f"事项 {code} 不存在", code="item_not_found")


def staff_items(
    *,
    q: str = "",
    department=None,
    type: str = "",
    status: str = "",
    has_draft: bool | None = None,
    on_negative_list: bool | None = None,
) -> QuerySet[Item]:
    """事项目录 of the staff site: every item (drafts, suspended and cancelled ones
    included), each annotated ``has_draft``. ``q`` matches 实施编码, 基本编码 or any
    version's search text (substring, so 户口 finds 户口迁移登记)."""
    drafts = ItemVersion.objects.filter(item=OuterRef("pk"), status=VersionStatus.DRAFT)
    items = Item.objects.select_related("department").annotate(has_draft=Exists(drafts))
    for word in (q or "").lower().split():
        matching = ItemVersion.objects.filter(item=OuterRef("pk"), search_text__contains=word)
        items = items.filter(
            Q(implementation_code__icontains=word) | Q(basic_code__contains=word) | Exists(matching)
        )
    if department:
        items = items.filter(department=department)
    if type:
        items = items.filter(type=type)
    if status:
        items = items.filter(status=status)
    if has_draft is not None:
        items = items.filter(has_draft=has_draft)
    if on_negative_list is not None:
        items = items.filter(on_negative_list=on_negative_list)
    return items


def public_item(*, code: str) -> tuple[Item, list[ItemVersion], int | None]:
    """An item as the public sees it: the item, its published versions (newest first)
    and the id of the current one (None before the first takes effect).

    An item that was never published has no public guide, so it does not exist for
    the public (``item_not_found``) — its draft stays private.
    """
    item = get_item(code=code)
    published = list(version_history(item=item))
    if not published:
        raise NotFound(f"事项 {code} 不存在", code="item_not_found")
    current_id = current_versions().filter(item=item).values_list("pk", flat=True).first()
    return item, published, current_id


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
    for related, model, fields in GUIDE_CHILDREN:
        attr = f"export_{related}"
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
    for index, (_related, model, fields) in enumerate(GUIDE_CHILDREN):
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
