"""一件事一次办 definitions (Bundle / BundleItem): services and selectors.

A 一件事 bundles items of several departments that a citizen needs for one life or
business event (开办餐饮店、新生儿出生 …) so that they apply once, at one window, with
one form, and get one notice ([seed 2 §20]; standards.md 一件事, 国办发〔2022〕32号).
The 牵头部门 (lead department) coordinates it and owns the parent case.

Only the centre administrator defines bundles (``org.permissions.is_centre_admin``);
every change is audited (``core.audit.record``). Rules checked here, all with
Chinese messages beside the field:

* at least two items (one item is an ordinary application, not a 一件事);
* every item accepting (在用、进驻、不在负面清单) with a current guide, and its
  department stationed (进驻) in a centre — else the window could not accept it;
* the lead department is one of the items' departments.

The applications themselves go through ``services.submit_bundle_application``.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import Item
from govhall.core import audit
from govhall.core.errors import Conflict, NotFound, ValidationFailed
from govhall.org import permissions as org_permissions
from govhall.org.models import Department, Stationing

from .models import Bundle, BundleItem

MIN_ITEMS = 2
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


# --------------------------------------------------------------------------- selectors


def bundle_list(*, active_only: bool = False) -> QuerySet[Bundle]:
    """一件事 list with lead department and item count (two queries)."""
    qs = Bundle.objects.select_related("lead_department").annotate(
        item_count=Count("bundle_items", distinct=True)
    )
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("code")


def get_bundle(*, pk: int | None = None, code: str | None = None) -> Bundle:
    qs = Bundle.objects.select_related("lead_department").prefetch_related(
        Prefetch(
            "bundle_items",
            queryset=BundleItem.objects.select_related("item__department").order_by("order", "id"),
        )
    )
    bundle = qs.filter(pk=pk).first() if pk is not None else qs.filter(code=code or "").first()
    if bundle is None:
        raise NotFound("该一件事不存在", code="bundle_not_found")
    return bundle


def search_bundles(*, q: str) -> QuerySet[Bundle]:
    """Active bundles whose name, description or one of whose items matches every
    word of ``q`` — what the window desk's item search also shows (综合受理)."""
    qs = bundle_list(active_only=True)
    for word in (q or "").lower().split():
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(bundle_items__item__versions__search_text__contains=word)
        )
    return qs.distinct()


def bundle_parts(*, bundle: Bundle) -> list[dict]:
    """The bundle's items with their current guide version (materials prefetched),
    ordered by department then order: ``[{"item", "version", "department"}]``.
    ``version`` is ``None`` where the item has no guide in force."""
    rows = list(bundle.bundle_items.select_related("item__department").order_by("order", "id"))
    versions = {
        v.item_id: v
        for v in catalog_selectors.with_guide(
            catalog_selectors.current_versions().filter(item__in=[r.item_id for r in rows])
        )
    }
    parts = [
        {"item": r.item, "version": versions.get(r.item_id), "department": r.item.department}
        for r in rows
    ]
    lead = bundle.lead_department_id
    parts.sort(key=lambda p: (p["department"].pk != lead, p["department"].name))
    return parts


def bundle_item_choices() -> list[tuple[int, str]]:
    """Items that may join a bundle (accepting, with a current guide), for the editor."""
    versions = catalog_selectors.search_items(accepting_only=True)
    return [(v.item_id, f"{v.name}（{v.item.department.name}）") for v in versions]


# --------------------------------------------------------------------------- services


