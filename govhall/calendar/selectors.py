"""Working-day arithmetic (工作日计算) — the only place in govhall that counts days.

Conventions (行政许可法 §82 and the usual reading of §32/§42): periods count working
days; 调休上班 days count, statutory holidays do not; the start day (e.g. the day of
受理) is not counted, day 1 is the next working day.

Every call is constant time: the table's ``ordinal`` column (running count of working
days) is held in memory as ``date → ordinal`` and ``ordinal → date``; one primary-key
read of :class:`CalendarVersion` tells whether another process changed the table
(then the copy is reloaded once). Nothing loops day by day per case.

When is the token read? Once per database transaction: inside ``atomic`` the first
call reads it and later calls of the same transaction trust the copy (a case's
受理 makes five calendar calls; they now cost one read, not five). A caller whose first
statement reads a row anyway may read the token in it (:func:`token_expression`, a
one-row subquery) and hand it to :func:`note_token`: then the transaction's calls
read nothing at all (the case's locking read does this). Outside a
transaction (autocommit) every call reads it. So a schedule committed by another
process is seen by the next transaction that starts after the commit — the bound is
the length of a transaction (milliseconds), never a timer. The calendar services
drop the copy in-process (:func:`invalidate_cache`) inside their own transaction;
a rollback ends the transaction, so the next one reads the token again and reloads
the committed table — no stale copy survives a rolled-back test.

Years beyond the table (far future) are derived in memory with the provisional rule
(weekends + statutory holidays), up to ``today + MAX_YEARS_AHEAD`` years.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import NamedTuple

from django.db import connections, router
from django.db.models import CharField, QuerySet
from django.db.models.expressions import RawSQL

from govhall.core import clock
from govhall.core.errors import ValidationFailed

from . import predict, rules
from .models import CalendarVersion, Day, YearSchedule

MAX_YEARS_AHEAD = 10


class WorkdayResult(NamedTuple):
    date: dt.date
    provisional: bool


class WorkdayCount(NamedTuple):
    count: int
    provisional: bool


class _Table:
    """In-memory copy of the table (about 12 000 days: a few hundred kB)."""

    def __init__(self, token: str | None):
        self.token = token
        self.first: dt.date | None = None
        self.last: dt.date | None = None
        self.ordinal_of: dict[dt.date, int] = {}
        self.date_of: list[dt.date | None] = []  # index = ordinal
        self.provisional_years: set[int] = set()
        self.names: dict[dt.date, tuple[str, str]] = {}  # date → (kind, name), non-plain days

    def load(self) -> None:
        rows = Day.objects.order_by("date").values_list(
            "date", "ordinal", "is_workday", "kind", "name"
        )
        self.provisional_years = {
            s.year for s in YearSchedule.objects.filter(source="provisional").only("year")
        }
        for day, ordinal, working, kind, name in rows.iterator(chunk_size=5000):
            self._put(day, ordinal, working, kind, name)
        if self.first is None:
            # Empty table (e.g. flushed by a transactional test): derive it from the
            # rules in memory so deadlines never fail; nothing is written here.
            self._extend_to(rules.FIRST_YEAR, clock.today().year + 1, derive_official=True)

    def _put(self, day, ordinal, working, kind, name) -> None:
        if self.first is None:
            self.first = day
            self.date_of = [None] * (ordinal + 1)
        self.last = day
        self.ordinal_of[day] = ordinal
        if working:
            while len(self.date_of) <= ordinal:
                self.date_of.append(None)
            self.date_of[ordinal] = day
        if kind in (rules.HOLIDAY, rules.MAKEUP) or name:
            self.names[day] = (kind, name)

    def _extend_to(self, from_year: int, to_year: int, *, derive_official=False) -> None:
        ordinal = self.ordinal_of[self.last] if self.last else 0
        for year in range(from_year, to_year + 1):
            official = derive_official and rules.has_official_schedule(year)
            if official:
                days = rules.official_year(year)
            else:
                days = [rule for rule, _uncertain in predict.provisional_year(year)]
                self.provisional_years.add(year)
            for rule in days:
                if rule.is_workday:
                    ordinal += 1
                self._put(rule.date, ordinal, rule.is_workday, rule.kind, rule.name)

    def ensure(self, day: dt.date) -> None:
        """Make sure ``day`` is covered, extending provisionally when allowed."""
        if self.first is not None and self.first <= day <= self.last:
            return
        if day.year < rules.FIRST_YEAR or (self.first and day < self.first):
            raise ValidationFailed(
                f"日期 {day:%Y-%m-%d} 早于工作日历起始年份（{rules.FIRST_YEAR}年）",
                code="date_out_of_range",
            )
        limit = clock.today().year + MAX_YEARS_AHEAD
        if day.year > max(limit, self.last.year):
            raise ValidationFailed(
                f"日期 {day:%Y-%m-%d} 超出工作日历可推算范围（至{limit}年）",
                code="date_out_of_range",
            )
        with _lock:
            if day > self.last:
                self._extend_to(self.last.year + 1, day.year)

    def ensure_ordinal(self, ordinal: int) -> None:
        limit = clock.today().year + MAX_YEARS_AHEAD
        with _lock:
            while ordinal >= len(self.date_of) and self.last.year < limit:
                self._extend_to(self.last.year + 1, self.last.year + 1)
        if ordinal < 1 or ordinal >= len(self.date_of) or self.date_of[ordinal] is None:
            raise ValidationFailed(
                f"结果超出工作日历可推算范围（至{limit}年）", code="date_out_of_range"
            )


_lock = threading.RLock()
_table: _Table | None = None


def _current_token() -> str | None:
    # Asked by every deadline computed outside a case's locking read (complaints, 差评,
    # jobs): one primary-key read, written as SQL because building it through the ORM
    # cost four times what running it does.
    meta = CalendarVersion._meta
    conn = _connection()
    quote = conn.ops.quote_name
    sql = (
        f"SELECT {quote(meta.get_field('token').column)} FROM {quote(meta.db_table)} "
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    with conn.cursor() as cursor:
        cursor.execute(sql, [1])
        row = cursor.fetchone()
    return row[0] if row else None


_checked = threading.local()  # per thread (connections are per thread): the last check


def _connection():
    return connections[router.db_for_read(CalendarVersion)]


def _checked_in_this_transaction(table: _Table) -> bool:
    """Was the token read in the current transaction and found equal to ``table``'s?

    The check leaves a no-op ``on_commit`` marker; Django drops pending ``on_commit``
    callbacks when the transaction commits or rolls back (and those of a rolled-back
    savepoint), so "our marker is still pending" ⇔ "same transaction, no rollback
    since". Looked up at its remembered index: O(1), any doubt means read again.
    """
    mark = getattr(_checked, "mark", None)
    if mark is None or mark[0] is not table:
        return False
    conn = _connection()
    if not conn.in_atomic_block:
        return False
    pending = conn.run_on_commit
    index = mark[2]
    return index < len(pending) and pending[index][1] is mark[1]


def _remember_check(table: _Table) -> None:
    conn = _connection()
    if not conn.in_atomic_block:
        _checked.mark = None
        return

    def marker():  # pragma: no cover - nothing to do; only its presence matters
        return None

    conn.on_commit(marker)
    _checked.mark = (table, marker, len(conn.run_on_commit) - 1)


def _get_table() -> _Table:
    table = _table
    if table is not None and _checked_in_this_transaction(table):
        return table
    return _trust(_current_token())


def _trust(token: str | None) -> _Table:
    """The copy for ``token`` (the token read in this transaction), reloaded if the
    copy in memory has another; trusted for the rest of the transaction."""
    global _table
    table = _table
    if table is None or table.token != token:
        with _lock:
            if _table is None or _table.token != token:
                fresh = _Table(token)
                fresh.load()
                _table = fresh
            table = _table
    _remember_check(table)
    return table


def token_expression() -> RawSQL:
    """The version token as an SQL expression, for a caller whose first statement of a
    transaction reads a row anyway (the case's locking read annotates it): pass the
    value to :func:`note_token` and the transaction's calendar calls read nothing."""
    table = CalendarVersion._meta
    quote = _connection().ops.quote_name
    return RawSQL(
        f"SELECT {quote(table.get_field('token').column)} FROM {quote(table.db_table)} "
        f"WHERE {quote(table.pk.column)} = 1",
        (),
        output_field=CharField(),
    )


def note_token(token: str | None) -> None:
    """The token as read by a statement of the current transaction
    (:func:`token_expression`): the copy in memory is reloaded if it carries another,
    and trusted for the rest of the transaction, as after the token read of
    :func:`_get_table`. Outside a transaction it only refreshes the copy."""
    _trust(token)


def invalidate_cache() -> None:
    """Drop this process's copy (services call it after every write); the next call
    reads the token and reloads, even later in the same transaction."""
    global _table
    with _lock:
        _table = None
        _checked.mark = None


def _check_date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise ValidationFailed(
            "日期格式不正确，应为 YYYY-MM-DD",
            code="invalid_date",
            fields={field: ["日期格式不正确"]},
        )
    return value


def _is_provisional(table: _Table, start: dt.date, end: dt.date) -> bool:
    lo, hi = min(start, end), max(start, end)
    return any(year in table.provisional_years for year in range(lo.year, hi.year + 1))


# --- the contract used by cases and everyone else ---------------------------------


def workday_ordinal(*, day: dt.date) -> int:
    """Running count of working days up to and including ``day`` (a non-working day
    has the previous working day's number). Store it next to a date to filter in SQL."""
    day = _check_date(day, "day")
    table = _get_table()
    table.ensure(day)
    return table.ordinal_of[day]


def date_of_ordinal(*, ordinal: int) -> dt.date:
    """The working day whose ordinal is ``ordinal``."""
    table = _get_table()
    table.ensure_ordinal(ordinal)
    return table.date_of[ordinal]


def is_workday(*, day: dt.date) -> bool:
    """工作日 or 调休上班 (a worked Saturday counts, 行政许可法 §82)."""
    day = _check_date(day, "day")
    table = _get_table()
    table.ensure(day)
    return table.date_of[table.ordinal_of[day]] == day


def next_workday(*, day: dt.date) -> dt.date:
    """The first working day strictly after ``day``."""
    return add_workdays(start=day, days=1).date


def add_workdays(*, start: dt.date, days: int) -> WorkdayResult:
    """The date ``days`` working days after ``start``; the start day is not counted
    (受理 on Monday + 1 working day = Tuesday). ``days=0`` returns ``start``."""
    start = _check_date(start, "start")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ValidationFailed(
            "工作日天数必须为非负整数", code="invalid_days", fields={"days": ["必须为非负整数"]}
        )
    table = _get_table()
    table.ensure(start)
    if days == 0:
        return WorkdayResult(start, start.year in table.provisional_years)
    target = table.ordinal_of[start] + days
    table.ensure_ordinal(target)
    end = table.date_of[target]
    return WorkdayResult(end, _is_provisional(table, start, end))


def workdays_between(*, start: dt.date, end: dt.date) -> WorkdayCount:
    """Working days in (start, end] — e.g. days used since 受理; 0 when end <= start."""
    start = _check_date(start, "start")
    end = _check_date(end, "end")
    table = _get_table()
    table.ensure(start)
    table.ensure(end)
    if end <= start:
        return WorkdayCount(0, False)
    count = table.ordinal_of[end] - table.ordinal_of[start]
    return WorkdayCount(count, _is_provisional(table, start, end))


def is_provisional_year(*, year: int) -> bool:
    """True while the year's days are 推算 (no official or centre-entered schedule)."""
    table = _get_table()
    if table.last is not None and year > table.last.year:
        return True
    return year in table.provisional_years


# --- pages -------------------------------------------------------------------------


def days_of_year(*, year: int) -> QuerySet[Day]:
    return Day.objects.filter(date__year=year).order_by("date")


def year_schedules() -> QuerySet[YearSchedule]:
    return YearSchedule.objects.select_related("entered_by").order_by("year")


# The State Council's General Office publishes next year's holiday schedule between late
# October and December (2024's on 2023-10-25, 2025's on 2024-11-12, 2026's on
# 2025-11-04): from this day of the year on, a 推算 next year is waiting to be entered.
SCHEDULE_SEASON_FROM = (10, 20)


def schedules_to_enter(*, today: dt.date | None = None) -> list[int]:
    """The years whose State Council schedule the centre should be entering now: this
    year while it is still 推算, and next year from :data:`SCHEDULE_SEASON_FROM` on —
    the weeks in which deadlines run into a predicted year (docs/calendar.md)."""
    today = today or clock.today()
    years = [today.year] if is_provisional_year(year=today.year) else []
    if today >= dt.date(today.year, *SCHEDULE_SEASON_FROM) and is_provisional_year(
        year=today.year + 1
    ):
        years.append(today.year + 1)
    return years


def year_schedule(*, year: int) -> YearSchedule | None:
    return YearSchedule.objects.select_related("entered_by").filter(year=year).first()


def year_days(*, year: int) -> list[rules.DayRule]:
    """Every day of ``year`` with kind and name, from the table or (beyond it) derived."""
    rows = list(days_of_year(year=year))
    if rows:
        return [rules.DayRule(r.date, r.kind, r.name) for r in rows]
    table = _get_table()
    table.ensure(dt.date(year, 12, 31))
    return [
        rules.DayRule(d, *table.names.get(d, rules.weekend_rule(d)[1:]))
        for d in rules.year_days(year)
    ]


def uncertain_days(*, year: int) -> set[dt.date]:
    """The 推算 days of ``year`` the predictor is not sure of (待定: counted as working
    days), from the table or, beyond it, from the prediction."""
    if Day.objects.filter(date__year=year).exists():
        return set(
            Day.objects.filter(date__year=year, uncertain=True).values_list("date", flat=True)
        )
    if rules.has_official_schedule(year):
        return set()
    return {rule.date for rule, unsure in predict.provisional_year(year) if unsure}


def covered_years() -> list[int]:
    table = _get_table()
    last = max(table.last.year, clock.today().year + 1) if table.last else clock.today().year
    return list(range(table.first.year if table.first else rules.FIRST_YEAR, last + 1))
