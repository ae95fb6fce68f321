"""一件事一次办 (R-BUNDLE-*): the definitions a centre administrator keeps, and how a
parent case and its children move together.

A 一件事 bundles items of several departments that a citizen needs for one life or
business event (开办餐饮店、新生儿出生 …) so that they apply once, at one window, with
one form, and get one notice (国办发〔2022〕32号). The 牵头部门 (lead department)
coordinates it and owns the parent case.

Definitions: only the centre administrator defines bundles; every change is audited.
Rules, all with Chinese messages beside the field: at least two items (one item is an
ordinary application); every item accepting with a current guide and its department
stationed in a centre — else the window could not accept it; the lead department is
one of the items' departments.

Cases: the parent's row in the transition table says what it does to the children
(``workflow.Cascade``); a child's closing flags the parent, its clock moves the
parent's deadline, and the last child closed completes the parent. Locks are taken
parent first (see ``transition``).
"""

from __future__ import annotations

import re

from django.db import transaction

from govhall.calendar import selectors as calendar
from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import Item
from govhall.core import audit, clock
from govhall.core.actors import SYSTEM
from govhall.core.errors import Conflict, ValidationFailed
from govhall.org.models import Department, Stationing

from .. import deadlines, roles, workflow
from ..models import (
    CLOSED_STATES,
    FAILED_RESULTS,
    FAILED_STATES,
    OPEN_STATES,
    Bundle,
    BundleItem,
    Case,
    SubmittedMaterial,
)
from . import transition as transitions

MIN_ITEMS = 2
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")

CREATE = audit.Action("cases.bundle.create", "新增一件事")
UPDATE = audit.Action("cases.bundle.update", "修改一件事")

# --------------------------------------------------------------------------- cases


def _failed(case: Case) -> bool:
    """Refused, withdrawn, terminated, denied or returned: shown on the parent."""
    return case.state in FAILED_STATES or case.result in FAILED_RESULTS


def sync_parent_deadline(parent: Case) -> None:
    """The parent is due when its last child is, accepted when its first child was."""
    dates = [d for d in parent.children.values_list("due_date", flat=True) if d]
    accepted = [d for d in parent.children.values_list("accepted_on", flat=True) if d]
    Case.objects.filter(pk=parent.pk).update(
        due_date=max(dates) if dates else None,
        yellow_from=max(dates) if dates else None,
        accepted_on=min(accepted) if accepted else None,
    )


def _cascade_to_children(row, parent: Case) -> None:
    cascade = row.children
    if cascade is None:
        return
    for child in parent.children.filter(state__in=OPEN_STATES):
        name = cascade.action
        if child.state not in workflow.TABLE[name].sources:
            name = cascade.fallback
        if name is None:
            continue
        reason = (
            {"reason": parent.result_reason} if "reason" in workflow.TABLE[name].input_names else {}
        )
        transitions.transition(
            actor=SYSTEM,
            case=child,
            action=name,
            expected_version=child.version,
            notify=cascade.child_notice,
            **reason,
        )
    sync_parent_deadline(parent)


def _follow_child(child: Case, *, clock_changed: bool) -> None:
    parent = Case.objects.select_for_update().get(pk=child.parent_id)
    if _failed(child) and not parent.child_failed:
        parent.child_failed = True
        parent.save(update_fields=["child_failed"])
    if clock_changed:
        sync_parent_deadline(parent)
    complete = workflow.TABLE["complete_bundle"]
    if (
        parent.state in complete.sources
        and not parent.children.exclude(state__in=CLOSED_STATES).exists()
    ):
        transitions.transition(
            actor=SYSTEM, case=parent, action=complete.action, expected_version=parent.version
        )


def after_transition(*, row, case: Case, clock_changed: bool) -> None:
    """Inside the transition's transaction: a parent drives its children, a child's
    parent follows it."""
    if case.is_bundle_parent:
        _cascade_to_children(row, case)
    elif case.parent_id is not None:
        _follow_child(case, clock_changed=clock_changed)
        if row.releases_supplies:
            for consumer in release_supplies(producer=case):
                _told_of_sibling_result(consumer, producer=case)


def _told_of_sibling_result(consumer: Case, *, producer: Case) -> None:
    """The consumer's record: the sibling's result arrived (event and audit entry)."""
    from .events import announce, write_event

    name = producer.item_version.name if producer.item_version_id else producer.number
    text = f"本一件事“{name}”已出具办理结果（{producer.result_number or producer.number}）"
    if not consumer.clock_paused:
        text += "，恢复计时"
    event = write_event(
        case=consumer,
        action="sibling_result",
        from_state=consumer.state,
        actor=SYSTEM,
        opinion=text,
        data={"producer": producer.number, "result_number": producer.result_number},
    )
    audit.record(actor=SYSTEM, action=workflow.SIBLING_RESULT, obj=consumer, reason=text)
    announce(case=consumer, event=event)


