"""Gap-free sequence counters (受理编号, 诉求编号, 备案编号 …): one row per key (a centre
and a day, a year, a series and a year) holding the last value issued.

:func:`next_value` bumps the row with one ``UPDATE … SET last = last + 1 … RETURNING
last``: the statement takes the row lock (held to the end of the caller's transaction,
as ``select_for_update`` would), so two windows never get the same value, in one round
trip instead of four (savepoint, locking read, update, release), and a caller whose
transaction rolls back gives its value back — no gap. PostgreSQL and SQLite ≥ 3.35 both
support RETURNING; SQLite serialises writers anyway. The first value of a key creates
the row (``last=1``); when another transaction created it first, the bump is retried.
"""

from __future__ import annotations

from django.db import IntegrityError, connections, router, transaction


def _bump(model, key: dict) -> int | None:
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    where = " AND ".join(f"{quote(model._meta.get_field(k).column)} = %s" for k in key)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {quote('last')} = {quote('last')} + 1 "
        f"WHERE {where} RETURNING {quote('last')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [getattr(v, "pk", v) for v in key.values()])
        row = cursor.fetchone()
    return row[0] if row else None


def next_value(model, **key) -> int:
    """The next value of ``model``'s counter row for ``key`` (field=value; a model
    instance for a foreign key). ``model`` has a ``last`` integer field and a unique
    constraint over the key's fields."""
    value = _bump(model, key)
    if value is None:
        try:
            with transaction.atomic():
                model.objects.create(**key, last=1)
            value = 1
        except IntegrityError:  # another window created it first
            value = _bump(model, key)
    return value
