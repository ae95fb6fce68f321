"""Reads behind the public portal (政务服务网).

The portal shows only what the catalogue has *published*: it composes the catalogue
and organisation selectors and never writes. Counts are taken from the same
queryset the catalogue page filters, so "市场监督管理局 (12)" on the home page means
twelve results when the citizen clicks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.urls import reverse

from govhall.calendar.selectors import WorkdayResult
from govhall.cases import deadlines as case_deadlines
from govhall.cases import selectors as cases_selectors
from govhall.cases import services as cases_services
from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import (
    CaseType,
    Item,
    ItemType,
    ItemVersion,
    LifeEvent,
)
from govhall.core import clock
from govhall.core.errors import NotFound
from govhall.org import selectors as org_selectors
from govhall.org import site as org_site
from govhall.org.models import Centre, Level


@dataclass
class Facet:
    """One browse entry: a label, the query-string value and its item count."""

    value: str
    label: str
    count: int
    extra: dict = field(default_factory=dict)


def department_facets() -> list[Facet]:
    """按部门 — departments that have at least one current item, with counts."""
    counts = dict(
        catalog_selectors.search_items()
        .order_by()
        .values_list("item__department_id")
        .annotate(n=Count("id"))
    )
    return [
        Facet(value=str(d.pk), label=d.name, count=counts[d.pk])
        for d in org_selectors.department_list()
        if counts.get(d.pk)
    ]


def type_facets() -> list[Facet]:
    """按事项类型 — the full 事项类型 enumeration, in standard order, with counts."""
    counts = dict(
        catalog_selectors.search_items()
        .order_by()
        .values_list("item__type")
        .annotate(n=Count("id"))
    )
    return [
        Facet(value=value, label=label, count=counts.get(value, 0))
        for value, label in ItemType.choices
    ]


def life_event_facets() -> dict[str, list[Facet]]:
    """按主题 — 个人主题 / 法人主题, each life event with its current-item count."""
    counts = dict(
        catalog_selectors.search_items()
        .order_by()
        .filter(item__life_events__isnull=False)
        .values_list("item__life_events__code")
        .annotate(n=Count("id"))
    )
    groups: dict[str, list[Facet]] = {
        LifeEvent.Audience.PERSON.label: [],
        LifeEvent.Audience.COMPANY.label: [],
    }
    for event in LifeEvent.objects.all():
        label = LifeEvent.Audience(event.audience).label
        groups.setdefault(label, []).append(
            Facet(value=event.code, label=event.name, count=counts.get(event.code, 0))
        )
    return groups


def life_event_choices() -> list[LifeEvent]:
    return list(LifeEvent.objects.all())


def catalogue(
    *,
    q: str = "",
    department_id: int | None = None,
    type: str = "",
    life_event: str = "",
    level: str = "",
) -> QuerySet[ItemVersion]:
    """事项目录 as shown to citizens: current versions, searched and filtered.

    Unknown ``level`` values are ignored here (the view validates them); the
    catalogue selector does the substring search (2-char Chinese queries work).
    """
    if level not in Level.values:
        level = ""
    return catalog_selectors.search_items(
        q=q, department_id=department_id, type=type, life_event=life_event, level=level
    )


@dataclass
class Found:
    """事项目录 for a query: the finder's answer (``finding``) and its hits that pass
    the page's filters, best first (``hits``)."""

    finding: object
    hits: list
    filtered: bool = False  # the filters left out some of the finder's hits


FIND_LIMIT = 20


def find_items(
    *,
    q: str,
    department_id: int | None = None,
    type: str = "",
    life_event: str = "",
    level: str = "",
) -> Found:
    """事项目录 searched by the finder (说说您要办什么, ``channel="portal"``), its
    hits kept when they pass the department / type / life event / level filters.

    Raises ``ValidationFailed`` (``query_too_long``) for a query over 100 characters.
    """
    from govhall.finder import pages as finder_pages
    from govhall.finder import selectors as finder_selectors

    filters = {"department_id": department_id, "type": type, "life_event": life_event}
    filters["level"] = level if level in Level.values else ""
    narrowed = any(filters.values())
    finding = finder_selectors.find(
        q=q, channel="portal", limit=finder_selectors.LIMIT_MAX if narrowed else FIND_LIMIT
    )
    hits = finding.hits
    if narrowed and hits:
        allowed = set(
            catalog_selectors.search_items(**filters)
            .filter(pk__in=[h.version.pk for h in hits])
            .values_list("pk", flat=True)
        )
        hits = [h for h in hits if h.version.pk in allowed]
    for hit in hits:
        hit.why = finder_pages.reason_lines(hit.reasons)
    return Found(finding=finding, hits=hits[:FIND_LIMIT], filtered=len(hits) < len(finding.hits))


def consultation_phone() -> str:
    """The county centre's 咨询电话 (shown when a search finds nothing)."""
    return org_site.county_centre_phone()


def negative_list_count() -> int:
    """How many items the 负面清单 page lists (one COUNT, for the home page link)."""
    return Item.objects.filter(on_negative_list=True).count()