# --------------------------------------------------------------------------- R-BUNDLE-6

_QUOTES = "《》“”\"' 　"
_COPY_SUFFIXES = ("（复印件）", "（副本）", "复印件", "副本", "原件")


def _plain_name(name: str) -> str:
    """营业执照（副本）, 《营业执照》复印件 → 营业执照: the name a result and a material share."""
    plain = (name or "").strip().strip(_QUOTES)
    for suffix in _COPY_SUFFIXES:
        plain = plain.removesuffix(suffix)
    return plain.strip(_QUOTES)


def supplied_materials(versions: dict) -> dict[int, dict[int, int]]:
    """R-BUNDLE-6: which material of which item of a 一件事 is another item's result
    (its 结果名称, e.g. 个体工商户设立登记 → 营业执照, asked by 食品经营许可), by
    ``{consumer item pk: {material pk: producer item pk}}``. ``versions`` maps each
    item's pk to the version it is applied under."""
    results = {
        item: _plain_name(v.result_name)
        for item, v in versions.items()
        if v is not None and _plain_name(v.result_name)
    }
    supplied: dict[int, dict[int, int]] = {}
    for item, version in versions.items():
        if version is None:
            continue
        for material in version.materials.all():
            name = _plain_name(material.name)
            for producer, result in results.items():
                if producer != item and name == result:
                    supplied.setdefault(item, {})[material.pk] = producer
    return supplied


def record_supplies(*, children: dict, versions: dict, submitted: dict) -> None:
    """At 申请: each material a sibling will supply, and the applicant did not bring
    anyway, is recorded on the consumer as coming from that sibling (not asked, not
    missing at 受理; the decision waits for it, ``guards.sibling_results_issued``)."""
    now = clock.now()
    rows = []
    for item, materials in supplied_materials(versions).items():
        brought = {getattr(entry.get("material"), "pk", None) for entry in submitted.get(item, ())}
        by_pk = {m.pk: m for m in versions[item].materials.all()}
        for material_pk, producer in materials.items():
            if material_pk in brought:
                continue
            material = by_pk[material_pk]
            rows.append(
                SubmittedMaterial(
                    case=children[item],
                    material=material,
                    name=material.name,
                    copies=0,
                    submitted_at=now,
                    supplied_by=children[producer],
                )
            )
    SubmittedMaterial.objects.bulk_create(rows)


def release_supplies(*, producer: Case) -> list[Case]:
    """The producer's result is issued (制证): each consumer's material from it is
    marked provided; a consumer waiting for nothing else resumes its clock (the wait
    was paused like a 特殊环节 not counted in the limit). The consumers changed."""
    rows = list(SubmittedMaterial.objects.filter(supplied_by=producer, caught_up_at__isnull=True))
    if not rows:
        return []
    now = clock.now()
    SubmittedMaterial.objects.filter(pk__in=[r.pk for r in rows]).update(caught_up_at=now)
    changed = []
    for consumer in Case.objects.select_for_update().filter(pk__in={r.case_id for r in rows}):
        waiting = SubmittedMaterial.objects.filter(
            case=consumer, supplied_by__isnull=False, caught_up_at__isnull=True
        ).exists()
        if not waiting and consumer.clock_paused and consumer.paused_since is not None:
            if not consumer.special_runs.filter(ended_at__isnull=True).exists():
                days = calendar.workdays_between(start=consumer.paused_since, end=clock.today())
                consumer.paused_days += days.count
                consumer.clock_paused, consumer.paused_since = False, None
                deadlines.recompute(consumer)
                consumer.version += 1  # a page drawn before this is stale
                consumer.save(
                    update_fields=[
                        "version",
                        "paused_days",
                        "clock_paused",
                        "paused_since",
                        "due_date",
                        "yellow_from",
                        "deadline_provisional",
                    ]
                )
        changed.append(consumer)
    return changed


# --------------------------------------------------------------------------- definitions
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
    """Define a 一件事 (centre administrator only); audited as ``cases.bundle.create``."""
    roles.require_bundle_definer(actor)
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
        action=CREATE,
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
    roles.require_bundle_definer(actor)
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
        audit.record(actor=actor, action=UPDATE, obj=bundle, changes=changes, reason=reason)
    return bundle
