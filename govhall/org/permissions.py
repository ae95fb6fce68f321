"""The one module that answers "may this user act on this object".

Rules (issue 2): the centre administrator manages everything; department staff see
and change only their own department's data; the supervision office reads all and
changes nothing; the public changes nothing.
"""

from __future__ import annotations

from govhall.core.errors import PermissionDenied

from .models import Department, Role, Staff


def staff_of(user) -> Staff | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "staff", None)


def active_staff(user, *roles: str) -> Staff | None:
    """The user's staff record when it is active (and, with ``roles``, holds one of
    them): the one "staff_of → is_active → role" check every permission starts from.
    A deactivated staff member (离岗, 调离) may do and see nothing."""
    staff = staff_of(user)
    if staff is None or not staff.is_active:
        return None
    if roles and staff.role not in roles:
        return None
    return staff


def is_centre_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or (
        active_staff(user, Role.CENTRE_ADMIN) is not None
    )


def can_manage_organisation(user) -> bool:
    """Centres, departments, windows, staff: the centre administrator only."""
    return is_centre_admin(user)


def can_edit_department_data(user, department: Department | None) -> bool:
    """Items, guides and authorisations of ``department``: its chief representative,
    its approvers, or the centre administrator."""
    if is_centre_admin(user):
        return True
    staff = staff_of(user)
    if staff is None or not staff.is_active or department is None:
        return False
    return staff.role in (Role.CHIEF_REP, Role.APPROVER) and staff.department_id == department.pk


def can_manage_authorisation(user, department: Department | None) -> bool:
    """授权书: signed for the department by its chief representative (or the centre
    administrator); approvers are named in it but do not edit it."""
    if is_centre_admin(user):
        return True
    staff = staff_of(user)
    return bool(
        staff
        and staff.is_active
        and department is not None
        and staff.role == Role.CHIEF_REP
        and staff.department_id == department.pk
    )


def can_view_department_data(user, department: Department | None) -> bool:
    staff = staff_of(user)
    if is_centre_admin(user) or (staff and staff.role in (Role.SUPERVISOR, Role.WINDOW_CLERK)):
        return True
    return bool(staff and department and staff.department_id == department.pk)


def require(allowed: bool, message: str = "您无权执行此操作") -> None:
    if not allowed:
        raise PermissionDenied(message)
