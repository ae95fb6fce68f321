"""Who may do what with the lists (asked by views, API and services alike).

* 公布 (publish): the centre administrator — and the morning run (``SYSTEM``).
* 权责清单 / 监管事项清单 entries: the centre administrator for every department, a
  department's 首席代表 for its own.
* Reading and comparing: the lists are public; the staff pages are for staff on duty.
"""

from __future__ import annotations

from govhall.core import actors
from govhall.org import permissions
from govhall.org.models import Department, Role


def may_publish(user) -> bool:
    return user is actors.SYSTEM or permissions.is_centre_admin(user)


def may_maintain(user, department: Department | None) -> bool:
    """May ``user`` keep the 权责清单 / 监管事项清单 entries of ``department``?"""
    if permissions.is_centre_admin(user):
        return True
    staff = permissions.active_staff(user, Role.CHIEF_REP)
    return staff is not None and department is not None and staff.department_id == department.pk


def may_maintain_any(user) -> bool:
    """Does ``user`` keep entries of some department (shows the 新增/导入 buttons)?"""
    return permissions.is_centre_admin(user) or (
        permissions.active_staff(user, Role.CHIEF_REP) is not None
    )


def maintained_departments(user):
    """The departments whose entries ``user`` keeps (for the form's choices)."""
    qs = Department.objects.filter(is_active=True)
    if permissions.is_centre_admin(user):
        return qs
    staff = permissions.active_staff(user, Role.CHIEF_REP)
    return qs.filter(pk=staff.department_id) if staff else qs.none()


def may_view(user) -> bool:
    return permissions.may_use_staff_site(user)


def require_publisher(user) -> None:
    permissions.require(may_publish(user), "只有中心管理员可以公布清单")


def require_maintainer(user, department: Department | None) -> None:
    name = department.name if department is not None else "该部门"
    permissions.require(
        may_maintain(user, department), f"只有中心管理员或{name}的首席代表可以维护该部门的清单事项"
    )
