"""评价日统计 (``RatingDay``): the satisfaction figures over millions of ratings.

* :func:`add` — one counted rating more (a new rating) or less (taken out by an
  upheld appeal), in the caller's transaction: one ``INSERT … ON CONFLICT DO UPDATE``
  that adds ``delta`` to the (day, department, channel, level) row, so concurrent
  ratings never lose a count (the row is locked by the statement only).
* :func:`rebuild` — the rows of a period (or all) recounted from the ratings
  (``manage.py rebuild_rating_rollups``); the test checks that the kept rows equal a
  rebuild.
* :func:`by_level` — counts by level over a period, for ``selectors.satisfaction``.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection, transaction
from django.db.models import Count, Sum

from .models import Rating, RatingDay


@functools.cache
def _upsert_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    table = quote(RatingDay._meta.db_table)
    count = quote("count")
    keys = ", ".join(quote(c) for c in ("day", "department_id", "channel", "level"))
    return (
        f"INSERT INTO {table} ({keys}, {count}) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT ({keys}) DO UPDATE SET {count} = {table}.{count} + EXCLUDED.{count}"
    )


def add(*, rating: Rating, delta: int) -> None:
    """Count ``rating`` (``delta`` +1) or stop counting it (−1) on its day."""
    day = connection.ops.adapt_datefield_value(rating.rated_on)
    with connection.cursor() as cursor:
        cursor.execute(
            _upsert_sql(connection.vendor),
            [day, rating.department_id, rating.channel, rating.level, delta],
        )


def rebuild(*, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Recount the rows of ``start``…``end`` (every day when both are None) from the
    counted ratings. Returns the number of rows written."""
    ratings = Rating.objects.filter(excluded=False)
    rows = RatingDay.objects.all()
    if start is not None:
        ratings, rows = ratings.filter(rated_on__gte=start), rows.filter(day__gte=start)
    if end is not None:
        ratings, rows = ratings.filter(rated_on__lte=end), rows.filter(day__lte=end)
    counted = (
        ratings.values("rated_on", "department_id", "channel", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    with transaction.atomic():
        rows.delete()
        made = RatingDay.objects.bulk_create(
            [
                RatingDay(
                    day=r["rated_on"],
                    department_id=r["department_id"],
                    channel=r["channel"],
                    level=r["level"],
                    count=r["n"],
                )
                for r in counted.iterator(chunk_size=5000)
            ],
            batch_size=1000,
        )
    return len(made)


def by_level(
    *,
    department_ids=None,
    channel: str = "",
    level: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[int, int]:
    """Counted ratings by level. ``department_ids``: ``None`` for every department."""
    rows = RatingDay.objects.all()
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    if channel:
        rows = rows.filter(channel=channel)
    if level:
        rows = rows.filter(level=level)
    if start is not None:
        rows = rows.filter(day__gte=start)
    if end is not None:
        rows = rows.filter(day__lte=end)
    return {
        r["level"]: r["n"]
        for r in rows.values("level").annotate(n=Sum("count")).order_by()
        if r["n"]
    }
