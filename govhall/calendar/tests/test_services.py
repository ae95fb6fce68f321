"""Entering and editing schedules: permissions, validation, ordinals, signal, audit."""

import datetime as dt
import io

import pytest
from django.db.models import F
from openpyxl import Workbook, load_workbook

from govhall.calendar import rules, selectors, services
from govhall.calendar.models import Day, ScheduleSource, YearSchedule
from govhall.calendar.signals import schedule_changed
from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry

D = dt.date

# The 2027 schedule as a centre would enter it: statutory days plus an extra
# 春节 day (Feb 9) paid back by a 调休上班 Saturday (Feb 20).
SCHEDULE_2027 = [
    (d, "法定节假日", n) for d, n in sorted(rules.statutory_holidays(2027).items())
] + [(D(2027, 2, 9), "法定节假日", "春节"), ("2027-02-20", "调休上班", "春节")]


@pytest.fixture
def received():
    calls = []

    def receiver(sender, years, **kwargs):
        calls.append(years)

    schedule_changed.connect(receiver)
    yield calls
    schedule_changed.disconnect(receiver)


def test_entering_2027_schedule_makes_it_official_and_changes_results(admin, received):
    before = selectors.add_workdays(start=D(2027, 2, 4), days=1)
    # predicted: 春节 Feb 5–12 (8 days from 除夕), made up on Sunday Feb 14
    assert before == (D(2027, 2, 14), True)
    assert Day.objects.get(date=D(2027, 10, 10)).uncertain  # 待定 → counted as worked
    start_2027 = selectors.workday_ordinal(day=D(2026, 12, 31))
    later = selectors.workday_ordinal(day=D(2027, 12, 31))
    later_2028 = selectors.workday_ordinal(day=D(2028, 6, 30))

    services.enter_year_schedule(actor=admin, year=2027, days=SCHEDULE_2027)

    assert selectors.add_workdays(start=D(2027, 2, 4), days=1) == (D(2027, 2, 10), False)
    assert selectors.is_workday(day=D(2027, 2, 20))  # make-up Saturday
    assert Day.objects.get(date=D(2027, 2, 20)).get_kind_display() == "调休上班"
    assert not selectors.is_provisional_year(year=2027)
    assert not Day.objects.filter(date__year=2027, uncertain=True).exists()
    # Every later ordinal shifts by the change in 2027's working days, 2028 too.
    worked = Day.objects.filter(date__year=2027, is_workday=True).count()
    assert selectors.workday_ordinal(day=D(2027, 12, 31)) == start_2027 + worked
    shift = start_2027 + worked - later
    assert selectors.workday_ordinal(day=D(2028, 6, 30)) == later_2028 + shift
    assert received == [[2027]]
    schedule = YearSchedule.objects.get(year=2027)
    assert schedule.source == ScheduleSource.CENTRE and schedule.entered_by == admin
    entry = AuditEntry.objects.get(action="calendar.year.enter_schedule")
    assert entry.changes["2027-02-14"] == ["调休上班 春节", "周末"]
    assert entry.changes["2027-10-10"] == ["调休上班", "周末"]  # the 待定 day decided


def test_ordinals_after_an_edit_shift_and_stay_consistent(admin, received):
    o_before = selectors.workday_ordinal(day=D(2026, 12, 31))
    services.edit_day(
        actor=admin, day=D(2026, 12, 4), kind="法定节假日", name="地方假日", reason="县政府通知"
    )
    assert not selectors.is_workday(day=D(2026, 12, 4))
    assert selectors.workday_ordinal(day=D(2026, 12, 31)) == o_before - 1
    assert selectors.add_workdays(start=D(2026, 12, 3), days=1).date == D(2026, 12, 7)
    # SQL column agrees with the in-memory arithmetic
    assert Day.objects.get(date=D(2027, 3, 1)).ordinal == selectors.workday_ordinal(
        day=D(2027, 3, 1)
    )
    assert received == [[2026]]
    assert AuditEntry.objects.filter(action="calendar.day.edit", reason="县政府通知").exists()


def test_only_the_centre_admin_may_edit(clerk):
    with pytest.raises(PermissionDenied):
        services.enter_year_schedule(actor=clerk, year=2027, days=SCHEDULE_2027)
    with pytest.raises(PermissionDenied):
        services.edit_day(actor=clerk, day=D(2026, 12, 4), kind="法定节假日", reason="x")
    assert selectors.is_provisional_year(year=2027)


