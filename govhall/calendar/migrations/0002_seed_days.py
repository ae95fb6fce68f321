"""Seed 2004–2026 from the State Council schedules (chinesecalendar) and 2027–2036
provisionally (weekends + statutory holidays, 全国年节及纪念日放假办法 2024)."""

import uuid

from django.db import migrations

from govhall.calendar import rules

LAST_PROVISIONAL_YEAR = 2036


def seed(apps, schema_editor):
    Day = apps.get_model("workcalendar", "Day")
    YearSchedule = apps.get_model("workcalendar", "YearSchedule")
    CalendarVersion = apps.get_model("workcalendar", "CalendarVersion")
    if Day.objects.exists():
        return
    ordinal = 0
    rows, years = [], []
    for year in range(rules.FIRST_YEAR, LAST_PROVISIONAL_YEAR + 1):
        official = rules.has_official_schedule(year)
        days = rules.official_year(year) if official else rules.provisional_year(year)
        years.append(YearSchedule(year=year, source="state_council" if official else "provisional"))
        for rule in days:
            ordinal += rule.is_workday
            rows.append(
                Day(
                    date=rule.date,
                    is_workday=rule.is_workday,
                    kind=rule.kind,
                    name=rule.name,
                    ordinal=ordinal,
                    provisional=not official,
                )
            )
    Day.objects.bulk_create(rows, batch_size=2000)
    YearSchedule.objects.bulk_create(years)
    CalendarVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


def unseed(apps, schema_editor):
    apps.get_model("workcalendar", "Day").objects.all().delete()
    apps.get_model("workcalendar", "YearSchedule").objects.all().delete()
    apps.get_model("workcalendar", "CalendarVersion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
