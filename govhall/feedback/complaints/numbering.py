"""诉求编号: ``SQ`` + year + 6-digit yearly sequence, e.g. SQ2026-000042 — read out on
the phone and typed into the tracking lookup.

The per-year :class:`ComplaintCounter` row is bumped by ``core.numbering.next_in_year``
(one ``UPDATE … RETURNING``, the row lock held to the end of the caller's transaction),
as ``cases.numbering`` does for the 受理编号: two windows never get the same number.
"""

from __future__ import annotations

from govhall.core.numbering import next_in_year

from .models import ComplaintCounter


def format_number(*, year: int, sequence: int) -> str:
    return f"SQ{year}-{sequence:06d}"


def next_number(*, year: int) -> str:
    return format_number(year=year, sequence=next_in_year(ComplaintCounter, year=year))
