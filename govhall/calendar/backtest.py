"""Backtest of the predictor (issue 17): each year 2015–2026 predicted from the years
before it only, compared with the State Council's real schedule.

Per year: days misclassified (the counted kind — :func:`predict.counted_kind`, so an
uncertain day as a working day — against the real day's working/rest; and, apart, the
predicted kind itself, an uncertain day's best guess), and for 5 and
20 working days from every start day of the year how many deadlines differ from the
real one and how many are **later**. Neighbouring years use the real calendar.
:func:`run_crossing`: the deadlines started in November and December of the year
before that run into the predicted year. Pure (no database).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import predict, rules

FIRST, LAST = 2015, 2026
SPANS = (5, 20)
CROSSING_SPANS = (20, 30)  # §42: 20 working days, extended by 10
# targets (issue 17)
TARGET_MISCLASSIFIED_MEAN = 4
TARGET_EXACT_20 = 0.95


@dataclass
class YearResult:
    year: int
    misclassified: int  # the counted day (safety rule) against the real one
    uncertain: int
    guessed_wrong: int  # the predicted kind itself (an uncertain day's best guess)
    starts: dict[int, int]  # span → start days counted
    differ: dict[int, int]
    later: dict[int, int]

    def exact_share(self, span: int) -> float:
        return 1 - self.differ[span] / self.starts[span] if self.starts[span] else 1.0


def _working(days: list[rules.DayRule]) -> dict[dt.date, bool]:
    return {d.date: d.is_workday for d in days}


def _deadlines(dates: list[dt.date], working: dict[dt.date, bool], span: int, starts):
    """Deadline (``span``-th working day after each start) for every start date."""
    work = [d for d in dates if working[d]]
    index = {}
    count = 0
    for d in dates:
        count += working[d]
        index[d] = count  # working days up to and including d
    out = {}
    for start in starts:
        pos = index[start] + span  # 1-based position in ``work``
        if pos <= len(work):
            out[start] = work[pos - 1]
    return out


def backtest_year(year: int, official: dict[int, list[rules.DayRule]]) -> YearResult:
    known = {y: days for y, days in official.items() if y < year}
    predicted = predict.predict_year(year, known=known)
    real = official[year]
    misclassified = sum(
        predict.is_counted_workday(p) != r.is_workday for p, r in zip(predicted, real, strict=True)
    )
    real_working: dict[dt.date, bool] = {}
    for y in (year - 1, year, year + 1):
        if y in official:
            real_working.update(_working(official[y]))
        else:  # the year after the last known one: weekends + statutory days
            real_working.update(_working(rules.provisional_year(y)))
    guess_working = dict(real_working)
    guess_working.update({p.date: predict.is_counted_workday(p) for p in predicted})
    dates = sorted(real_working)
    starts = rules.year_days(year)
    guessed_wrong = sum(
        (p.kind in rules.WORKING_KINDS) != r.is_workday
        for p, r in zip(predicted, real, strict=True)
    )
    uncertain = sum(not p.certain for p in predicted)
    result = YearResult(year, misclassified, uncertain, guessed_wrong, {}, {}, {})
    for span in SPANS:
        true = _deadlines(dates, real_working, span, starts)
        guess = _deadlines(dates, guess_working, span, starts)
        common = [s for s in starts if s in true and s in guess]
        result.starts[span] = len(common)
        result.differ[span] = sum(true[s] != guess[s] for s in common)
        result.later[span] = sum(guess[s] > true[s] for s in common)
    return result


@dataclass
class CrossingResult:
    """Deadlines from the last two months of ``year - 1`` (known) that run into
    ``year`` while ``year`` is still predicted — the weeks before the State Council
    publishes it (late October to December)."""

    year: int
    starts: dict[int, int]
    differ: dict[int, int]
    later: dict[int, int]
    later_before: dict[int, int]  # the old estimate (weekends + statutory days, no 调休)


def backtest_crossing(year: int, official: dict[int, list[rules.DayRule]]) -> CrossingResult:
    known = {y: days for y, days in official.items() if y < year}
    predicted = predict.predict_year(year, known=known)
    before = _working(official[year - 1])  # known: real in all three
    real_working = before | _working(official[year])
    guess_working = before | {p.date: predict.is_counted_workday(p) for p in predicted}
    old_working = before | _working(rules.provisional_year(year))
    dates = sorted(real_working)
    starts = [d for d in rules.year_days(year - 1) if d >= dt.date(year - 1, 11, 1)]
    result = CrossingResult(year, {}, {}, {}, {})
    for span in CROSSING_SPANS:
        true = _deadlines(dates, real_working, span, starts)
        guess = _deadlines(dates, guess_working, span, starts)
        old = _deadlines(dates, old_working, span, starts)
        crossing = [s for s in starts if s in true and true[s].year == year]
        result.starts[span] = len(crossing)
        result.differ[span] = sum(true[s] != guess[s] for s in crossing)
        result.later[span] = sum(guess[s] > true[s] for s in crossing)
        result.later_before[span] = sum(old[s] > true[s] for s in crossing)
    return result


def _official(last: int) -> dict[int, list[rules.DayRule]]:
    return {
        y: rules.official_year(y)
        for y in range(rules.FIRST_YEAR, last + 1)
        if rules.has_official_schedule(y)
    }


def run(first: int = FIRST, last: int = LAST) -> list[YearResult]:
    official = _official(last)
    return [backtest_year(y, official) for y in range(first, last + 1)]


def run_crossing(first: int = FIRST, last: int = LAST) -> list[CrossingResult]:
    """For each year, the deadlines started Nov 1 – Dec 31 of the year before that end
    in it: 20 working days (the 行政许可法 §42 limit) and 30 (extended by 10)."""
    official = _official(last)
    return [backtest_crossing(y, official) for y in range(first, last + 1)]


def targets_met(results: list[YearResult]) -> dict[str, bool]:
    mean = sum(r.misclassified for r in results) / len(results)
    return {
        "no_later_deadline": all(r.later[s] == 0 for r in results for s in SPANS),
        "misclassified_mean": mean <= TARGET_MISCLASSIFIED_MEAN,
        "exact_20": all(r.exact_share(20) >= TARGET_EXACT_20 for r in results),
    }
