"""Who sees which warnings (电子监察预警), and the list's filters.

The supervision office (电子监察人员), the centre administrator and the superuser
see every warning; a department's staff see their own department's only; anyone
else (a centre's 综合受理 clerk, a deactivated account) sees none.
"""

from __future__ import annotations

from django.db.models import QuerySet

from govhall.org import permissions
from govhall.org.models import Department, Role

from .models import Warning


def sees_all(user) -> bool:
    return permissions.is_centre_admin(user) or (
        permissions.active_staff(user, Role.SUPERVISOR) is not None
    )


def may_see_warnings(user) -> bool:
    """May ``user`` open the warning list at all (the staff nav link)?"""
    if sees_all(user):
        return True
    staff = permissions.active_staff(user)
    return staff is not None and staff.department_id is not None


def visible_warnings(*, user) -> QuerySet[Warning]:
    qs = Warning.objects.select_related("case", "department", "window", "staff")
    if sees_all(user):
        return qs
    staff = permissions.active_staff(user)
    if staff is None or staff.department_id is None:
        return qs.none()
    return qs.filter(department_id=staff.department_id)


def departments_for(*, user) -> QuerySet[Department]:
    """The departments ``user`` may filter by (all, or their own)."""
    if sees_all(user):
        return Department.objects.all()
    staff = permissions.active_staff(user)
    if staff is None or staff.department_id is None:
        return Department.objects.none()
    return Department.objects.filter(pk=staff.department_id)


def filtered(
    qs: QuerySet[Warning],
    *,
    kind: str = "",
    level: str = "",
    status: str = "",
    department: int | None = None,
) -> QuerySet[Warning]:
    """``status``: ``open`` (未解除) or ``cleared`` (已解除); empty for both."""
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if status == "open":
        qs = qs.filter(cleared_at__isnull=True)
    elif status == "cleared":
        qs = qs.filter(cleared_at__isnull=False)
    if department:
        qs = qs.filter(department_id=department)
    return qs
