"""日统计 (issue 11 §5): the rollup table ``DailyCount``, recounted and read.

A row is what happened on one day (Asia/Shanghai, ``settings.TIME_ZONE``) in one
department, per 承办人 (``Case.responsible``) and that staff member's window
(``Staff.window``, as it is now). A case counts in up to four buckets — a bucket is a
(department, day):

* 收件: the local date of ``received_at`` → ``received``, ``received_online``
  (channel 网上);
* 受理: ``accepted_on`` (the clock's start; for a §32 deemed acceptance the day the
  materials arrived) → ``accepted``, ``deemed_accepted``;
* 不予受理: the local date of ``closed_at`` of a case in 不予受理 → ``not_accepted``;
* 办结: the local date of ``completed_at`` → ``completed``, ``completed_on_time``
  (办结 on or before ``due_date``; a case without a due date counts as on time),
  ``completed_instant`` (the case's guide version is a 即办件), ``days_used``
  (working days from ``accepted_on`` to the 办结 day, the acceptance day not
  counted, less ``paused_days``: the days of 特殊环节 not counted in the limit; never
  below 0) and ``days_promised`` (``limit_days``).

一件事 parents count nowhere: their children are the cases of each department and
carry the counts (as the warnings, ``receivers.py``), so a 一件事 of two items is two
收件, two 受理 … in two departments, and nothing is counted twice.

Writers: :func:`recount_cases` (the drain, after a case changed: it replaces the rows
of every bucket the case counts in, counted from the case table) and :func:`rebuild`
(any range, set-based: one ``INSERT … SELECT … GROUP BY``; ``manage.py
rebuild_supervision_rollups``). Both give the same rows: one per (day, department,
window, staff) that has something to count. The rows are derived data, not a record
(the cases' events and the audit log are): they are not audited.

Readers: :func:`totals` and :func:`series` (dashboard, evaluation, portal statistics).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from govhall.calendar import rules as calendar_rules
from govhall.calendar import selectors as calendar
from govhall.cases.models import Case, Channel, State
from govhall.catalog.models import CaseType
from govhall.core.errors import ValidationFailed

from .models import DailyCount

METRICS = (
    "received",
    "received_online",
    "accepted",
    "deemed_accepted",
    "not_accepted",
    "completed",
    "completed_on_time",
    "completed_instant",
    "days_used",
    "days_promised",
)
GROUPS = {
    "department": "department_id",
    "window": "window_id",
    "staff": "staff_id",
    "day": "day",
    "month": "month",
}
MAX_RANGE_DAYS = 366 * 20  # a bounded read: twenty years at most
_LOCK_NAMESPACE = 0x5350  # "SP": advisory locks of the rollup buckets (PostgreSQL)

Bucket = tuple[int, dt.date]  # (department_id, day)


# --------------------------------------------------------------------------- days


def _tz():
    return timezone.get_default_timezone()


def _day_start(day: dt.date) -> dt.datetime:
    """The aware instant at which local ``day`` begins."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=_tz())


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return None if value is None else timezone.localdate(value, _tz())


def used_workdays(*, accepted_on: dt.date | None, completed_on: dt.date, paused_days: int) -> int:
    """Working days a case used: from 受理 (not counted, 行政许可法 §82) to the 办结 day,
    less the paused days (特殊环节 not counted in the limit); 0 without acceptance."""
    if accepted_on is None:
        return 0
    used = calendar.workdays_between(start=accepted_on, end=completed_on).count
    return max(0, used - (paused_days or 0))


def _not_parent() -> Q:
    return Q(bundle__isnull=True) | Q(parent__isnull=False)


# --------------------------------------------------------------------------- recount


def _buckets_of(rows) -> set[Bucket]:
    found: set[Bucket] = set()
    for r in rows:
        dept = r["department_id"]
        found.add((dept, _local_day(r["received_at"])))
        if r["accepted_on"] is not None:
            found.add((dept, r["accepted_on"]))
        if r["completed_at"] is not None:
            found.add((dept, _local_day(r["completed_at"])))
        if r["state"] == State.REFUSED and r["closed_at"] is not None:
            found.add((dept, _local_day(r["closed_at"])))
    return found


