"""Pure holiday rules — no models, so the seeding migration can import them.

Two sources of a year's days:

* 国务院安排 — the State Council's yearly schedule as held by the ``chinesecalendar``
  package (2004–2026; it raises for later years);
* 推算 (provisional) — for a year with no schedule yet: weekends plus the statutory
  holidays of 《全国年节及纪念日放假办法》 (revised 2024, in force 2025): 元旦 1/1;
  春节 除夕 to 正月初三; 清明 the day of the 清明 solar term; 劳动节 5/1–5/2; 端午
  (lunar 5/5); 中秋 (lunar 8/15); 国庆 10/1–10/3 — 13 days. No 调休 is guessed: the
  State Council decides those each year, and the centre enters them when published.

Lunar dates and the 清明 term come from ``lunar-python`` (pure Python, offline).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

FIRST_YEAR = 2004  # first year chinesecalendar holds

# Kinds of day (值 stored in the table).
WORKDAY = "workday"
WEEKEND = "weekend"
HOLIDAY = "holiday"
MAKEUP = "makeup"
KIND_LABELS = {
    WORKDAY: "工作日",
    WEEKEND: "周末",
    HOLIDAY: "法定节假日",
    MAKEUP: "调休上班",
}
WORKING_KINDS = {WORKDAY, MAKEUP}

_CC_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class DayRule(NamedTuple):
    date: dt.date
    kind: str
    name: str

    @property
    def is_workday(self) -> bool:
        return self.kind in WORKING_KINDS

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def weekday_cn(self) -> str:
        return "周" + "一二三四五六日"[self.date.weekday()]


def weekend_rule(day: dt.date) -> DayRule:
    """A day nobody scheduled: Monday–Friday work, Saturday–Sunday rest."""
    return DayRule(day, WEEKEND if day.weekday() >= 5 else WORKDAY, "")


def year_days(year: int) -> list[dt.date]:
    start = dt.date(year, 1, 1)
    return [start + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - start).days)]


def has_official_schedule(year: int) -> bool:
    """Does ``chinesecalendar`` hold the State Council's schedule for ``year``?"""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(dt.date(year, 12, 31))
    except NotImplementedError:
        return False
    return year >= FIRST_YEAR


def official_year(year: int) -> list[DayRule]:
    """Every day of ``year`` per the State Council schedule (chinesecalendar)."""
    import chinese_calendar

    out = []
    for day in year_days(year):
        on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
        name = _CC_NAMES.get(holiday, holiday or "") if holiday else ""
        weekend = day.weekday() >= 5
        if not on_holiday:
            kind = MAKEUP if weekend else WORKDAY
            out.append(DayRule(day, kind, name if kind == MAKEUP else ""))
        elif name:
            out.append(DayRule(day, HOLIDAY, name))
        else:
            out.append(DayRule(day, WEEKEND if weekend else HOLIDAY, ""))
    return out


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The 13 statutory holiday days of ``year`` (放假办法 2024), date → name."""
    from lunar_python import Lunar

    days: dict[dt.date, str] = {}

    def solar(lunar) -> dt.date:
        s = lunar.getSolar()
        return dt.date(s.getYear(), s.getMonth(), s.getDay())

    days[dt.date(year, 1, 1)] = "元旦"
    new_year = solar(Lunar.fromYmd(year, 1, 1))  # 正月初一 in this Gregorian year
    for offset in range(-1, 3):  # 除夕 … 正月初三
        days[new_year + dt.timedelta(days=offset)] = "春节"
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    days[dt.date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days[dt.date(year, 5, 1)] = "劳动节"
    days[dt.date(year, 5, 2)] = "劳动节"
    days[solar(Lunar.fromYmd(year, 5, 5))] = "端午节"
    days[solar(Lunar.fromYmd(year, 8, 15))] = "中秋节"
    for d in (1, 2, 3):
        days[dt.date(year, 10, d)] = "国庆节"
    # 除夕 may fall in the previous Gregorian year only in theory (春节 is never before
    # Jan 21); keep strictly this year's days.
    return {d: n for d, n in days.items() if d.year == year}


def provisional_year(year: int) -> list[DayRule]:
    """Weekends + statutory holidays, no 调休: the estimate before issue 17 (it counts
    a make-up Saturday as rest, so it can make a deadline later than the law's; kept
    for seeding and as the backtest's baseline — 推算 years use ``predict``)."""
    holidays = statutory_holidays(year)
    out = []
    for day in year_days(year):
        if day in holidays:
            out.append(DayRule(day, HOLIDAY, holidays[day]))
        else:
            out.append(weekend_rule(day))
    return out


def apply_schedule(year: int, entries: list[DayRule]) -> list[DayRule]:
    """A year as entered by the centre: the listed holidays / make-up days, weekend rule
    for everything else."""
    given = {e.date: e for e in entries}
    return [given.get(day) or weekend_rule(day) for day in year_days(year)]
