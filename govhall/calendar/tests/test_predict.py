"""The predictor of 调休 (issue 17) and its backtest — pure, no database.

The backtest figures asserted here are a floor (docs/calendar.md "推算" gives them per
year): they may only get better. The issue's targets are not all met; the tests say
which hold and pin the rest at today's figures.
"""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.calendar import backtest, predict, rules

D = dt.date


@pytest.fixture(scope="module")
def results():
    return {r.year: r for r in backtest.run()}


def _official(until: int) -> dict[int, list[rules.DayRule]]:
    return {y: rules.official_year(y) for y in range(rules.FIRST_YEAR, until)}


def test_every_day_of_the_year_with_kind_and_certainty():
    days = predict.predict_year(2027)
    assert [d.date for d in days] == rules.year_days(2027)
    assert {d.kind for d in days} <= set(rules.KIND_LABELS)
    by_date = {d.date: d for d in days}
    # statutory days are holidays for certain (2027: 除夕 Feb 5, 清明 Apr 5, 端午 Jun 9 …)
    for day in rules.statutory_holidays(2027):
        assert by_date[day].kind == rules.HOLIDAY and by_date[day].certain, day
    # 春节 8 days from 除夕 (放假办法 2024): Fri Feb 5 – Fri Feb 12
    assert all(by_date[D(2027, 2, d)].kind == rules.HOLIDAY for d in range(5, 13))
    # 国庆 7 days
    assert all(by_date[D(2027, 10, d)].kind == rules.HOLIDAY for d in range(1, 8))
    # a plain week in March is certain
    assert all(by_date[D(2027, 3, d)].certain for d in range(8, 15))


def test_uncertain_day_counts_as_a_working_day():
    sat = predict.PredictedDay(D(2027, 5, 8), rules.WEEKEND, "", False)
    mon = predict.PredictedDay(D(2027, 5, 3), rules.HOLIDAY, "劳动节", False)
    sure = predict.PredictedDay(D(2027, 5, 1), rules.HOLIDAY, "劳动节", True)
    assert predict.counted_kind(sat) == rules.MAKEUP and predict.is_counted_workday(sat)
    assert predict.counted_kind(mon) == rules.WORKDAY and predict.is_counted_workday(mon)
    assert predict.counted_kind(sure) == rules.HOLIDAY and not predict.is_counted_workday(sure)
    assert predict.counted_rule(mon) == rules.DayRule(D(2027, 5, 3), rules.WORKDAY, "")


def test_prediction_uses_only_the_years_it_is_given():
    known = _official(2025)
    assert predict.predict_year(2025, known=known) == predict.predict_year(2025, known=known)
    # with later years given, they are ignored (only years before the target count)
    with_later = {**known, 2025: rules.official_year(2025), 2026: rules.official_year(2026)}
    assert predict.predict_year(2025, known=with_later) == predict.predict_year(2025, known=known)


def test_2025_spring_festival_and_national_day_predicted_from_2024_and_before():
    days = {d.date: d for d in predict.predict_year(2025, known=_official(2025))}
    real = {d.date: d for d in rules.official_year(2025)}
    for d in range(28, 32):
        assert days[D(2025, 1, d)].kind == real[D(2025, 1, d)].kind == rules.HOLIDAY
    # the make-up Sunday before 春节 and Saturday after it are working days either way
    assert predict.is_counted_workday(days[D(2025, 1, 26)])
    assert predict.is_counted_workday(days[D(2025, 2, 8)])
    assert predict.is_counted_workday(days[D(2025, 9, 28)])
    assert predict.is_counted_workday(days[D(2025, 10, 11)])


def test_backtest_no_deadline_later_than_the_law(results):
    """The target that matters: a deadline on a predicted year is never later than
    the real one. The one exception is 2015's one-off 抗战胜利70周年纪念日 (Sep 3–4,
    worked back on Sunday Sep 6), which no rule can foresee."""
    for year, r in results.items():
        if year == 2015:
            assert r.later[20] == 0 and r.later[5] <= 2
            continue
        assert r.later == {5: 0, 20: 0}, year


