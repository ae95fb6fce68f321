"""申请编号: ``TZ`` + year + 4-digit yearly sequence, e.g. TZ2026-0001 — gap-free in a
year: the per-year :class:`RequestCounter` row is bumped by one ``UPDATE … RETURNING``
in the caller's transaction (its row lock held to the end), as the complaints' and the
cases' numbers are, so a refused request gives its number back."""

from __future__ import annotations

from django.db import IntegrityError, connections, router, transaction

from .models import RequestCounter


def format_number(*, year: int, sequence: int) -> str:
    return f"TZ{year}-{sequence:04d}"


def _bump(year: int) -> int | None:
    connection = connections[router.db_for_write(RequestCounter)]
    q = connection.ops.quote_name
    table = q(RequestCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {q('last')} = {q('last')} + 1 WHERE {q('year')} = %s "
            f"RETURNING {q('last')}",
            [year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def next_number(*, year: int) -> str:
    sequence = _bump(year)
    if sequence is None:
        try:
            with transaction.atomic():
                RequestCounter.objects.create(year=year, last=1)
            sequence = 1
        except IntegrityError:  # another request created the year's row first
            sequence = _bump(year)
    return format_number(year=year, sequence=sequence)
