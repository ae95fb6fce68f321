"""Predicted years (推算): the State Council's 调休 patterns, confirmed by known years.

Pure — no models. ``predict_year(year, known=…)`` gives every day of ``year`` a kind
(as in :mod:`rules`) and ``certain``; docs/calendar.md "推算" states the rules:

* :func:`blocks` lays each festival out by the rules: statutory days per the 放假办法
  in force (:func:`era`); one-day festivals bridged into long weekends (Tuesday →
  Sun–Tue + Saturday worked, Thursday → Thu–Sat + Sunday worked, weekend → Monday off);
  long holidays (春节 from 除夕, 劳动节 five days, 国庆 with 中秋 when near) made up on
  the nearest weekend days (:func:`_span`).
* :func:`_confirmed` / :func:`_always_rest` decide what is certain from the known
  years only: the latest known year in the same situation laid out right by the same
  rules (judged against that year's whole layout, :func:`_laid_kind`), or a day off in
  every known year of that shape. Statutory days are certain. Where the State Council
  has used two layouts in one situation (春节 from 除夕 or 初一; a one-day or a long
  劳动节) the days they differ on are never certain (:func:`_differing`).
* The safety rule (:func:`counted_kind`): an uncertain day counts as a **working**
  day, so a deadline computed on a prediction can only be earlier than the real one.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import NamedTuple

from . import rules
from .rules import HOLIDAY, MAKEUP, WEEKEND, WORKDAY, DayRule

LUNAR_FROM = 2008  # 清明 / 端午 / 中秋 are holidays from the 2008 revision on
GROW_FROM = 2010  # the years whose habits still hold (2008–09 had 国庆 from 9/29 …)


class PredictedDay(NamedTuple):
    date: dt.date
    kind: str
    name: str
    certain: bool

    @property
    def label(self) -> str:
        return rules.KIND_LABELS[self.kind]

    @property
    def rule(self) -> DayRule:
        return DayRule(self.date, self.kind, self.name)


def counted_kind(day: PredictedDay) -> str:
    """The kind a deadline counts: an uncertain day is a working day (调休上班 on a
    Saturday/Sunday, 工作日 otherwise) — deadlines can only get earlier."""
    if day.certain:
        return day.kind
    return MAKEUP if day.date.weekday() >= 5 else WORKDAY


def is_counted_workday(day: PredictedDay) -> bool:
    return counted_kind(day) in rules.WORKING_KINDS


def counted_rule(day: PredictedDay) -> DayRule:
    kind = counted_kind(day)
    name = day.name if kind in (HOLIDAY, MAKEUP) else ""
    return DayRule(day.date, kind, name)


# --- anchors and eras ------------------------------------------------------------------


def _solar(lunar) -> dt.date:
    s = lunar.getSolar()
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


@lru_cache(maxsize=512)
def _lunar_new_year(year: int) -> dt.date:
    from lunar_python import Lunar

    return _solar(Lunar.fromYmd(year, 1, 1))


@lru_cache(maxsize=512)
def _mid_autumn(year: int) -> dt.date:
    from lunar_python import Lunar

    return _solar(Lunar.fromYmd(year, 8, 15))


def anchor(festival: str, year: int) -> dt.date:
    from lunar_python import Lunar

    if festival == "元旦":
        return dt.date(year, 1, 1)
    if festival == "春节":
        return _lunar_new_year(year)
    if festival == "清明节":
        q = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
        return dt.date(q.getYear(), q.getMonth(), q.getDay())
    if festival == "劳动节":
        return dt.date(year, 5, 1)
    if festival == "端午节":
        return _solar(Lunar.fromYmd(year, 5, 5))
    if festival == "中秋节":
        return _mid_autumn(year)
    return dt.date(year, 10, 1)


def era(festival: str, year: int) -> str:
    """Which 放假办法 governs ``festival`` in ``year`` (only the festivals whose
    statutory days changed have more than one era)."""
    if festival == "春节":
        return (
            "1999" if year < 2008 else "2008" if year < 2014 else "2014" if year < 2025 else "2024"
        )
    if festival == "劳动节":
        return "1999" if year < 2008 else "2008" if year < 2025 else "2024"
    return "all"


def statutory_days(festival: str, year: int) -> list[dt.date]:
    """The statutory holiday days of ``festival`` in ``year`` per the 放假办法 in force."""
    a = anchor(festival, year)
    if festival == "春节":
        offsets = {"1999": (0, 1, 2), "2008": (-1, 0, 1), "2014": (0, 1, 2), "2024": (-1, 0, 1, 2)}
        return [a + dt.timedelta(days=o) for o in offsets[era(festival, year)]]
    if festival == "劳动节":
        n = {"1999": 3, "2008": 1, "2024": 2}[era(festival, year)]
        return [a + dt.timedelta(days=o) for o in range(n)]
    if festival == "国庆节":
        return [a + dt.timedelta(days=o) for o in range(3)]
    if festival in ("清明节", "端午节", "中秋节") and year < LUNAR_FROM:
        return []
    return [a]


def _statutory_count(festival: str, year: int) -> int:
    return len(statutory_days(festival, year))


class Block(NamedTuple):
    """One festival's days as the rules lay them out for a year."""

    festival: str
    key: tuple  # the situation; known years in the same situation confirm the layout
    anchor: dt.date  # offsets are compared from here
    rest: frozenset  # days off (holiday)
    makeup: frozenset  # 调休上班
    statutory: frozenset  # days off by law: certain without confirmation
    doubtful: frozenset  # days the rules leave open (never certain)
    first: dt.date  # the window whose days the block speaks for
    last: dt.date
    by_law: frozenset = frozenset()  # off by the 2024 放假办法 (春节 8 days from 除夕)
    far_weekend: frozenset = frozenset()  # weekend days past the nearest free weekend