def _range_q(field: str, buckets: Iterable[Bucket], *, dates: bool) -> Q:
    """Cases of any of ``buckets`` by ``field`` (a date, or a datetime by local day)."""
    by_dept: dict[int, list[dt.date]] = defaultdict(list)
    for dept, day in buckets:
        by_dept[dept].append(day)
    q = Q(pk__in=[])
    for dept, days in by_dept.items():
        if dates:
            q |= Q(department_id=dept, **{f"{field}__in": days})
            continue
        for day in days:
            q |= Q(
                department_id=dept,
                **{
                    f"{field}__gte": _day_start(day),
                    f"{field}__lt": _day_start(day + dt.timedelta(days=1)),
                },
            )
    return q


def _lock_buckets(buckets: Sequence[Bucket]) -> None:
    """PostgreSQL: two drains recounting one bucket take turns (else both delete the
    old rows and both insert). Sorted, so two batches never wait on each other."""
    if connection.vendor != "postgresql" or not buckets:
        return
    keys = sorted({(_LOCK_NAMESPACE << 48) | (d << 20) | day.toordinal() for d, day in buckets})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [keys]
        )


def _count_buckets(buckets: set[Bucket]) -> list[DailyCount]:
    """Fresh rows of ``buckets`` from the case table: one query per kind of bucket."""
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    base = Case.objects.filter(_not_parent())
    common = ("department_id", "responsible_id", "responsible__window_id")

    def add(row, day, **metrics):
        key = (day, row["department_id"], row["responsible__window_id"], row["responsible_id"])
        if (key[1], day) not in buckets:
            return  # a neighbour day of the same query (never, with exact ranges)
        target = counts[key]
        for name, value in metrics.items():
            target[name] += int(value)

    for r in base.filter(_range_q("received_at", buckets, dates=False)).values(
        *common, "received_at", "channel"
    ):
        add(
            r,
            _local_day(r["received_at"]),
            received=1,
            received_online=r["channel"] == Channel.ONLINE,
        )
    for r in base.filter(_range_q("accepted_on", buckets, dates=True)).values(
        *common, "accepted_on", "deemed_accepted_s32"
    ):
        add(r, r["accepted_on"], accepted=1, deemed_accepted=r["deemed_accepted_s32"])
    for r in base.filter(_range_q("closed_at", buckets, dates=False), state=State.REFUSED).values(
        *common, "closed_at"
    ):
        add(r, _local_day(r["closed_at"]), not_accepted=1)
    for r in base.filter(_range_q("completed_at", buckets, dates=False)).values(
        *common,
        "completed_at",
        "accepted_on",
        "due_date",
        "paused_days",
        "limit_days",
        "item_version__case_type",
    ):
        day = _local_day(r["completed_at"])
        add(
            r,
            day,
            completed=1,
            completed_on_time=r["due_date"] is None or day <= r["due_date"],
            completed_instant=r["item_version__case_type"] == CaseType.INSTANT,
            days_used=used_workdays(
                accepted_on=r["accepted_on"], completed_on=day, paused_days=r["paused_days"]
            ),
            days_promised=r["limit_days"],
        )
    return [
        DailyCount(day=day, department_id=dept, window_id=window, staff_id=staff, **metrics)
        for (day, dept, window, staff), metrics in counts.items()
    ]


def recount_cases(*, case_ids) -> int:
    """Replace the rows of every (department, day) the cases count in with fresh ones
    counted from the case table; returns the number of rows written. Call it in the
    transaction that saw the cases change (the drain), after their commit.

    The buckets a case counts in now are recounted, and on the same days those of every
    other department that has rows: a case never leaves a day (the dates are set once),
    but it leaves its department when its item is 划转 (governance), and the old
    department's day must lose it. ``rebuild`` repairs anything else."""
    ids = sorted({int(pk) for pk in case_ids})
    if not ids:
        return 0
    with transaction.atomic():
        rows = (
            Case.objects.filter(pk__in=ids)
            .filter(_not_parent())
            .values(
                "department_id", "received_at", "accepted_on", "completed_at", "closed_at", "state"
            )
        )
        buckets = _buckets_of(rows)
        if not buckets:
            return 0
        days = {day for _, day in buckets}
        buckets |= set(
            DailyCount.objects.filter(day__in=days)
            .values_list("department_id", "day")
            .distinct()
            .order_by()
        )
        ordered = sorted(buckets)
        _lock_buckets(ordered)
        fresh = _count_buckets(buckets)
        q = Q(pk__in=[])
        by_dept: dict[int, list[dt.date]] = defaultdict(list)
        for dept, day in ordered:
            by_dept[dept].append(day)
        for dept, days in by_dept.items():
            q |= Q(department_id=dept, day__in=days)
        DailyCount.objects.filter(q).delete()
        DailyCount.objects.bulk_create(fresh, batch_size=1000)
        return len(fresh)


