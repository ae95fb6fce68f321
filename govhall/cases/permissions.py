"""Who may act on or see a case. Builds on ``govhall.org.permissions``.

Department staff act only on their own department's cases; 综合受理 clerks accept
at their centre for any department ("全科无差别受理", [seed 2 §18]); approvers act only
on items their department's valid 授权书 names them for ([seed 0 动态管理 §3],
[seed 2 §34]); the chief representative may act on every item of the department.
"""

from __future__ import annotations

from govhall.catalog.models import AuthorisedItem
from govhall.org import permissions as org_permissions
from govhall.org.models import Role
from govhall.org.selectors import valid_authorisations

from . import workflow


def _is_authorised_approver(staff, case) -> bool:
    if case.item_id is None:
        return False
    return AuthorisedItem.objects.filter(
        item_id=case.item_id,
        approvers=staff,
        authorisation__in=valid_authorisations(department=case.department),
    ).exists()


def roles_for(user, case, *, needed=None) -> set[str]:
    """The role tokens of ``workflow`` that ``user`` holds for ``case``.

    ``needed`` (the roles an action accepts): when given and ``approver`` is not among
    them, the 授权书 lookup (one query) is skipped — the answer to "may act" is the
    same, only the unused ``approver`` token may be missing from the result."""
    if user is workflow.SYSTEM:
        return {workflow.SYS}
    if user is None:
        return {workflow.APPLICANT}
    roles: set[str] = set()
    if org_permissions.is_centre_admin(user):
        roles.add(workflow.ADMIN)
    staff = org_permissions.staff_of(user)
    if staff is None or not staff.is_active:
        return roles
    if staff.role == Role.WINDOW_CLERK and staff.centre_id == case.centre_id:
        roles.add(workflow.CLERK)
        if workflow.is_instant(case):
            roles.add(workflow.INSTANT_CLERK)
    if staff.department_id == case.department_id and staff.role in (Role.CHIEF_REP, Role.APPROVER):
        roles.add(workflow.DEPT)
        if staff.role == Role.CHIEF_REP:
            roles.update({workflow.CHIEF, workflow.APPROVER})
        elif (needed is None or workflow.APPROVER in needed) and _is_authorised_approver(
            staff, case
        ):
            roles.add(workflow.APPROVER)
    return roles


def can_view_case(user, case) -> bool:
    """Department isolation: own department, the clerks of the centre, supervision, admin."""
    if org_permissions.is_centre_admin(user):
        return True
    staff = org_permissions.staff_of(user)
    if staff is None or not staff.is_active:
        return False
    if staff.role == Role.SUPERVISOR:
        return True
    if staff.role == Role.WINDOW_CLERK:
        return staff.centre_id == case.centre_id
    return staff.department_id is not None and staff.department_id == case.department_id


def can_see_restricted(user, case) -> bool:
    """副卷 ([seed 2 §29]): the administrator, supervision and the department's chief."""
    if org_permissions.is_centre_admin(user):
        return True
    staff = org_permissions.staff_of(user)
    if staff is None or not staff.is_active:
        return False
    if staff.role == Role.SUPERVISOR:
        return True
    return staff.role == Role.CHIEF_REP and staff.department_id == case.department_id
