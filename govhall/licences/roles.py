"""Who may do what in 审管联动 and the registries (角色与可见范围).

Tokens for a licence (:func:`roles_for`, matched against ``workflow.TRANSITIONS``):

* ``issuer`` — the 首席代表 or 审批人员 of the licence's issuing department: 变更, 延续,
  撤销, 注销;
* ``supervising`` — staff of a supervising department (``Department.is_supervising``)
  other than the issuer: 吊销, only by a penalty (``services.record_report``);
* ``admin`` — the centre administrator (and the superuser);
* ``system`` — ``core.actors.SYSTEM`` (the daily 过期).

Pushes and reports are seen by the department they were sent to (its staff), by the
approval department that sent them, by the centre administrator and by the
electronic-supervision office; :func:`visible_departments` is that one rule for
every list, page and endpoint.
"""

from __future__ import annotations

from govhall.core.actors import SYSTEM
from govhall.org import permissions
from govhall.org.models import Role


class R:
    ISSUER = "issuer"
    SUPERVISING = "supervising"
    ADMIN = "admin"
    SYSTEM = "system"

    ALL = frozenset({ISSUER, SUPERVISING, ADMIN, SYSTEM})


ISSUER_ROLES = (Role.CHIEF_REP, Role.APPROVER)
ALL_DEPARTMENTS = None  # visible_departments: no restriction


def roles_for(actor, licence) -> frozenset[str]:
    if actor is SYSTEM:
        return frozenset({R.SYSTEM})
    if permissions.is_centre_admin(actor):
        return frozenset({R.ADMIN})
    staff = permissions.active_staff(actor)
    if staff is None or staff.department_id is None:
        return frozenset()
    if staff.department_id == licence.issuer_id:
        return frozenset({R.ISSUER}) if staff.role in ISSUER_ROLES else frozenset()
    if staff.department.is_supervising:
        return frozenset({R.SUPERVISING})
    return frozenset()


def visible_departments(user) -> set[int] | None:
    """The departments whose pushes, reports and obligations ``user`` sees (``None``:
    all of them; an empty set: none)."""
    if permissions.is_centre_admin(user):
        return ALL_DEPARTMENTS
    staff = permissions.active_staff(user)
    if staff is None:
        return set()
    if staff.role == Role.SUPERVISOR:
        return ALL_DEPARTMENTS
    if staff.department_id is None:
        return set()
    return {staff.department_id}


def may_use(user) -> bool:
    """The 审管联动 pages: any active staff member of a department, the centre
    administrator and the electronic-supervision office."""
    return visible_departments(user) != set()


def department_of(user):
    """The department ``user`` acts for (``None``: the administrator, supervision)."""
    staff = permissions.active_staff(user)
    return staff.department if staff is not None and staff.department_id else None


def may_report(user, department) -> bool:
    """登记监管反馈 for ``department``: its own staff (not the window clerks) or the
    centre administrator."""
    if permissions.is_centre_admin(user):
        return True
    staff = permissions.active_staff(user)
    return (
        staff is not None
        and staff.department_id == getattr(department, "pk", None)
        and staff.role in ISSUER_ROLES
    )


def may_acknowledge(user, push) -> bool:
    """签收 a push: staff of the department it was sent to (not the window clerks)."""
    staff = permissions.active_staff(user)
    return (
        staff is not None
        and staff.department_id == push.department_id
        and staff.role in ISSUER_ROLES
    )


def may_manage_warnings(user) -> bool:
    """列入/移出警示信息库 by hand: the centre administrator (a supervising department
    adds a subject through a serious 监管反馈)."""
    return permissions.is_centre_admin(user)


def may_manage_settings(user) -> bool:
    """联络员, 部门系统接口 and 事项联动设置: the centre administrator."""
    return permissions.is_centre_admin(user)


def sees_codes_in_full(user, licence) -> bool:
    """The issuer and the administrator read a person's ID number unmasked."""
    return bool(roles_for(user, licence) & {R.ISSUER, R.ADMIN})