# Named in the model's docstring.
recount = recount_cases


# --------------------------------------------------------------------------- rebuild


_ORDINALS = "supervision_rollup_ordinal"


def _fill_ordinals(cursor, lo: dt.date, hi: dt.date) -> None:
    """A temporary table day → working-day ordinal (``calendar.workday_ordinal``) from
    ``lo`` to ``hi``, so that SQL subtracts two ordinals per case instead of Python
    counting days: the calendar stays the only one that knows which days work."""
    ops = connection.ops
    cursor.execute(f"DROP TABLE IF EXISTS {_ORDINALS}")
    cursor.execute(f"CREATE TEMPORARY TABLE {_ORDINALS} (day date PRIMARY KEY, ordinal integer)")
    first = dt.date(calendar_rules.FIRST_YEAR, 1, 1)
    day, rows = max(lo, first), []
    while day <= hi:
        rows.append((ops.adapt_datefield_value(day), calendar.workday_ordinal(day=day)))
        day += dt.timedelta(days=1)
    for i in range(0, len(rows), 500):
        chunk = rows[i : i + 500]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        cursor.execute(
            f"INSERT INTO {_ORDINALS} (day, ordinal) VALUES {values}",
            [v for row in chunk for v in row],
        )


def _ordinal_span(cursor, where: str, params: list) -> tuple[dt.date, dt.date] | None:
    """The days whose ordinals the 办结 of the range need: from the earliest 受理 to
    the latest 办结 (a day beyond on either side for the time zone)."""
    table = Case._meta.db_table
    cursor.execute(
        f"SELECT MIN(accepted_on), MAX(completed_at), MIN(completed_at) FROM {table} c "
        f"WHERE c.completed_at IS NOT NULL{where}",
        params,
    )
    first_accept, last_done, first_done = cursor.fetchone()
    if last_done is None:
        return None
    if isinstance(last_done, str):  # SQLite hands the raw text to a raw cursor
        last_done = dt.datetime.fromisoformat(last_done)
        first_done = dt.datetime.fromisoformat(first_done)
    if isinstance(first_accept, str):
        first_accept = dt.date.fromisoformat(first_accept)
    lo = min(x for x in (first_accept, first_done.date()) if x is not None)
    return lo - dt.timedelta(days=1), last_done.date() + dt.timedelta(days=1)


