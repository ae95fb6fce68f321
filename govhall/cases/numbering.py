"""受理编号: centre code + date + 4-digit daily sequence, e.g. 150626-20261123-0007.

The per-centre per-day :class:`CaseCounter` row is locked with ``select_for_update``
so two windows never get the same number (PostgreSQL row lock; SQLite serialises
writers anyway).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from .models import CaseCounter


def format_number(*, centre_code: str, day: dt.date, sequence: int) -> str:
    return f"{centre_code}-{day:%Y%m%d}-{sequence:04d}"


def next_number(*, centre, day: dt.date) -> str:
    with transaction.atomic():
        counter = CaseCounter.objects.select_for_update().filter(centre=centre, day=day).first()
        if counter is None:
            try:
                with transaction.atomic():
                    counter = CaseCounter.objects.create(centre=centre, day=day, last=0)
            except IntegrityError:  # another window created it first
                counter = CaseCounter.objects.select_for_update().get(centre=centre, day=day)
        counter.last += 1
        counter.save(update_fields=["last"])
    return format_number(centre_code=centre.code, day=day, sequence=counter.last)
