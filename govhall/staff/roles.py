"""Who may do what in 人员管理 (双重管理: the centre and the home department).

* the centre administrator manages: assignments, moves, returns, imports, training,
  appraisals, and approves any leave;
* a department's 首席代表 sees its own department's people, asks for moves (调整申请),
  replaces a returned worker, and approves its own people's leave (not their own);
* every staff member sees their own attendance, leave, training and appraisal, signs
  in and out, and asks for leave;
* the electronic-supervision office reads everything and changes nothing.

:func:`visible_staff` is the one answer to "whose records may this user read", used
by every list, page and endpoint.
"""

from __future__ import annotations

from django.db.models import Q

from govhall.org import permissions
from govhall.org.models import Role

ALL = None  # visible_staff: no restriction


def is_admin(user) -> bool:
    return permissions.is_centre_admin(user)


def is_supervisor(user) -> bool:
    return permissions.active_staff(user, Role.SUPERVISOR) is not None


def sees_all(user) -> bool:
    return is_admin(user) or is_supervisor(user)


def chief_of(user):
    """The department whose 首席代表 ``user`` is (``None`` otherwise)."""
    staff = permissions.active_staff(user, Role.CHIEF_REP)
    return staff.department if staff is not None else None


def may_use(user) -> bool:
    return is_admin(user) or permissions.active_staff(user) is not None


def visible_staff(user) -> Q | None:
    """A ``Q`` on ``org.Staff`` for the people ``user`` may read (``None``: all)."""
    if sees_all(user):
        return ALL
    staff = permissions.active_staff(user)
    if staff is None:
        return Q(pk__in=[])
    if staff.role == Role.CHIEF_REP:
        return Q(department_id=staff.department_id) | Q(pk=staff.pk)
    return Q(pk=staff.pk)


def may_view(user, person) -> bool:
    if sees_all(user):
        return True
    staff = permissions.active_staff(user)
    if staff is None:
        return False
    if staff.pk == person.pk:
        return True
    return staff.role == Role.CHIEF_REP and person.department_id == staff.department_id


def sees_department_scope(user) -> bool:
    """Lists filtered by department (the chief) rather than by person."""
    return chief_of(user) is not None


def may_manage(user) -> bool:
    """Assignments, returns, decisions on moves, imports, training, appraisals."""
    return is_admin(user)


def may_request_move(user, person) -> bool:
    """调整申请: the 首席代表 of the worker's department."""
    department = chief_of(user)
    return department is not None and person.department_id == department.pk


def may_replace(user, notice) -> bool:
    """补派 after a 退回: the department's 首席代表 or the centre administrator."""
    if is_admin(user):
        return True
    department = chief_of(user)
    return department is not None and notice.department_id == department.pk


def may_request_leave(user, person) -> bool:
    """Oneself; the chief or the administrator on someone's behalf."""
    if is_admin(user):
        return True
    staff = permissions.active_staff(user)
    if staff is None:
        return False
    return staff.pk == person.pk or may_request_move(user, person)


def may_decide_leave(user, leave) -> bool:
    """The administrator, or the 首席代表 of the person's department (never one's own)."""
    if is_admin(user):
        staff = permissions.staff_of(user)
        return staff is None or staff.pk != leave.staff_id
    department = chief_of(user)
    staff = permissions.active_staff(user)
    return (
        department is not None
        and leave.staff.department_id == department.pk
        and staff.pk != leave.staff_id
    )


def may_sign(user) -> bool:
    """签到/签退 at the window or a training: any staff member on duty, for themself."""
    return permissions.active_staff(user) is not None


def require(allowed: bool, message: str) -> None:
    permissions.require(allowed, message)