def _insert_select(start, end, department_id) -> tuple[str, list]:
    """The one statement that counts every bucket of the range from the case table:
    four ``SELECT``s (收件, 受理, 不予受理, 办结), each cut to the range by its own
    indexed column, summed per (day, department, window, staff)."""
    ops, qn = connection.ops, connection.ops.quote_name
    case_t = Case._meta.db_table
    staff_t = Case._meta.get_field("responsible").related_model._meta.db_table
    version_t = Case._meta.get_field("item_version").related_model._meta.db_table

    def local(col):
        sql, params = ops.datetime_cast_date_sql(col, (), settings.TIME_ZONE)
        return sql, list(params)

    def bounds(col, *, dates):
        sql, params = "", []
        if dates:
            low, high = (ops.adapt_datefield_value(d) if d else None for d in (start, end))
        else:
            low = ops.adapt_datetimefield_value(_day_start(start)) if start else None
            high = (
                ops.adapt_datetimefield_value(_day_start(end + dt.timedelta(days=1)))
                if end
                else None
            )
        if low is not None:
            sql += f" AND {col} >= %s"
            params.append(low)
        if high is not None:
            sql += f" AND {col} {'<=' if dates else '<'} %s"
            params.append(high)
        if department_id is not None:
            sql += " AND c.department_id = %s"
            params.append(department_id)
        return sql, params

    def columns(day: str, prefix: str = "", **metrics) -> str:
        cols = [f"{day} AS day", f"{prefix}dept AS dept", f"{prefix}win AS win"]
        cols.append(f"{prefix}staff AS staff")
        cols += [f"{metrics.get(m, '0')} AS {m}" for m in METRICS]
        return ", ".join(cols)

    not_parent = "(c.bundle_id IS NULL OR c.parent_id IS NOT NULL)"
    parts, params = [], []

    def part(day_col, local_day, where, *, extra_params=(), **metrics):
        day_sql, day_params = local(f"c.{day_col}") if local_day else (f"c.{day_col}", [])
        b_sql, b_params = bounds(f"c.{day_col}", dates=not local_day)
        parts.append(
            f"SELECT {columns('x.day', 'x.', **metrics)} FROM ("
            f"SELECT {day_sql} AS day, c.department_id AS dept, s.window_id AS win, "
            f"c.responsible_id AS staff, c.channel, c.deemed_accepted_s32, c.due_date, "
            f"c.accepted_on, c.paused_days, c.limit_days, v.case_type "
            f"FROM {qn(case_t)} c LEFT JOIN {qn(staff_t)} s ON s.id = c.responsible_id "
            f"LEFT JOIN {qn(version_t)} v ON v.id = c.item_version_id "
            f"WHERE {not_parent} AND c.{day_col} IS NOT NULL{where}{b_sql}) x "
            f"LEFT JOIN {_ORDINALS} oa ON oa.day = x.accepted_on "
            f"LEFT JOIN {_ORDINALS} od ON od.day = x.day"
        )
        params.extend([*day_params, *extra_params, *b_params])

    # Constants of the code (not input) are written into the statement.
    online, instant = f"'{Channel.ONLINE.value}'", f"'{CaseType.INSTANT.value}'"
    part(
        "received_at",
        True,
        "",
        received="1",
        received_online=f"CASE WHEN x.channel = {online} THEN 1 ELSE 0 END",
    )
    part(
        "accepted_on",
        False,
        "",
        accepted="1",
        deemed_accepted="CASE WHEN x.deemed_accepted_s32 THEN 1 ELSE 0 END",
    )
    part(
        "closed_at", True, " AND c.state = %s", extra_params=[State.REFUSED.value], not_accepted="1"
    )
    used = "(od.ordinal - oa.ordinal - x.paused_days)"
    part(
        "completed_at",
        True,
        "",
        completed="1",
        completed_on_time="CASE WHEN x.due_date IS NULL OR x.day <= x.due_date THEN 1 ELSE 0 END",
        completed_instant=f"CASE WHEN x.case_type = {instant} THEN 1 ELSE 0 END",
        days_used=f"CASE WHEN {used} > 0 THEN {used} ELSE 0 END",
        days_promised="x.limit_days",
    )

    target = DailyCount._meta.db_table
    cols = ", ".join(METRICS)
    sums = ", ".join(f"SUM(u.{m})" for m in METRICS)
    sql = (
        f"INSERT INTO {qn(target)} (day, department_id, window_id, staff_id, {cols}) "
        f"SELECT u.day, u.dept, u.win, u.staff, {sums} FROM ("
        + " UNION ALL ".join(parts)
        + ") u GROUP BY u.day, u.dept, u.win, u.staff"
    )
    return sql, params


def _check_range(start, end) -> None:
    for value in (start, end):
        if value is not None and not isinstance(value, dt.date):
            raise ValidationFailed("日期格式不正确，应为 YYYY-MM-DD", code="invalid_date")
    if start and end and end < start:
        raise ValidationFailed("结束日期不能早于开始日期", code="invalid_range")


def rebuild(*, start: dt.date | None = None, end: dt.date | None = None, department_id=None) -> int:
    """Rebuild every bucket of days ``start``–``end`` (either open) of one department or
    all, set-based: the rows of the range go and one ``INSERT … SELECT … GROUP BY``
    counts them again. Returns the number of rows written."""
    _check_range(start, end)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A recount waits until the rebuild committed (else it deletes rows the
            # rebuild has not yet written and inserts beside them).
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {connection.ops.quote_name(DailyCount._meta.db_table)} "
                    "IN SHARE ROW EXCLUSIVE MODE"
                )
        old = DailyCount.objects.all()
        if start:
            old = old.filter(day__gte=start)
        if end:
            old = old.filter(day__lte=end)
        if department_id is not None:
            old = old.filter(department_id=department_id)
        old._raw_delete(old.db)
        with connection.cursor() as cursor:
            where, params = "", []
            lo = _day_start(start) if start else None
            hi = _day_start(end + dt.timedelta(days=1)) if end else None
            adapt = connection.ops.adapt_datetimefield_value
            if lo is not None:
                where += " AND c.completed_at >= %s"
                params.append(adapt(lo))
            if hi is not None:
                where += " AND c.completed_at < %s"
                params.append(adapt(hi))
            if department_id is not None:
                where += " AND c.department_id = %s"
                params.append(department_id)
            span = _ordinal_span(cursor, where, params)
            if span is not None:
                _fill_ordinals(cursor, *span)
            else:
                _fill_ordinals(cursor, dt.date(2000, 1, 2), dt.date(2000, 1, 1))  # empty
            if connection.vendor == "postgresql":
                # One statement of some seconds: no JIT (compiling it took 8 of 20 s at
                # 1,000,000 cases) and room for the hash of the groups (no spill).
                # (One pass with a LATERAL (VALUES …) of four rows a case was slower.)
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '128MB'")
            sql, params = _insert_select(start, end, department_id)
            cursor.execute(sql, params)
            written = cursor.rowcount
            cursor.execute(f"DROP TABLE IF EXISTS {_ORDINALS}")
        return written


