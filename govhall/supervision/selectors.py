"""Who sees which warnings (电子监察预警), and the list's filters.

The supervision office (电子监察人员), the centre administrator and the superuser
see every warning; a department's staff see their own department's only; anyone
else (a centre's 综合受理 clerk, a deactivated account) sees none.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from govhall.org import permissions
from govhall.org.models import Department, Role

from .models import OrderState, SupervisionOrder, Warning


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
    raised_on: dt.date | None = None,
    staff_id: int | None = None,
) -> QuerySet[Warning]:
    """``status``: ``open`` (未解除) or ``cleared`` (已解除); empty for both.
    ``raised_on`` and ``staff_id`` narrow it to one day's warnings and one 承办人's
    (the links of the 预警日报)."""
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
    if raised_on is not None:
        qs = qs.filter(raised_on=raised_on)
    if staff_id is not None:
        qs = qs.filter(staff_id=staff_id)
    return qs


def visible_orders(*, user) -> QuerySet[SupervisionOrder]:
    """督办单 by the same rule as warnings: the supervision office, the centre
    administrator and the superuser see all, a department's staff its own only."""
    qs = SupervisionOrder.objects.select_related("case", "department", "warning", "issued_by")
    if sees_all(user):
        return qs
    staff = permissions.active_staff(user)
    if staff is None or staff.department_id is None:
        return qs.none()
    return qs.filter(department_id=staff.department_id)


ORDER_STATE_FILTERS = [*OrderState.choices, ("escalated", "逾期升级"), ("open", "未办结")]


def filtered_orders(
    qs: QuerySet[SupervisionOrder], *, state: str = "", department: int | None = None
) -> QuerySet[SupervisionOrder]:
    """``state``: an order state, ``escalated`` (逾期升级) or ``open`` (未办结)."""
    if state == "escalated":
        qs = qs.filter(escalated_at__isnull=False)
    elif state == "open":
        qs = qs.exclude(state=OrderState.ACCEPTED)
    elif state:
        qs = qs.filter(state=state)
    if department:
        qs = qs.filter(department_id=department)
    return qs
