"""诉求编号: ``SQ`` + year + 6-digit yearly sequence, e.g. SQ2026-000042 — read out on
the phone and typed into the tracking lookup.

The per-year :class:`ComplaintCounter` row is bumped with one ``UPDATE … SET last =
last + 1 … RETURNING last`` (the row lock is held to the end of the caller's
transaction), as ``cases.numbering`` does for the 受理编号: two windows never get the
same number. The first number of a year creates the row.
"""

from __future__ import annotations

from django.db import IntegrityError, connections, router, transaction

from .models import ComplaintCounter


def format_number(*, year: int, sequence: int) -> str:
    return f"SQ{year}-{sequence:06d}"


def _bump(year: int) -> int | None:
    connection = connections[router.db_for_write(ComplaintCounter)]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(ComplaintCounter._meta.db_table)} SET {quote('last')} = "
        f"{quote('last')} + 1 WHERE {quote('year')} = %s RETURNING {quote('last')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        row = cursor.fetchone()
    return row[0] if row else None


def next_number(*, year: int) -> str:
    sequence = _bump(year)
    if sequence is None:
        try:
            with transaction.atomic():
                ComplaintCounter.objects.create(year=year, last=1)
            sequence = 1
        except IntegrityError:  # another window created it first
            sequence = _bump(year)
    return format_number(year=year, sequence=sequence)