@dataclass
class Guide:
    """Everything the guide page shows for one version of one item."""

    item: Item
    version: ItemVersion
    current: ItemVersion | None
    history: list[ItemVersion]
    notice: str
    centres: dict[str, list[Centre]]
    time_note: str = ""
    version_note: str = ""
    steps_total_days: int = 0
    # 在线申请: the application page of the item, when it is offered online now (the
    # same check as the application itself, ``cases.services.online_version``).
    apply_url: str = ""
    # 承诺时限 as a date: when a case accepted today (or on the next working day) falls
    # due (``cases.deadlines.due_if_accepted``); None for an older version, a 即办件, or
    # an item without a promised limit
    due_if_accepted_today: WorkdayResult | None = None


def _centres_by_level(levels: list[str]) -> dict[str, list[Centre]]:
    """Where the citizen may apply: active centres of each accepting level."""
    result: dict[str, list[Centre]] = {}
    if not levels:
        return result
    for centre in org_selectors.centre_list().filter(level__in=levels, is_active=True):
        result.setdefault(Level(centre.level).label, []).append(centre)
    ordered = {}
    for level in Level:
        if level.label in result:
            ordered[level.label] = result[level.label]
    return ordered


def guide(*, code: str, number: int | None = None) -> Guide:
    """办事指南 of an item: the current version, or version ``number``.

    Raises ``NotFound`` for unknown codes, unknown version numbers and items that
    have no version in force (a draft is never shown to the public).
    """
    item = catalog_selectors.get_item(code=code)
    current = catalog_selectors.current_version(item=item)
    if number is None:
        if current is None:
            raise NotFound(f"事项 {code} 暂无现行办事指南", code="no_current_version")
        version = current
    else:
        version = catalog_selectors.get_version(item=item, number=number)
    today = clock.today()
    version_note = ""
    if current is None or version.pk != current.pk:
        if version.valid_from > today:
            version_note = f"此为第{version.number}版，将于{version.valid_from:%Y年%m月%d日}起施行，尚未生效，不是现行版本。"
        else:
            until = f"，已于{version.valid_to:%Y年%m月%d日}停止施行" if version.valid_to else ""
            version_note = (
                f"此为第{version.number}版（{version.valid_from:%Y年%m月%d日}起施行{until}），"
                "不是现行版本，仅供查阅已受理办件所依据的指南。"
            )
    if version.case_type == CaseType.INSTANT:
        time_note = "即办件：材料齐全、符合法定形式的，当场办结。"
    else:
        time_note = ""
    return Guide(
        item=item,
        version=version,
        current=current,
        history=list(catalog_selectors.version_history(item=item)),
        notice=catalog_selectors.not_accepted_notice(item),
        centres=_centres_by_level(version.accept_levels),
        time_note=time_note,
        version_note=version_note,
        steps_total_days=sum(s.time_limit_days for s in version.steps.all()),
        apply_url=_apply_url(item) if current is not None and version.pk == current.pk else "",
        due_if_accepted_today=_due_today(version)
        if version.pk == getattr(current, "pk", None)
        else None,
    )


def _due_today(version: ItemVersion) -> WorkdayResult | None:
    if not case_deadlines.limit_of(version):  # 即办件, or no promised limit
        return None
    return case_deadlines.due_if_accepted(version=version)


def _apply_url(item: Item) -> str:
    """The online application page of ``item``, or "" when it is not offered online."""
    if cases_services.online_version(item=item) is None:
        return ""
    return reverse("cases_public:apply", args=[item.pk])


# --- 一件事一次办 ------------------------------------------------------------------


@dataclass
class BundleGuide:
    """The public guide of a 一件事: its items (each with its own guide), every
    material once, the longest promised limit, and where it is applied for."""

    bundle: object
    parts: list[dict]
    materials: list[dict]
    longest_promise: int | None
    centres: dict[str, list[Centre]]
    apply_url: str = ""  # 网上一次申请, when every item is offered online


def bundles() -> list:
    """Active 一件事 with their lead department and item count (the portal's list)."""
    return list(cases_selectors.bundle_list(active_only=True))


def bundle_guide(*, code: str) -> BundleGuide:
    """一件事 guide page; ``NotFound`` for unknown or inactive bundles."""
    bundle = cases_selectors.get_bundle(code=code)
    if not bundle.is_active:
        raise NotFound("该一件事已停用", code="bundle_not_found")
    parts = cases_selectors.bundle_parts(bundle=bundle)
    supplied = cases_selectors.bundle_supplies(parts=parts)
    materials: dict[str, dict] = {}
    for part in parts:
        version = part["version"]
        if version is None:
            continue
        own = supplied.get(part["item"].pk, {})
        for material in version.materials.all():
            if material.pk in own:  # R-BUNDLE-6: the bundle produces it itself
                part.setdefault("supplied", []).append((material.name, own[material.pk]))
                continue
            entry = materials.setdefault(
                material.name, {"name": material.name, "items": [], "required": False}
            )
            entry["items"].append(version.name)
            entry["required"] = entry["required"] or material.required
    promises = [
        p["version"].promised_limit_days
        for p in parts
        if p["version"] is not None and p["version"].promised_limit_days is not None
    ]
    return BundleGuide(
        bundle=bundle,
        parts=parts,
        materials=list(materials.values()),
        longest_promise=max(promises) if promises else None,
        centres=_centres_by_level([Level.COUNTY]),
        apply_url=(
            reverse("cases_public:apply_bundle", args=[bundle.code])
            if cases_services.bundle_online_versions(bundle=bundle) is not None
            else ""
        ),
    )