# --------------------------------------------------------------------------- read


def _bounded_range(start, end) -> None:
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise ValidationFailed("日期格式不正确，应为 YYYY-MM-DD", code="invalid_date")
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期", code="invalid_range")
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed("统计区间过长（最长二十年）", code="invalid_range")


def _scoped(start, end, department_ids, window_ids):
    qs = DailyCount.objects.filter(day__gte=start, day__lte=end)
    if department_ids is not None:
        qs = qs.filter(department_id__in=list(department_ids))
    if window_ids is not None:
        qs = qs.filter(window_id__in=list(window_ids))
    return qs


def totals(
    *,
    start: dt.date,
    end: dt.date,
    group_by: Sequence[str] = ("department",),
    department_ids: Iterable[int] | None = None,
    window_ids: Iterable[int] | None = None,
) -> list[dict]:
    """The summed metrics of days ``start``–``end`` per group: each dict has the group
    keys (``department``, ``window``, ``staff`` as ids — ``None`` for no window or no
    承办人 —, ``day`` and ``month`` as dates, a month by its first day) and every name
    of :data:`METRICS`; ``group_by=()`` gives one dict, the sum of everything (zeros
    when nothing happened). Ordered by the group keys. ``department_ids`` /
    ``window_ids`` narrow the rows (the caller decides what the user may see)."""
    _bounded_range(start, end)
    group_by = tuple(group_by)
    unknown = [g for g in group_by if g not in GROUPS]
    if unknown or len(set(group_by)) != len(group_by):
        raise ValidationFailed(
            f"不支持的分组：{', '.join(unknown) or '重复'}", code="invalid_group"
        )
    qs = _scoped(start, end, department_ids, window_ids)
    if "month" in group_by:
        qs = qs.annotate(month=TruncMonth("day"))
    sums = {m: Sum(m) for m in METRICS}
    if not group_by:
        row = qs.aggregate(**sums)
        return [{m: row[m] or 0 for m in METRICS}]
    columns = [GROUPS[g] for g in group_by]
    rows = qs.order_by().values(*columns).annotate(**sums).order_by(*columns)
    out = []
    for r in rows:
        item = {g: r[GROUPS[g]] for g in group_by}
        if "month" in item and isinstance(item["month"], dt.datetime):
            item["month"] = item["month"].date()
        item.update({m: r[m] or 0 for m in METRICS})
        out.append(item)
    return out


def series(
    *, start: dt.date, end: dt.date, department_ids: Iterable[int] | None = None
) -> list[dict]:
    """Every day of ``start``–``end`` in order (zeros on a day without rows):
    ``{"day", "received", "completed", "completed_on_time"}``."""
    _bounded_range(start, end)
    rows = (
        _scoped(start, end, department_ids, None)
        .order_by()
        .values("day")
        .annotate(
            received=Sum("received"),
            completed=Sum("completed"),
            completed_on_time=Sum("completed_on_time"),
        )
    )
    by_day = {r["day"]: r for r in rows}
    out, day = [], start
    while day <= end:
        r = by_day.get(day)
        out.append(
            {
                "day": day,
                "received": r["received"] if r else 0,
                "completed": r["completed"] if r else 0,
                "completed_on_time": r["completed_on_time"] if r else 0,
            }
        )
        day += dt.timedelta(days=1)
    return out
