"""备案编号 ``BA2026-000001`` and 申报编号 ``BS2026-000001``: series + year + 6-digit yearly
sequence, from the per-series, per-year :class:`FilingCounter` row bumped inside the
caller's transaction (``core.counters``): two windows never get the same number, and a
filing that fails after its number was drawn rolls the counter back with it, so the
备案编号 of a year has no gap.
"""

from __future__ import annotations

from govhall.core import counters

from .models import FilingCounter

FILING = "BA"  # 备案编号
TRACKING = "BS"  # 申报编号


def format_number(*, series: str, year: int, sequence: int) -> str:
    return f"{series}{year}-{sequence:06d}"


def next_number(*, series: str, year: int) -> str:
    sequence = counters.next_value(FilingCounter, series=series, year=year)
    return format_number(series=series, year=year, sequence=sequence)