def _days(start: dt.date, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


def _one_day(festival: str, d: dt.date, *, near_national: bool = False, key_prefix="one"):
    """元旦 / 清明 / 端午 / 中秋 (and 劳动节 before the five-day habit): a Tuesday or
    Thursday holiday is bridged into a long weekend with a make-up day; a weekend one
    gets the Monday off; a Wednesday one stays alone."""
    w = d.weekday()
    one = dt.timedelta(days=1)
    makeup: list[dt.date] = []
    if w == 0:
        rest = [d - 2 * one, d - one, d]
    elif w == 1:
        rest, makeup = [d - 2 * one, d - one, d], [d - 3 * one]
    elif w == 2:
        rest = [d]
    elif w == 3:
        rest, makeup = [d, d + one, d + 2 * one], [d + 3 * one]
    elif w in (4, 5):
        rest = [d, d + one, d + 2 * one]
    else:
        rest = [d - one, d, d + one]
    if near_national and w >= 5:  # its Monday off goes into the 国庆 block
        rest = [x for x in rest if x.weekday() >= 5]
        key_prefix = "mid-near"
    return rest, makeup, (key_prefix, w)


def _span(start: dt.date, length: int, statutory: int, taken: set[dt.date], *, six_days=False):
    """A long holiday of ``length`` days from ``start``; the working days it swallows
    beyond the statutory ones are made up on the nearest weekend days, one on each side
    (before 2025: both on the weekend just before a Monday start of a 7-day holiday /
    just after a Friday end — 7 working days in a row, which the 2024 放假办法 forbids:
    ``six_days``, at most 6 in a row)."""
    rest = _days(start, length)
    end = rest[-1]
    n = sum(x.weekday() < 5 for x in rest) - statutory
    one = dt.timedelta(days=1)

    def weekend_days(direction: int):
        x = (start if direction < 0 else end) + direction * one
        if direction < 0 and start.weekday() == 0 or direction > 0 and end.weekday() == 4:
            x += direction * one  # the weekend day touching the holiday stays off
        while True:
            if x.weekday() >= 5 and x not in taken:
                yield x
            x += direction * one

    makeup: list[dt.date] = []
    branch = "nearest"
    if n >= 2 and length == 7 and start.weekday() == 0 and not six_days:
        makeup, branch = [start - one, start - 2 * one][:n], "before"
    elif n >= 2 and end.weekday() == 4 and not six_days:
        makeup, branch = [end + one, end + 2 * one][:n], "after"
    elif n > 0:
        before, after = weekend_days(-1), weekend_days(1)
        b, a = next(before), next(after)
        side = -1 if (start - b) <= (a - end) else 1  # the nearer side first
        while len(makeup) < n:
            if side < 0:
                makeup.append(b)
                b = next(before)
            else:
                makeup.append(a)
                a = next(after)
            side = -side
    return rest, makeup, ("span", start.weekday(), length, n, branch)


def _layout_kind(day: dt.date, rest, makeup) -> str:
    if day in rest:
        return HOLIDAY
    if day in makeup:
        return MAKEUP
    return WEEKEND if day.weekday() >= 5 else WORKDAY


def _differing(main, alternatives, days) -> set[dt.date]:
    """The days of ``days`` that one of the ``alternatives`` (rest, makeup, …) lays out
    as work where ``main`` rests, or the other way round: the layouts the rules cannot
    choose between, so neither answer is certain there."""
    out = set()
    for d in days:
        kind = _as_rest(_layout_kind(d, main[0], main[1]))
        if any(_as_rest(_layout_kind(d, alt[0], alt[1])) != kind for alt in alternatives):
            out.add(d)
    return out


def _labour_habit(year: int, known) -> bool:
    """劳动节 as five days: by law from 2025; before that, when the last known year had
    a long one (the State Council's habit since 2019/2020)."""
    if era("劳动节", year) == "2024":
        return True
    prev = known.get(year - 1)
    if not prev:
        return False
    run, best = 0, 0
    for d in _days(dt.date(year - 1, 4, 26), 12):
        run = run + 1 if prev.get(d) and prev[d].kind in (HOLIDAY, WEEKEND) else 0
        best = max(best, run)
    return best >= 4


def blocks(year: int, known=None) -> list[Block]:
    known = known or {}
    out: list[Block] = []
    taken: set[dt.date] = set()
    one = dt.timedelta(days=1)
    ma = _mid_autumn(year)
    lunar = year >= LUNAR_FROM  # 中秋 a holiday
    merged = lunar and dt.date(year, 9, 29) <= ma <= dt.date(year, 10, 8)
    near = lunar and not merged and dt.date(year, 9, 20) <= ma < dt.date(year, 9, 29)

    def add(festival, anchor_day, rest, makeup, key, doubtful=(), by_law=()):
        statutory = set(statutory_days(festival, anchor_day.year))
        if festival == "国庆节" and merged:
            statutory.add(ma)
        lo = min([*rest, *makeup, anchor_day]) - 7 * one
        hi = max([*rest, *makeup, anchor_day]) + 7 * one
        # weekend days beyond the first weekend outside the holiday and its make-up days
        far = set()
        span_lo, span_hi = min([*rest, *makeup]), max([*rest, *makeup])
        for direction, edge in ((-1, span_lo), (1, span_hi)):
            x, seen_weekend = edge + direction * one, False
            while lo <= x <= hi:
                if x.weekday() >= 5:
                    if seen_weekend and x.weekday() == (5 if direction > 0 else 6):
                        far.add(x)
                    elif seen_weekend == "done":
                        far.add(x)
                    seen_weekend = seen_weekend or True
                    if direction > 0 and x.weekday() == 6 or direction < 0 and x.weekday() == 5:
                        seen_weekend = "done"
                x += direction * one
        out.append(
            Block(
                festival,
                key,
                anchor_day,
                frozenset(rest),
                frozenset(makeup),
                frozenset(statutory),
                frozenset(doubtful),
                lo,
                hi,
                frozenset(by_law),
                frozenset(far),
            )
        )
        taken.update(rest)

    for festival, y in (("元旦", year), ("元旦", year + 1), ("清明节", year), ("端午节", year)):
        if festival != "元旦" and y < LUNAR_FROM:
            continue
        d = anchor(festival, y)
        rest, makeup, key = _one_day(festival, d)
        add(festival, d, rest, makeup, key)
    if year >= LUNAR_FROM and not merged:
        rest, makeup, key = _one_day("中秋节", ma, near_national=near)
        add("中秋节", ma, rest, makeup, key)
    six = era("春节", year) == "2024"  # 放假办法 2024: at most 6 working days in a row
    # 春节: from 除夕, 7 days (8 from 2025, 放假办法 2024)
    eve = anchor("春节", year) - one
    sf_era = era("春节", year)
    length = 8 if sf_era == "2024" else 7
    rest, makeup, key = _span(eve, length, _statutory_count("春节", year), taken, six_days=six)
    doubtful: set[dt.date] = set()
    if sf_era == "2014":
        # 2015–2023 started on 除夕, 2014 and 2024 on 初一: the days on which the two
        # layouts differ stay open
        alt = _span(eve + one, length, 3, taken)
        doubtful = _differing((rest, makeup), [alt], _days(eve - 14 * one, 36))
    add("春节", eve, rest, makeup, key, doubtful, by_law=rest if sf_era == "2024" else ())
    # 劳动节
    may1 = dt.date(year, 5, 1)
    if _labour_habit(year, known):
        start = may1 - one * {6: 1, 0: 2}.get(may1.weekday(), 0)
        rest, makeup, key = _span(start, 5, _statutory_count("劳动节", year), taken, six_days=six)
        add("劳动节", start, rest, makeup, key)
    else:
        # one day by law and by the last known year; but the State Council made it four
        # days in 2019 (Wed–Sat) and five from 2020 without a change of law: the days a
        # five-day 劳动节, or a four-day one that takes in a weekend, would lay out
        # differently stay open
        rest, makeup, key = _one_day("劳动节", may1)
        start = may1 - one * {6: 1, 0: 2}.get(may1.weekday(), 0)
        count = _statutory_count("劳动节", year)
        lengths = [5] + [4] * any(d.weekday() >= 5 for d in _days(start, 4))
        alts = [_span(start, n, count, taken, six_days=six) for n in lengths]
        doubtful = _differing((rest, makeup), alts, _days(may1 - 14 * one, 29))
        add("劳动节", may1, rest, makeup, key, doubtful)
    # 国庆 (with 中秋 when it falls between 9/29 and 10/8: 8 days)
    oct1 = dt.date(year, 10, 1)
    if merged:
        start = min(oct1, ma)
        rest, makeup, key = _span(start, 8, 4, taken, six_days=six)
    else:
        count = 3 + (1 if near and ma.weekday() >= 5 else 0)
        start = oct1
        rest, makeup, key = _span(start, 7, count, taken, six_days=six)
    add("国庆节", start, rest, makeup, key)
    return out


def _known(known) -> tuple[list[Block], dict[dt.date, str]]:
    """The rules' layout of every known year since 2008 — its blocks, and what they lay
    out for each day, all festivals together (cached per ``known``)."""
    key = id(known)
    cached = _BLOCKS_CACHE.get(key)
    if cached is None or cached[0] is not known:
        # 国庆's three days have not changed since 1999: its years before 2008 count too
        laid = [
            b
            for y in sorted(known)
            for b in blocks(y, known)
            if b.anchor.year == y and (y >= LUNAR_FROM or b.festival == "国庆节")
        ]
        layout: dict[dt.date, str] = {}
        for b in laid:
            for d in b.rest:
                layout.setdefault(d, HOLIDAY)
            for d in b.makeup:
                layout.setdefault(d, MAKEUP)
        if len(_BLOCKS_CACHE) >= 64:
            _BLOCKS_CACHE.clear()
        cached = _BLOCKS_CACHE[key] = (known, laid, layout)
    return cached[1], cached[2]


def _known_blocks(known) -> list[Block]:
    return _known(known)[0]


def _laid_kind(known, day: dt.date) -> str:
    """What the rules, all festivals together, laid out for ``day`` of a known year —
    what a block's layout is judged by, so that a 中秋 next to 国庆 is not blamed for
    the 国庆 days in its window."""
    return _known(known)[1].get(day) or (WEEKEND if day.weekday() >= 5 else WORKDAY)


_BLOCKS_CACHE: dict = {}


def _window(b: Block) -> list[dt.date]:
    return _days(b.first, (b.last - b.first).days + 1)


def _always_rest(block: Block, known) -> set[int]:
    """Offsets of a long holiday that were a day off in every known year since 2010
    laid out the same way (same festival, same length; at least two years)."""
    if block.key[0] != "span":
        return set()
    same = [
        b
        for b in _known_blocks(known)
        if b.anchor.year >= GROW_FROM
        and b.festival == block.festival
        and b.key[0] == "span"
        and b.key[2] == block.key[2]
    ]
    if len(same) < 2:
        return set()
    out = set()
    for d in block.rest:
        off = (d - block.anchor).days
        kinds = [_real_kind(known, b.anchor + dt.timedelta(days=off)) for b in same]
        if all(k is not None and _as_rest(k) == "rest" for k in kinds):
            out.add(off)
    return out


def _kind_in(block: Block, day: dt.date) -> str:
    return _layout_kind(day, block.rest, block.makeup)


def _confirmed(block: Block, known) -> set[int] | None:
    """Offsets (from the anchor) that the rules laid out right in the most recent known
    year in the same situation. For a long holiday never seen in this situation: its
    weekend days, when the make-up rule (same branch, same number of make-up days)
    placed every make-up day right the last time it was used. None: nothing known."""
    laid = [
        b
        for b in reversed(_known_blocks(known))
        if all(_real_kind(known, d) is not None for d in (b.first, b.last))
    ]
    for b in laid:
        if b.key != block.key or b.festival == "劳动节" != block.festival:
            continue  # a one-day 劳动节 (four days in 2019) vouches for no other festival
        return {
            (d - b.anchor).days
            for d in _window(b)
            if _as_rest(_real_kind(known, d)) == _as_rest(_laid_kind(known, d))
        }
    if block.key[0] != "span":
        return None
    for b in laid:
        if b.key[0] != "span" or b.key[3:] != block.key[3:]:
            continue
        weekend = [d for d in _window(b) if d.weekday() >= 5 and d not in b.rest]
        if all(_as_rest(_real_kind(known, d)) == _as_rest(_laid_kind(known, d)) for d in weekend):
            return {(d - block.anchor).days for d in _window(block) if d.weekday() >= 5}
        return set()
    return None


def _real_kind(known: dict[int, dict[dt.date, DayRule]], day: dt.date) -> str | None:
    rows = known.get(day.year)
    if rows is None:
        return None
    rule = rows.get(day)
    return rule.kind if rule else None


def _as_rest(kind: str) -> str:
    return "rest" if kind in (HOLIDAY, WEEKEND) else "work"


def predict_year(year: int, *, known: dict[int, list[DayRule]] | None = None) -> list[PredictedDay]:
    """Every day of ``year``, predicted from the schedules in ``known`` (year → days).
    ``known=None``: every year ``chinesecalendar`` holds before ``year``."""
    if known is None:
        by_date = {y: days for y, days in _official_by_date().items() if y < year}
    else:
        by_date = {y: {r.date: r for r in days} for y, days in known.items() if y < year}
    return _predict(year, by_date)


@lru_cache(maxsize=1)
def _official_by_date() -> dict[int, dict[dt.date, DayRule]]:
    """Every State Council schedule ``chinesecalendar`` holds (read once)."""
    out = {}
    year = rules.FIRST_YEAR
    while rules.has_official_schedule(year):
        out[year] = {r.date: r for r in rules.official_year(year)}
        year += 1
    return out


@lru_cache(maxsize=128)
def estimate(year: int) -> tuple[PredictedDay, ...]:
    """``year`` predicted as if no schedule of it (or later) were known."""
    return tuple(predict_year(year))


def _predict(year: int, known) -> list[PredictedDay]:
    proposals: dict[dt.date, list[tuple[str, str, bool, bool]]] = {}
    for block in blocks(year, known):
        good = _confirmed(block, known)
        always = _always_rest(block, known)
        d = block.first
        while d <= block.last:
            if d.year == year:
                kind = _kind_in(block, d)
                asserted = kind in (HOLIDAY, MAKEUP)
                off = (d - block.anchor).days
                if d in block.statutory or d in block.by_law:
                    certain = True
                elif d in block.doubtful:
                    certain = False  # another layout the State Council has used
                elif kind == WORKDAY:
                    certain = True  # counted as worked whatever happens
                elif kind == HOLIDAY and off in always:
                    certain = True  # off in every known year since 2010
                elif kind == WEEKEND and d in block.far_weekend:
                    certain = True  # make-up days never go past the nearest free weekend
                else:
                    certain = good is not None and off in good
                name = block.festival if asserted else ""
                proposals.setdefault(d, []).append((kind, name, certain, asserted))
            d += dt.timedelta(days=1)
    return [_merge(day, proposals.get(day, [])) for day in rules.year_days(year)]


def _merge(day: dt.date, proposals: list[tuple[str, str, bool, bool]]) -> PredictedDay:
    """One day seen by the blocks whose window holds it: a block's sure answer wins;
    otherwise any block's doubt makes the day uncertain."""
    base = rules.weekend_rule(day)
    if not proposals:
        return PredictedDay(day, base.kind, "", True)
    sure = [p for p in proposals if p[3]]
    if sure:
        if len({p[0] for p in sure}) == 1:
            return PredictedDay(day, sure[0][0], sure[0][1], all(p[2] for p in sure))
        return PredictedDay(day, sure[0][0], sure[0][1], False)
    doubt = [p for p in proposals if not p[2]]
    if doubt:
        return PredictedDay(day, doubt[0][0], doubt[0][1], False)
    return PredictedDay(day, base.kind, "", True)


# --- what the table stores for a year without a schedule ---------------------------------


@lru_cache(maxsize=64)
def provisional_year(year: int) -> tuple[tuple[DayRule, bool], ...]:
    """The 推算 rows of ``year``: (the counted day — safety rule applied —, uncertain),
    predicted from every State Council schedule ``chinesecalendar`` holds. An uncertain
    day keeps the festival it may belong to as its name."""
    out = []
    for day in predict_year(year):
        rule = counted_rule(day)
        if not day.certain and day.name:
            rule = rule._replace(name=day.name)
        out.append((rule, not day.certain))
    return tuple(out)