def _validate(
    *, code: str, name: str, lead_department: Department | None, items: list[Item]
) -> None:
    errors: dict[str, list[str]] = {}
    if not _CODE_RE.fullmatch(code or ""):
        errors["code"] = ["编码由小写字母、数字和连字符组成（2–40位），如 open-restaurant"]
    if not (name or "").strip():
        errors["name"] = ["名称必须填写"]
    ids = [i.pk for i in items]
    if len(set(ids)) != len(ids):
        errors.setdefault("items", []).append("同一事项不能重复加入")
    if len(set(ids)) < MIN_ITEMS:
        errors.setdefault("items", []).append(
            f"一件事至少包含{MIN_ITEMS}个事项（单个事项请按普通办件申请）"
        )
    current = set(
        catalog_selectors.current_versions().filter(item__in=ids).values_list("item_id", flat=True)
    )
    stationed = set(
        Stationing.objects.filter(
            department__in={i.department_id for i in items}, is_active=True
        ).values_list("department_id", flat=True)
    )
    for item in items:
        label = f"{item.implementation_code}（{item.department.name}）"
        if not item.accepting:
            errors.setdefault("items", []).append(f"事项 {label} 已暂停、取消或未进驻，不能加入")
        elif item.pk not in current:
            errors.setdefault("items", []).append(f"事项 {label} 没有现行有效的办事指南")
        if item.department_id not in stationed:
            errors.setdefault("items", []).append(f"{item.department.name}未进驻中心，不能加入")
    if lead_department is None:
        errors["lead_department"] = ["牵头部门必须选择"]
    elif items and lead_department.pk not in {i.department_id for i in items}:
        errors["lead_department"] = ["牵头部门必须是所含事项的实施部门之一"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(f"一件事设置有误：{first}", code="invalid_bundle", fields=errors)


def _snapshot(bundle: Bundle) -> dict:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "lead_department": bundle.lead_department_id,
        "description": bundle.description,
        "is_active": bundle.is_active,
        "bundle_items": list(
            bundle.bundle_items.order_by("order", "id").values_list(
                "item__implementation_code", flat=True
            )
        ),
    }


def _set_items(bundle: Bundle, items: list[Item]) -> None:
    bundle.bundle_items.exclude(item__in=items).delete()
    existing = {bi.item_id: bi for bi in bundle.bundle_items.all()}
    for order, item in enumerate(items, 1):
        row = existing.get(item.pk)
        if row is None:
            BundleItem.objects.create(bundle=bundle, item=item, order=order)
        elif row.order != order:
            row.order = order
            row.save(update_fields=["order"])


def _items(items) -> list[Item]:
    ids = [getattr(i, "pk", i) for i in items]
    found = {i.pk: i for i in Item.objects.select_related("department").filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ValidationFailed(
            "所选事项不存在", code="item_not_found", fields={"items": ["所选事项不存在"]}
        )
    return [found[pk] for pk in ids]


@transaction.atomic
def create_bundle(
    *,
    actor,
    code: str,
    name: str,
    lead_department: Department | None,
    items: list,
    description: str = "",
    is_active: bool = True,
    reason: str = "",
) -> Bundle:
    """Define a 一件事 (centre administrator only); audited as ``bundle.create``."""
    org_permissions.require(org_permissions.is_centre_admin(actor), "只有中心管理员可以设置一件事")
    code = (code or "").strip().lower()
    items = _items(items)
    _validate(code=code, name=name, lead_department=lead_department, items=items)
    if Bundle.objects.filter(code=code).exists():
        raise Conflict(
            f"编码 {code} 已被其他一件事使用",
            code="duplicate_bundle_code",
            fields={"code": ["该编码已被使用"]},
        )
    bundle = Bundle.objects.create(
        code=code,
        name=name.strip(),
        lead_department=lead_department,
        description=(description or "").strip(),
        is_active=is_active,
    )
    _set_items(bundle, items)
    after = _snapshot(bundle)
    audit.record(
        actor=actor,
        action="bundle.create",
        obj=bundle,
        changes={k: [None, v] for k, v in after.items()},
        reason=reason,
    )
    return bundle


@transaction.atomic
def update_bundle(
    *,
    actor,
    bundle: Bundle,
    name: str,
    lead_department: Department | None,
    items: list,
    description: str = "",
    is_active: bool = True,
    reason: str = "",
) -> Bundle:
    """Change a 一件事; cases already applied keep their children (the code stays)."""
    org_permissions.require(org_permissions.is_centre_admin(actor), "只有中心管理员可以设置一件事")
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    items = _items(items)
    _validate(code=bundle.code, name=name, lead_department=lead_department, items=items)
    before = _snapshot(bundle)
    bundle.name = name.strip()
    bundle.lead_department = lead_department
    bundle.description = (description or "").strip()
    bundle.is_active = is_active
    bundle.save()
    _set_items(bundle, items)
    changes = audit.diff(before, _snapshot(bundle))
    if changes:
        audit.record(
            actor=actor, action="bundle.update", obj=bundle, changes=changes, reason=reason
        )
    return bundle