def test_backtest_floor(results):
    mean = sum(r.misclassified for r in results.values()) / len(results)
    assert mean <= backtest.TARGET_MISCLASSIFIED_MEAN  # 4.00: met, just
    # the predicted kind itself is right far more often: the rest is the safety rule
    guessed = sum(r.guessed_wrong for r in results.values()) / len(results)
    assert guessed <= 1.1
    for r in results.values():
        assert r.exact_share(20) >= 0.61, r.year  # target 95 %: missed
    # the recent years, under today's 放假办法 and habits, are close to the targets
    for year in (2022, 2023, 2024, 2025, 2026):
        assert results[year].misclassified <= 2, year
        assert results[year].exact_share(20) >= 0.89, year
    # better than the old estimate (weekends + statutory days, no 调休) of the issue:
    # 2025 11 days, 80 deadlines of 20 working days wrong; 2026 15 days, 127
    assert results[2025].misclassified < 11 and results[2025].differ[20] < 80
    assert results[2026].misclassified < 15 and results[2026].differ[20] < 127


def test_one_day_labour_day_leaves_open_only_what_a_long_one_would_change():
    """2019: 劳动节 became four days (Wed–Sat) with Sundays Apr 28 and May 5 worked —
    predicted from 2018 and before, both Sundays count as working days. 2016 (from
    2015 and before): the weekends a five-day 劳动节 would not touch stay certain."""
    y2019 = {d.date: d for d in predict.predict_year(2019, known=_official(2019))}
    for day in (D(2019, 4, 28), D(2019, 5, 5)):
        assert predict.is_counted_workday(y2019[day]), day
    y2016 = {d.date: d for d in predict.predict_year(2016, known=_official(2016))}
    for day in (D(2016, 4, 23), D(2016, 4, 30), D(2016, 5, 1), D(2016, 5, 8)):
        assert y2016[day].certain and not predict.is_counted_workday(y2016[day]), day
    for day in (D(2016, 4, 24), D(2016, 5, 7)):  # a five-day one would work them
        assert not y2016[day].certain, day


def test_a_layout_is_judged_with_its_neighbours():
    """端午 2021 (Mon Jun 14) is confirmed by 端午 2018 (Mon Jun 18), not doubted because
    the last Monday one-day festival, 中秋 2018, sat next to 国庆's make-up weekend."""
    days = {d.date: d for d in predict.predict_year(2021, known=_official(2021))}
    for day in (D(2021, 6, 12), D(2021, 6, 13), D(2021, 6, 14), D(2021, 6, 19), D(2021, 6, 20)):
        assert days[day].certain and not predict.is_counted_workday(days[day]), day


def test_national_day_years_before_2008_are_evidence():
    """国庆 2018 starts on a Monday, both make-up days on the weekend before (Sep 29–30):
    last seen in 2007, whose 国庆 rules were the same — so the weekend after the holiday
    is certain, not 待定."""
    days = {d.date: d for d in predict.predict_year(2018, known=_official(2018))}
    assert predict.is_counted_workday(days[D(2018, 9, 29)])
    assert predict.is_counted_workday(days[D(2018, 9, 30)])
    for day in (D(2018, 10, 13), D(2018, 10, 14)):
        assert days[day].certain and not predict.is_counted_workday(days[day]), day


def test_deadlines_crossing_into_a_predicted_year_are_never_later():
    """The weeks before the State Council publishes a year: a 20-working-day limit, or
    one extended by 10 (§42), started in November or December runs into it. The old
    estimate (weekends + statutory days) made some of them later than the law's."""
    crossing = backtest.run_crossing()
    assert [c.year for c in crossing] == list(range(2015, 2027))
    assert all(c.starts[20] >= 26 and c.starts[30] >= 40 for c in crossing)
    assert all(c.later == {20: 0, 30: 0} for c in crossing)
    before = {c.year: c.later_before for c in crossing}
    assert before[2024][30] > 0 and before[2025][20] > 0