def test_bad_rows_are_all_reported_and_nothing_is_saved(admin, received):
    bad = [
        ("2027-13-01", "法定节假日", "元旦"),
        (D(2026, 10, 1), "法定节假日", "国庆节"),
        (D(2027, 10, 1), "休假", "国庆节"),
        (D(2027, 3, 3), "调休上班", ""),  # a Wednesday
        (D(2027, 1, 1), "法定节假日", "元旦"),
    ]
    with pytest.raises(ValidationFailed) as exc:
        services.enter_year_schedule(actor=admin, year=2027, days=bad)
    messages = exc.value.fields["days"]
    assert exc.value.code == "invalid_schedule" and len(messages) == 4
    assert "第1行" in messages[0] and "无法识别" in messages[0]
    assert "不属于2027年" in messages[1]
    assert "休假" in messages[2]
    assert "调休上班只能是周六或周日" in messages[3]
    assert selectors.is_provisional_year(year=2027)
    assert received == []


def test_excel_template_round_trip_and_errors_with_excel_row_numbers(admin):
    content = services.schedule_template(year=2027)
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    assert [c.value for c in ws[1]] == ["日期", "类型", "节日名称"]
    assert ws.max_row == 14  # header + 13 statutory days
    ws.append([dt.datetime(2027, 2, 20), "调休上班", "春节"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    services.import_year_schedule_excel(actor=admin, year=2027, file=buf)
    assert selectors.is_workday(day=D(2027, 2, 20))
    assert not selectors.is_provisional_year(year=2027)

    wb = Workbook()
    wb.active.append(["日期", "类型", "节日名称"])
    wb.active.append(["2028-01-01", "法定节假日", "元旦"])
    wb.active.append(["2028/02/30", "法定节假日", "春节"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    with pytest.raises(ValidationFailed) as exc:
        services.import_year_schedule_excel(actor=admin, year=2028, file=buf)
    assert exc.value.fields["days"] == ["第3行：日期“2028/02/30”无法识别，应为 YYYY-MM-DD"]
    assert selectors.is_provisional_year(year=2028)

    with pytest.raises(ValidationFailed) as exc:
        services.import_year_schedule_excel(actor=admin, year=2028, file=io.BytesIO(b"not excel"))
    assert exc.value.code == "invalid_file"


def test_refresh_predictions_brings_stale_predicted_days_up_to_date(admin, received):
    """A 推算 year written by an older predictor is rewritten by this one — except the
    day the centre edited — with ordinals, audit and the deadline signal as for an
    entered schedule; a second run changes nothing."""
    from govhall.calendar import predict
    from govhall.core import actors

    current = {rule.date: (rule, u) for rule, u in predict.provisional_year(2028)}
    stale_day = D(2028, 3, 12)  # a plain Sunday, certain
    assert current[stale_day] == (rules.DayRule(stale_day, rules.WEEKEND, ""), False)
    Day.objects.filter(date=stale_day).update(kind=rules.MAKEUP, is_workday=True, uncertain=True)
    Day.objects.filter(date__gt=stale_day).update(ordinal=F("ordinal") + 1)
    services.edit_day(
        actor=admin, day=D(2028, 6, 5), kind="法定节假日", name="县庆", reason="县庆放假一天"
    )
    end_2028 = selectors.workday_ordinal(day=D(2028, 12, 31))
    received.clear()

    assert services.refresh_predictions(actor=actors.SYSTEM) == [2028]

    row = Day.objects.get(date=stale_day)
    assert (row.kind, row.is_workday, row.uncertain) == (rules.WEEKEND, False, False)
    assert not selectors.is_workday(day=stale_day)
    assert Day.objects.get(date=D(2028, 6, 5)).name == "县庆"  # the centre's edit stays
    assert selectors.workday_ordinal(day=D(2028, 12, 31)) == end_2028 - 1
    assert selectors.is_provisional_year(year=2028)
    assert received == [[2028]]
    entry = AuditEntry.objects.get(action="calendar.year.refresh_prediction")
    assert entry.actor_name == "系统" and entry.actor is None
    assert entry.changes == {"2028-03-12": ["调休上班（待定）", "周末"]}
    assert services.refresh_predictions(actor=actors.SYSTEM) == []
