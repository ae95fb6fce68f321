"""Reads of the organisation."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from govhall.core import clock

from .models import Authorisation, Centre, Department, Staff, Window


def centre_list() -> QuerySet[Centre]:
    return Centre.objects.select_related("parent").annotate(
        window_count=Count("windows", distinct=True)
    )


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
