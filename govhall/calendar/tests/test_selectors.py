"""Working-day arithmetic on the seeded table (2026 schedule, 2027 推算)."""

import datetime as dt

import pytest

from govhall.calendar import rules, selectors
from govhall.calendar.models import Day
from govhall.core import clock
from govhall.core.errors import ValidationFailed

D = dt.date
pytestmark = pytest.mark.django_db


def test_national_day_2026_holiday_is_skipped_and_makeup_saturday_counts():
    # Oct 1–7 holidays; Oct 8 (Thu) is the first working day after Sep 30.
    assert selectors.add_workdays(start=D(2026, 9, 30), days=1) == (D(2026, 10, 8), False)
    # Saturday Oct 10 is a 调休上班 day: it counts.
    assert selectors.add_workdays(start=D(2026, 10, 9), days=1).date == D(2026, 10, 10)
    # Sunday Sep 20 also is a make-up day.
    assert selectors.add_workdays(start=D(2026, 9, 19), days=1).date == D(2026, 9, 20)
    assert selectors.is_workday(day=D(2026, 9, 20))
    assert not selectors.is_workday(day=D(2026, 10, 5))
    assert not selectors.is_workday(day=D(2026, 10, 11))  # plain Sunday


def test_workdays_between_counts_half_open_interval_over_the_holiday():
    # (Sep 30, Oct 10]: Oct 8, 9, 10 — the holiday week contributes nothing.
    assert selectors.workdays_between(start=D(2026, 9, 30), end=D(2026, 10, 10)) == (3, False)
    assert selectors.workdays_between(start=D(2026, 11, 23), end=D(2026, 11, 23)).count == 0
    assert selectors.workdays_between(start=D(2026, 11, 27), end=D(2026, 11, 23)).count == 0
    # 20 working days after 受理 ends exactly 20 working days later.
    due = selectors.add_workdays(start=D(2026, 9, 25), days=20).date
    assert selectors.workdays_between(start=D(2026, 9, 25), end=due).count == 20


def test_start_day_not_counted_and_zero_days_returns_start():
    # Mon Nov 23 2026 + 1 = Tue; Fri Nov 27 + 1 = Mon Nov 30.
    assert selectors.add_workdays(start=D(2026, 11, 23), days=1).date == D(2026, 11, 24)
    assert selectors.add_workdays(start=D(2026, 11, 27), days=1).date == D(2026, 11, 30)
    assert selectors.add_workdays(start=D(2026, 11, 28), days=0).date == D(2026, 11, 28)
    assert selectors.next_workday(day=D(2026, 11, 28)) == D(2026, 11, 30)


def test_ordinals_are_consistent_with_the_table_and_sql_filterable():
    o = selectors.workday_ordinal(day=D(2026, 10, 8))
    assert selectors.date_of_ordinal(ordinal=o) == D(2026, 10, 8)
    # A holiday carries the previous working day's number.
    assert selectors.workday_ordinal(day=D(2026, 10, 5)) == selectors.workday_ordinal(
        day=D(2026, 9, 30)
    )
    # Lists can filter in SQL: the working days of the National Day week by ordinal.
    lo = selectors.workday_ordinal(day=D(2026, 9, 30))
    hits = Day.objects.filter(ordinal__gt=lo, ordinal__lte=lo + 3, is_workday=True)
    assert [d.date for d in hits] == [D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10)]


def test_negative_days_and_out_of_range_dates_are_refused_with_codes():
    with pytest.raises(ValidationFailed) as exc:
        selectors.add_workdays(start=D(2026, 11, 23), days=-1)
    assert exc.value.code == "invalid_days"
    with pytest.raises(ValidationFailed) as exc:
        selectors.add_workdays(start=D(1999, 1, 1), days=1)
    assert exc.value.code == "date_out_of_range"


def test_2027_statutory_holidays_are_derived_and_marked_provisional():
    h = rules.statutory_holidays(2027)
    assert len(h) == 13
    assert [d for d, n in h.items() if n == "春节"] == [D(2027, 2, d) for d in (5, 6, 7, 8)]
    assert h[D(2027, 4, 5)] == "清明节"
    assert h[D(2027, 6, 9)] == "端午节"
    assert h[D(2027, 9, 15)] == "中秋节"
    # Thursday Sep 16 is the next working day after the mid-autumn Wednesday (Sep 14 +1 → 16).
    assert selectors.add_workdays(start=D(2027, 9, 14), days=1) == (D(2027, 9, 16), True)
    assert not selectors.is_workday(day=D(2027, 2, 8))  # Mon, 正月初三
    assert selectors.add_workdays(start=D(2026, 12, 30), days=3) == (D(2027, 1, 5), True)
    assert selectors.workdays_between(start=D(2026, 12, 1), end=D(2027, 1, 4)).provisional
    assert selectors.is_provisional_year(year=2027)
    assert not selectors.is_provisional_year(year=2026)


def test_far_future_years_are_derived_in_memory_beyond_the_table():
    last = Day.objects.order_by("-date").first().date
    far = D(last.year + 1, 10, 2)
    with pytest.raises(ValidationFailed):  # more than 10 years ahead of today
        selectors.is_workday(day=far)
    with clock.frozen(D(last.year - 8, 1, 4)):
        assert not selectors.is_workday(day=far)  # 国庆, derived provisionally
        r = selectors.add_workdays(start=D(last.year, 12, 30), days=5)
    assert r.provisional and r.date.year == last.year + 1


def test_query_count_does_not_grow_with_days(django_assert_max_num_queries):
    selectors.add_workdays(start=D(2026, 1, 5), days=1)  # warm the in-process copy
    with django_assert_max_num_queries(1):
        selectors.add_workdays(start=D(2026, 1, 5), days=1)
    with django_assert_max_num_queries(1):
        selectors.add_workdays(start=D(2026, 1, 5), days=2000)
    with django_assert_max_num_queries(1):
        selectors.workdays_between(start=D(2004, 1, 5), end=D(2030, 6, 1))


def test_an_emptied_table_still_answers_and_can_be_reseeded():
    from govhall.calendar import services
    from govhall.calendar.models import YearSchedule

    Day.objects.all().delete()
    YearSchedule.objects.all().delete()
    selectors.invalidate_cache()
    assert selectors.add_workdays(start=D(2026, 9, 30), days=1) == (D(2026, 10, 8), False)
    assert selectors.add_workdays(start=D(2027, 9, 14), days=1) == (D(2027, 9, 16), True)
    assert services.seed_if_empty() > 12000
    assert Day.objects.get(date=D(2026, 10, 10)).kind == "makeup"
    assert selectors.add_workdays(start=D(2026, 10, 9), days=1).date == D(2026, 10, 10)
