"""The one module that answers "may this user act on this object".

Rules (issue 2): the centre administrator manages everything; department staff see
and change only their own department's data; the supervision office reads all and
changes nothing; the public changes nothing. Every rule starts from
:func:`active_staff`: a deactivated staff member (离岗, 调离) may do and see nothing.
"""

from __future__ import annotations

from govhall.core.errors import PermissionDenied

from .models import Department, Role, Staff


def staff_of(user) -> Staff | None:
    """The user's staff record, active or not (for showing who someone is; a
    permission asks :func:`active_staff`)."""
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


def _superuser(user) -> bool:
    """The Django superuser (the installer's account) acts as the centre administrator."""
    return bool(getattr(user, "is_superuser", False))


def is_centre_admin(user) -> bool:
    return _superuser(user) or active_staff(user, Role.CENTRE_ADMIN) is not None


def can_manage_organisation(user) -> bool:
    """Centres, departments, windows, staff: the centre administrator only."""
    return is_centre_admin(user)


def require_organisation_manager(user) -> None:
    """:class:`PermissionDenied` unless ``user`` may change the organisation."""
    require(can_manage_organisation(user), "只有中心管理员可以维护组织机构")


def may_use_staff_site(user) -> bool:
    """The staff pages (工作平台) are for the superuser and staff on duty: a
    deactivated staff member (离岗, 调离) whose login still works sees nothing."""
    return _superuser(user) or active_staff(user) is not None


def _of_department(staff: Staff | None, department: Department | None) -> bool:
    return staff is not None and department is not None and staff.department_id == department.pk


def can_edit_department_data(user, department: Department | None) -> bool:
    """Items, guides and authorisations of ``department``: its chief representative,
    its approvers, or the centre administrator."""
    if is_centre_admin(user):
        return True
    return _of_department(active_staff(user, Role.CHIEF_REP, Role.APPROVER), department)


def can_manage_authorisation(user, department: Department | None) -> bool:
    """授权书: signed for the department by its chief representative (or the centre
    administrator); approvers are named in it but do not edit it."""
    if is_centre_admin(user):
        return True
    return _of_department(active_staff(user, Role.CHIEF_REP), department)


def require(allowed: bool, message: str = "您无权执行此操作") -> None:
    if not allowed:
        raise PermissionDenied(message)
