"""Who may act on a case, and who may see it (办件的角色与可见范围).

Role tokens are computed per case by :func:`roles_for`; the transition table
(``workflow.TRANSITIONS``) names, for each action, the tokens that may take it:

* ``clerk`` — 综合受理 window clerk of the centre where the case was applied
  (全科无差别受理: a clerk accepts for every department, R-ORG-3);
* ``instant_clerk`` — the same clerk when the item is a 即办件 (decides on the spot);
* ``dept`` — chief representative or approver of the case's department;
* ``chief`` — the department's chief representative (首席代表, R-ORG-4);
* ``approver`` — an approver named for the item in a valid 授权书, or the chief
  (R-ORG-5);
* ``admin`` — the centre administrator;
* ``applicant`` — the applicant (``core.actors.Applicant``, identified by the page);
* ``system`` — daily jobs and cascades (``core.actors.SYSTEM``).

Visibility (R-PRIV-2, department isolation) has one definition, :func:`_scope`, from
which both the queryset filter (:func:`visible_filter`) and the yes/no check
(:func:`can_view`) are derived, so a list, a page, the API and an export can never
disagree about a case.
"""

from __future__ import annotations

from django.db.models import Q

from govhall.catalog.models import AuthorisedItem
from govhall.core.actors import SYSTEM, Applicant
from govhall.org import permissions as org_permissions
from govhall.org.models import Role
from govhall.org.selectors import valid_authorisations

from .guards import is_instant


class CaseRole:
    """The role tokens of the transition table."""

    CLERK = "clerk"
    INSTANT_CLERK = "instant_clerk"
    DEPT = "dept"
    CHIEF = "chief"
    APPROVER = "approver"
    ADMIN = "admin"
    APPLICANT = "applicant"
    SYSTEM = "system"

    ALL = frozenset({CLERK, INSTANT_CLERK, DEPT, CHIEF, APPROVER, ADMIN, APPLICANT, SYSTEM})


def _is_authorised_approver(staff, case) -> bool:
    if case.item_id is None:
        return False
    return AuthorisedItem.objects.filter(
        item_id=case.item_id,
        approvers=staff,
        authorisation__in=valid_authorisations(department=case.department),
    ).exists()


def roles_for(actor, case, *, needed=None) -> set[str]:
    """The role tokens ``actor`` holds for ``case``.

    ``needed`` (the roles an action accepts): when given and ``approver`` is not among
    them, the 授权书 lookup (one query) is skipped — the answer to "may act" is the
    same, only the unused ``approver`` token may be missing from the result."""
    if actor is SYSTEM:
        return {CaseRole.SYSTEM}
    if isinstance(actor, Applicant):
        return {CaseRole.APPLICANT}
    roles: set[str] = set()
    if org_permissions.is_centre_admin(actor):
        roles.add(CaseRole.ADMIN)
    staff = org_permissions.active_staff(actor)
    if staff is None:
        return roles
    if staff.role == Role.WINDOW_CLERK and staff.centre_id == case.centre_id:
        roles.add(CaseRole.CLERK)
        if is_instant(case):
            roles.add(CaseRole.INSTANT_CLERK)
    if staff.department_id == case.department_id and staff.role in (Role.CHIEF_REP, Role.APPROVER):
        roles.add(CaseRole.DEPT)
        if staff.role == Role.CHIEF_REP:
            roles.update({CaseRole.CHIEF, CaseRole.APPROVER})
        elif (needed is None or CaseRole.APPROVER in needed) and _is_authorised_approver(
            staff, case
        ):
            roles.add(CaseRole.APPROVER)
    return roles


# --------------------------------------------------------------------------- visibility

_ALL = ("all", None)
_NONE = ("none", None)


def _scope(user) -> tuple[str, int | None]:
    """The one rule of which cases ``user`` may see: the centre administrator and the
    supervision office all; a window clerk those applied at their centre; department
    staff their department's; anyone else (the public, a deactivated account) none."""
    if org_permissions.is_centre_admin(user):
        return _ALL
    staff = org_permissions.active_staff(user)
    if staff is None:
        return _NONE
    if staff.role == Role.SUPERVISOR:
        return _ALL
    if staff.role == Role.WINDOW_CLERK:
        return ("centre", staff.centre_id)
    if staff.department_id is not None:
        return ("department", staff.department_id)
    return _NONE


def visible_filter(user) -> Q:
    """``Case.objects.filter(visible_filter(user))`` is what ``user`` may list."""
    kind, pk = _scope(user)
    if kind == "all":
        return Q()
    if kind == "none":
        return Q(pk__in=[])
    return Q(**{f"{kind}_id": pk})


def can_view(user, case) -> bool:
    """May ``user`` open ``case``? The same rule as :func:`visible_filter`."""
    kind, pk = _scope(user)
    if kind in ("all", "none"):
        return kind == "all"
    return getattr(case, f"{kind}_id") == pk


def can_see_restricted(user, case) -> bool:
    """副卷 (R-ARCHIVE-2): the administrator, supervision and the department's chief."""
    if org_permissions.is_centre_admin(user):
        return True
    if org_permissions.active_staff(user, Role.SUPERVISOR) is not None:
        return True
    chief = org_permissions.active_staff(user, Role.CHIEF_REP)
    return chief is not None and chief.department_id == case.department_id


def may_define_bundles(user) -> bool:
    """一件事 definitions (R-BUNDLE-3): the centre administrator only."""
    return org_permissions.is_centre_admin(user)


def require_bundle_definer(user) -> None:
    """Refuse (403) anyone but the centre administrator a 一件事 definition."""
    org_permissions.require(may_define_bundles(user), "只有中心管理员可以设置一件事")


# 承办人 (the responsible person named on the 受理通知书): an active chief representative
# or approver of the case's department. One rule, as a filter and as a check.
_RESPONSIBLE_ROLES = (Role.CHIEF_REP, Role.APPROVER)


def responsible_filter(department) -> Q:
    """``Staff.objects.filter(responsible_filter(d))``: who may be named 承办人."""
    return Q(department=department, is_active=True, role__in=_RESPONSIBLE_ROLES)


def may_be_responsible(staff, department) -> bool:
    return (
        staff.is_active
        and staff.department_id == getattr(department, "pk", department)
        and staff.role in _RESPONSIBLE_ROLES
    )
