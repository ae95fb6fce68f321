"""授权书事项 — the items a chief representative's authorisation covers and the
approvers named for each (docs/domain-rules.md R-ORG-5: "re-signed when items change").

The 授权书 itself is an org record (``org.services.create/update(model=Authorisation)``);
the per-item part lives here because items belong to the catalogue (catalog sits
above org). Reads and writes are both here, HackSoft style: writes are keyword-only,
one transaction, audited on the authorisation so its page shows one trail.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from govhall.core import audit
from govhall.core.errors import Conflict, ValidationFailed
from govhall.org import permissions
from govhall.org.models import Authorisation, Department, Role, Staff

from .models import AuthorisedItem, Item, ItemStatus, ItemVersion

APPROVER_ROLES = (Role.APPROVER, Role.CHIEF_REP)

# Audit actions written here, on the 授权书 (so its page shows one trail).
AUTHORISE_ITEM = audit.Action("catalog.authorised_item.create", "授权事项")
CHANGE_AUTHORISED_ITEM = audit.Action("catalog.authorised_item.update", "调整授权事项")
REMOVE_AUTHORISED_ITEM = audit.Action("catalog.authorised_item.remove", "移除授权事项")


# --- permissions -----------------------------------------------------------------


def require_editor(user, department: Department) -> None:
    """The department's own 首席代表 signs and keeps its 授权书; the centre
    administrator may correct any; approvers may not widen their own authority
    (the rule: ``org.permissions.can_manage_authorisation``)."""
    permissions.require(
        permissions.can_manage_authorisation(user, department),
        f"只有“{department.name}”的首席代表或中心管理员可以维护其授权书",
    )


# --- selectors -------------------------------------------------------------------


def authorisation_list(*, department: Department | None = None) -> QuerySet[Authorisation]:
    qs = Authorisation.objects.select_related("department", "chief_rep").annotate(
        item_count=Count("items", distinct=True)
    )
    if department is not None:
        qs = qs.filter(department=department)
    return qs.order_by("department__name", "-valid_from")


def _latest_name(ref: str = "pk"):
    """Name of the item's newest published version (its draft's if never published)."""
    return Subquery(
        ItemVersion.objects.filter(item=OuterRef(ref))
        .order_by("-status", "-number")  # "published" > "draft": newest published first
        .values("name")[:1]
    )


def authorised_items(*, authorisation: Authorisation) -> QuerySet[AuthorisedItem]:
    return (
        AuthorisedItem.objects.filter(authorisation=authorisation)
        .select_related("item")
        .annotate(item_name=_latest_name("item"))
        .prefetch_related(Prefetch("approvers", queryset=Staff.objects.order_by("name")))
        .order_by("item__implementation_code")
    )


def current_approvers(*, authorisation: Authorisation, item_id: int) -> list[int] | None:
    """The approvers (Staff ids) named for ``item_id`` in ``authorisation``; ``None``
    when the item is not in it."""
    entry = (
        AuthorisedItem.objects.filter(authorisation=authorisation, item_id=item_id)
        .prefetch_related("approvers")
        .first()
    )
    return None if entry is None else [s.pk for s in entry.approvers.all()]


def eligible_items(*, department: Department) -> QuerySet[Item]:
    """Items an authorisation of ``department`` may cover: its own, not cancelled."""
    return (
        Item.objects.filter(department=department)
        .exclude(status=ItemStatus.CANCELLED)
        .annotate(display_name=_latest_name())
        .order_by("implementation_code")
    )


def eligible_approvers(*, department: Department) -> QuerySet[Staff]:
    """Active staff of the department who may approve: 审批人员 or the 首席代表. The
    one definition: the page offers these and :func:`set_authorised_item` accepts
    only these."""
    return Staff.objects.filter(
        department=department, is_active=True, role__in=APPROVER_ROLES
    ).order_by("role", "name")


def eligible_chief_reps(*, departments: QuerySet[Department]) -> QuerySet[Staff]:
    """Active 首席代表 of ``departments``: who a 授权书 of theirs may be signed to."""
    return Staff.objects.filter(
        department__in=departments, is_active=True, role=Role.CHIEF_REP
    ).select_related("department")


# --- services --------------------------------------------------------------------


def _check(authorisation: Authorisation, item: Item, approvers: list[Staff]) -> None:
    if authorisation.is_revoked:
        raise Conflict("已撤销的授权书不能再调整授权事项", code="authorisation_revoked")
    errors: dict[str, list[str]] = {}
    if item.department_id != authorisation.department_id:
        errors["item"] = [f"事项 {item.implementation_code} 不属于{authorisation.department.name}"]
    if not approvers:
        errors["approvers"] = ["每个授权事项至少指定一名审批人员"]
    eligible = set(
        eligible_approvers(department=authorisation.department).values_list("pk", flat=True)
    )
    for staff in approvers:
        if staff.pk not in eligible:
            errors.setdefault("approvers", []).append(
                f"{staff.name}不是本部门在岗的审批人员或首席代表"
            )
    if errors:
        raise ValidationFailed(
            "；".join(m for ms in errors.values() for m in ms),
            code="invalid_authorised_item",
            fields=errors,
        )


def _apply_changes(current: list[Staff], *, shown: list[Staff], submitted: list[Staff]):
    """The current list with the user's changes applied: those the page showed and
    the user unticked leave, those the user ticked join."""
    removed = {s.pk for s in shown} - {s.pk for s in submitted}
    kept = [s for s in current if s.pk not in removed]
    return kept + [s for s in submitted if s.pk not in {k.pk for k in kept}]


@transaction.atomic
def set_authorised_item(
    *,
    actor,
    authorisation: Authorisation,
    item: Item,
    approvers: list[Staff],
    shown_approvers: list[Staff] | None = None,
    reason: str = "",
) -> AuthorisedItem:
    """Add an item to a 授权书 or change its approvers (one audit row either way).

    ``approvers`` replaces the item's list, unless ``shown_approvers`` says which
    approvers the page showed ticked for this item: then only what the user changed is
    applied (ticked → added, unticked → removed) and anyone else stays. A page that did
    not show the current list (the item was chosen in a fresh form) can therefore only
    add approvers, never silently remove one.
    """
    authorisation = (
        Authorisation.objects.select_for_update()
        .select_related("department")
        .get(pk=authorisation.pk)
    )
    require_editor(actor, authorisation.department)
    approvers = list(approvers)
    entry = AuthorisedItem.objects.filter(authorisation=authorisation, item=item).first()
    current = list(entry.approvers.all()) if entry else []
    if shown_approvers is not None:
        approvers = _apply_changes(current, shown=list(shown_approvers), submitted=approvers)
    _check(authorisation, item, approvers)
    created = entry is None
    if created:
        entry = AuthorisedItem.objects.create(authorisation=authorisation, item=item)
    before = sorted(s.name for s in current)
    if not created and before == sorted(s.name for s in approvers):
        return entry
    entry.approvers.set(approvers)
    after = sorted(s.name for s in approvers)
    audit.record(
        actor=actor,
        action=AUTHORISE_ITEM if created else CHANGE_AUTHORISED_ITEM,
        obj=authorisation,
        changes={
            "item": [None if created else item.implementation_code, item.implementation_code],
            "approvers": [before, after],
        },
        reason=reason,
    )
    return entry


@transaction.atomic
def remove_authorised_item(*, actor, authorised_item: AuthorisedItem, reason: str = "") -> None:
    """Take an item out of a 授权书 (the audit row keeps who approved it before)."""
    authorisation = Authorisation.objects.select_for_update().get(
        pk=authorised_item.authorisation_id
    )
    require_editor(actor, authorisation.department)
    if authorisation.is_revoked:
        raise Conflict("已撤销的授权书不能再调整授权事项", code="authorisation_revoked")
    code = authorised_item.item.implementation_code
    names = sorted(s.name for s in authorised_item.approvers.all())
    authorised_item.delete()
    audit.record(
        actor=actor,
        action=REMOVE_AUTHORISED_ITEM,
        obj=authorisation,
        changes={"item": [code, None], "approvers": [names, []]},
        reason=reason,
    )
