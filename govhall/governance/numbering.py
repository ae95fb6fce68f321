"""申请编号: ``TZ`` + year + 4-digit yearly sequence, e.g. TZ2026-0001 — gap-free in a
year (``core.counters.next_value`` on :class:`RequestCounter`, in the filing's
transaction, so a refused filing gives its number back)."""

from __future__ import annotations

from govhall.core import counters

from .models import RequestCounter


def format_number(*, year: int, sequence: int) -> str:
    return f"TZ{year}-{sequence:04d}"


def next_number(*, year: int) -> str:
    return format_number(year=year, sequence=counters.next_value(RequestCounter, year=year))
