"""Gap-free yearly numbers (诉求编号 SQ2026-000042, 调整申请 TZ2026-0001): the year's
counter row (a model with ``year`` unique and ``last``) is bumped with one ``UPDATE …
SET last = last + 1 … RETURNING last``, its row lock held to the end of the caller's
transaction, as ``cases.numbering`` does for the 受理编号: two callers never get the
same number, and a rolled-back caller gives its number back. The first number of a
year creates the row."""

from __future__ import annotations

from django.db import IntegrityError, connections, router, transaction


def _bump(model, year: int) -> int | None:
    connection = connections[router.db_for_write(model)]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(model._meta.db_table)} SET {q('last')} = {q('last')} + 1 "
            f"WHERE {q('year')} = %s RETURNING {q('last')}",
            [year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def next_in_year(model, *, year: int) -> int:
    """The next sequence number of ``year`` in the counter ``model``."""
    sequence = _bump(model, year)
    if sequence is None:
        try:
            with transaction.atomic():
                model.objects.create(year=year, last=1)
            sequence = 1
        except IntegrityError:  # another caller created the year's row first
            sequence = _bump(model, year)
    return sequence
