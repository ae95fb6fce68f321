"""Reads of the organisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Prefetch, Q, QuerySet

from govhall.core import clock
from govhall.core.errors import NotFound

from . import permissions
from .models import Authorisation, Centre, Department, Staff, Stationing, Window


def centre_list() -> QuerySet[Centre]:
    return Centre.objects.select_related("parent").annotate(
        window_count=Count("windows", distinct=True)
    )


def get_centre(*, code: str) -> Centre:
    """A centre by its 中心编码 (``NotFound`` ``centre_not_found`` otherwise)."""
    centre = Centre.objects.filter(code=code).first()
    if centre is None:
        raise NotFound(f"服务中心 {code} 不存在", code="centre_not_found")
    return centre


def _active_stationings(related: str) -> Prefetch:
    """进驻 in force, oldest first, as ``active_stationings`` with their ``related``."""
    return Prefetch(
        "stationing_set",
        queryset=Stationing.objects.select_related(related)
        .filter(is_active=True)
        .order_by("since", "pk"),
        to_attr="active_stationings",
    )


def centre_detail(*, code: str) -> Centre:
    """A centre with its 下级中心 (``children``) and 在驻部门 (``active_stationings``)."""
    centre = (
        centre_list()
        .filter(code=code)
        .prefetch_related(
            Prefetch("children", queryset=Centre.objects.order_by("code")),
            _active_stationings("department"),
        )
        .first()
    )
    if centre is None:
        raise NotFound(f"服务中心 {code} 不存在", code="centre_not_found")
    return centre


def department_detail(*, pk: int) -> Department:
    """A department with the centres it is stationed in (``active_stationings``) and
    its windows (``window_list``)."""
    department = (
        Department.objects.filter(pk=pk)
        .prefetch_related(
            _active_stationings("centre"),
            Prefetch(
                "windows",
                queryset=Window.objects.select_related("centre").order_by("centre__code", "number"),
                to_attr="window_list",
            ),
        )
        .first()
    )
    if department is None:
        raise NotFound(f"部门 {pk} 不存在", code="department_not_found")
    return department


def departments_where(
    *, user, rule: Callable = permissions.can_edit_department_data
) -> QuerySet[Department]:
    """Departments on which ``rule(user, department)`` allows ``user`` to act — e.g.
    whose items he may edit (default) or whose 授权书 he may keep
    (``permissions.can_manage_authorisation``). The rule stays in ``permissions``."""
    allowed = [d.pk for d in Department.objects.all() if rule(user, d)]
    return Department.objects.filter(pk__in=allowed)


def department_list(*, centre: Centre | None = None) -> QuerySet[Department]:
    qs = Department.objects.all()
    if centre is not None:
        qs = qs.filter(stationing__centre=centre, stationing__is_active=True)
    return qs


def window_list(*, centre: Centre | None = None) -> QuerySet[Window]:
    qs = Window.objects.select_related("centre", "department")
    if centre is not None:
        qs = qs.filter(centre=centre)
    return qs


def staff_list(*, department: Department | None = None) -> QuerySet[Staff]:
    qs = Staff.objects.select_related("centre", "department", "window", "user")
    if department is not None:
        qs = qs.filter(department=department)
    return qs


def is_stationed(*, department: Department, centre: Centre) -> bool:
    return department.stationing_set.filter(centre=centre, is_active=True).exists()


def valid_authorisations(
    *, department: Department, on: dt.date | None = None
) -> QuerySet[Authorisation]:
    """授权书 in force on ``on`` (default today)."""
    on = on or clock.today()
    return Authorisation.objects.filter(
        Q(department=department), Q(is_revoked=False), Q(valid_from__lte=on), Q(valid_to__gte=on)
    )
