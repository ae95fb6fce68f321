"""受理编号: centre code + date + 4-digit daily sequence, e.g. 150626-20261123-0007.

The per-centre per-day :class:`CaseCounter` row is incremented with one
``UPDATE … SET last = last + 1 … RETURNING last`` (``core.counters.next_value``): the
statement takes the row lock (held to the end of the caller's transaction, as
``select_for_update`` did), so two windows never get the same number, in one round trip.
The first number of a day creates the row.
"""

from __future__ import annotations

import datetime as dt

from govhall.core import counters

from .models import CaseCounter


def format_number(*, centre_code: str, day: dt.date, sequence: int) -> str:
    return f"{centre_code}-{day:%Y%m%d}-{sequence:04d}"


def next_number(*, centre, day: dt.date) -> str:
    sequence = counters.next_value(CaseCounter, centre=centre, day=day)
    return format_number(centre_code=centre.code, day=day, sequence=sequence)
