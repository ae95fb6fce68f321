"""备案编号 ``BA2026-000001`` and 申报编号 ``BS2026-000001``: series + year + 6-digit yearly
sequence.

The per-series, per-year :class:`FilingCounter` row is bumped with one ``UPDATE … SET
last = last + 1 … RETURNING last`` inside the caller's transaction, as
``cases.numbering`` does for the 受理编号: the row lock is held to the end of that
transaction, so two windows never get the same number, and a filing that fails after
its number was drawn rolls the counter back with it: the 备案编号 of a year has no gap.
"""

from __future__ import annotations

from django.db import IntegrityError, connections, router, transaction

from .models import FilingCounter

FILING = "BA"  # 备案编号
TRACKING = "BS"  # 申报编号


def format_number(*, series: str, year: int, sequence: int) -> str:
    return f"{series}{year}-{sequence:06d}"


def _bump(series: str, year: int) -> int | None:
    connection = connections[router.db_for_write(FilingCounter)]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(FilingCounter._meta.db_table)} SET {quote('last')} = "
        f"{quote('last')} + 1 WHERE {quote('series')} = %s AND {quote('year')} = %s "
        f"RETURNING {quote('last')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [series, year])
        row = cursor.fetchone()
    return row[0] if row else None


def next_number(*, series: str, year: int) -> str:
    sequence = _bump(series, year)
    if sequence is None:
        try:
            with transaction.atomic():
                FilingCounter.objects.create(series=series, year=year, last=1)
            sequence = 1
        except IntegrityError:  # another window created it first
            sequence = _bump(series, year)
    return format_number(series=series, year=year, sequence=sequence)
