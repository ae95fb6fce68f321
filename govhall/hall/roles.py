"""Who may do what in the hall (大厅). One module, asked by pages, the API and the
services alike; views never test ``staff.role``.

* A window's own staff (``org.Staff.window``) operate it: call, recall, 过号, transfer,
  start and finish. The centre administrator (大厅管理) may operate any window of the
  centre and manages categories, window settings, slots and 潮汐窗口.
* Any active staff member of the centre may issue a 绿色通道 ticket for a disabled
  person or other priority at the 导服台, and book an appointment for a caller (电话预约).
* The statistics are read by the centre administrator, the electronic-supervision
  office and the chief representatives (their department's windows).
"""

from __future__ import annotations

from govhall.core.errors import PermissionDenied
from govhall.org import permissions
from govhall.org.models import Role


def staff(user):
    return permissions.active_staff(user) if user is not None else None


def window_of(user):
    """The window ``user`` sits at (``None`` when none)."""
    member = staff(user)
    return member.window if member is not None and member.window_id else None


def is_floor_manager(user, centre=None) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    member = permissions.active_staff(user, Role.CENTRE_ADMIN) if user is not None else None
    return member is not None and (centre is None or member.centre_id == centre.pk)


def may_operate(user, window) -> bool:
    member = staff(user)
    if member is None:
        return is_floor_manager(user)
    if member.window_id == window.pk:
        return True
    return is_floor_manager(user, window.centre)


def require_operator(user, window) -> None:
    if not may_operate(user, window):
        raise PermissionDenied(f"您不在{window.number}号窗口，不能操作该窗口的叫号")


def require_floor_manager(user, centre) -> None:
    if not is_floor_manager(user, centre):
        raise PermissionDenied("只有中心管理员（大厅管理）可以进行此操作")


def may_issue_priority(actor, centre) -> bool:
    member = staff(actor)
    return (member is not None and member.centre_id == centre.pk) or is_floor_manager(actor)


def may_book_for_caller(user, centre) -> bool:
    return may_issue_priority(user, centre)


def may_view_statistics(user) -> bool:
    if is_floor_manager(user):
        return True
    member = staff(user)
    return member is not None and member.role in (Role.SUPERVISOR, Role.CHIEF_REP)


def may_use(user) -> bool:
    """Whether the hall's staff pages are in the nav for ``user``."""
    return staff(user) is not None or is_floor_manager(user)
