from __future__ import annotations

import datetime as dt

from govhall.calendar import selectors as calendar
from govhall.cases.tests.conftest import act, submit  # noqa: F401
from govhall.supervision import services
from govhall.supervision.models import Warning


def D(*args) -> dt.date:
    return dt.date(*args)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour)


def workday(start: dt.date, days: int) -> dt.date:
    return calendar.add_workdays(start=start, days=days).date


def evaluate(case, today):
    return services.evaluate_case(case=case, today=today)


def open_kinds(case) -> set[str]:
    return set(
        Warning.objects.filter(case=case, cleared_at__isnull=True).values_list("kind", flat=True)
    )


def cleared(case, kind) -> Warning | None:
    return Warning.objects.filter(case=case, kind=kind, cleared_at__isnull=False).first()
