"""评价日统计 (``RatingDay``): the satisfaction figures over millions of ratings.

* :func:`add` — one counted rating more (a new rating) or less (taken out by an
  upheld appeal), in the caller's transaction: one ``INSERT … ON CONFLICT DO UPDATE``
  that adds ``delta`` to the (day, department, channel, level) row, so concurrent
  ratings never lose a count (the row is locked by the statement only).
* :func:`rebuild` — the rows of a period (or all) recounted from the ratings
  (``manage.py rebuild_rating_rollups``); the test checks that the kept rows equal a
  rebuild.
* :func:`add_done` — a real-name 差评's loop became done (closed after rectification
  or explanation, with a 回访 record), or a done one stopped counting;
* :func:`totals` — counts by level, real-name 差评 and done ones over a period, for
  ``selectors.satisfaction``.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum

from .models import Callback, Rating, RatingDay

COLUMNS = ("count", "real_bad", "real_bad_done")


@functools.cache
def _upsert_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    table = quote(RatingDay._meta.db_table)
    keys = ", ".join(quote(c) for c in ("day", "department_id", "channel", "level"))
    values = ", ".join(quote(c) for c in COLUMNS)
    sets = ", ".join(f"{quote(c)} = {table}.{quote(c)} + EXCLUDED.{quote(c)}" for c in COLUMNS)
    return (
        f"INSERT INTO {table} ({keys}, {values}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT ({keys}) DO UPDATE SET {sets}"
    )


def _upsert(rating: Rating, count: int, real_bad: int, done: int) -> None:
    day = connection.ops.adapt_datefield_value(rating.rated_on)
    with connection.cursor() as cursor:
        cursor.execute(
            _upsert_sql(connection.vendor),
            [day, rating.department_id, rating.channel, rating.level, count, real_bad, done],
        )


def is_done(bad) -> bool:
    """A 差评's loop counts as 回访整改 done: closed, after rectification or an
    explanation, with a 回访 record."""
    return (
        bad.state == "closed"
        and (bad.rectified_at is not None or bool(bad.explanation))
        and bad.callbacks.exists()
    )


def add(*, rating: Rating, delta: int, done: bool = False) -> None:
    """Count ``rating`` (``delta`` +1) or stop counting it (−1) on its day; a
    real-name 差评 counts in ``real_bad`` too, and in ``real_bad_done`` when
    ``done``."""
    real = 1 if rating.is_bad and rating.real_name else 0
    _upsert(rating, delta, delta * real, delta * real * int(done))


def add_done(*, rating: Rating, delta: int) -> None:
    """A counted real-name 差评's loop became done (+1) or stopped being (−1)."""
    if rating.is_bad and rating.real_name and not rating.excluded:
        _upsert(rating, 0, 0, delta)


def rebuild(*, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Recount the rows of ``start``…``end`` (every day when both are None) from the
    counted ratings. Returns the number of rows written."""
    ratings = Rating.objects.filter(excluded=False)
    rows = RatingDay.objects.all()
    if start is not None:
        ratings, rows = ratings.filter(rated_on__gte=start), rows.filter(day__gte=start)
    if end is not None:
        ratings, rows = ratings.filter(rated_on__lte=end), rows.filter(day__lte=end)
    real = Q(is_bad=True, real_name=True)
    done = (
        real
        & Q(bad_review__state="closed")
        & (Q(bad_review__rectified_at__isnull=False) | ~Q(bad_review__explanation=""))
        & Exists(Callback.objects.filter(bad_review_id=OuterRef("bad_review")))
    )
    counted = (
        ratings.values("rated_on", "department_id", "channel", "level")
        .annotate(n=Count("id"), real_bad=Count("id", filter=real), done=Count("id", filter=done))
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
                    real_bad=r["real_bad"],
                    real_bad_done=r["done"],
                )
                for r in counted.iterator(chunk_size=5000)
            ],
            batch_size=1000,
        )
    return len(made)


def totals(
    *,
    department_ids=None,
    channel: str = "",
    level: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> tuple[dict[int, int], int, int]:
    """Counted ratings by level, real-name 差评 and those done, over the rows of
    the filters. ``department_ids``: ``None`` for every department."""
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
    by_level, real_bad, done = {}, 0, 0
    for r in (
        rows.values("level")
        .annotate(n=Sum("count"), real=Sum("real_bad"), done=Sum("real_bad_done"))
        .order_by()
    ):
        if r["n"]:
            by_level[r["level"]] = r["n"]
        real_bad += r["real"] or 0
        done += r["done"] or 0
    return by_level, real_bad, done
