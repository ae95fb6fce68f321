"""受理编号: centre code + date + 4-digit daily sequence, e.g. 150626-20261123-0007.

The per-centre per-day :class:`CaseCounter` row is incremented with one
``UPDATE … SET last = last + 1 … RETURNING last``: the statement takes the row lock
(held to the end of the caller's transaction, as ``select_for_update`` did), so two
windows never get the same number, in one round trip instead of four (savepoint,
locking read, update, release). PostgreSQL and SQLite ≥ 3.35 both support RETURNING;
SQLite serialises writers anyway. The first number of a day creates the row.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connections, router, transaction

from .models import CaseCounter


def format_number(*, centre_code: str, day: dt.date, sequence: int) -> str:
    return f"{centre_code}-{day:%Y%m%d}-{sequence:04d}"


def _bump(*, centre_id: int, day: dt.date) -> int | None:
    """The next sequence of (centre, day), or None when the day has no counter yet."""
    connection = connections[router.db_for_write(CaseCounter)]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(CaseCounter._meta.db_table)} SET {quote('last')} = {quote('last')} + 1 "
        f"WHERE {quote('centre_id')} = %s AND {quote('day')} = %s RETURNING {quote('last')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [centre_id, day])
        row = cursor.fetchone()
    return row[0] if row else None


def next_number(*, centre, day: dt.date) -> str:
    sequence = _bump(centre_id=centre.pk, day=day)
    if sequence is None:
        try:
            with transaction.atomic():
                CaseCounter.objects.create(centre=centre, day=day, last=1)
            sequence = 1
        except IntegrityError:  # another window created it first
            sequence = _bump(centre_id=centre.pk, day=day)
    return format_number(centre_code=centre.code, day=day, sequence=sequence)
