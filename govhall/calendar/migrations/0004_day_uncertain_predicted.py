"""Day.uncertain, and the 推算 years rewritten with the predicted 调休 (issue 17):
every day of a provisional year becomes the predictor's counted day (an uncertain day
counts as a working day), and the ordinals from the first rewritten day on are
recomputed. Years with a schedule (国务院 / 中心录入) are left as they are."""

import datetime as dt
import uuid

from django.db import migrations, models

from govhall.calendar import predict


def rewrite(apps, schema_editor):
    Day = apps.get_model("workcalendar", "Day")
    YearSchedule = apps.get_model("workcalendar", "YearSchedule")
    CalendarVersion = apps.get_model("workcalendar", "CalendarVersion")
    years = sorted(YearSchedule.objects.filter(source="provisional").values_list("year", flat=True))
    if not years or not Day.objects.exists():
        return
    first = dt.date(years[0], 1, 1)
    predicted = {}
    for year in years:
        for rule, uncertain in predict.provisional_year(year):
            predicted[rule.date] = (rule, uncertain)
    previous = Day.objects.filter(date__lt=first).order_by("-date").first()
    ordinal = previous.ordinal if previous else 0
    rows = list(Day.objects.filter(date__gte=first).order_by("date"))
    for row in rows:
        if row.date in predicted:
            rule, uncertain = predicted[row.date]
            row.kind, row.name = rule.kind, rule.name
            row.is_workday, row.uncertain = rule.is_workday, uncertain
        ordinal += row.is_workday
        row.ordinal = ordinal
    Day.objects.bulk_update(
        rows, ["kind", "name", "is_workday", "uncertain", "ordinal"], batch_size=1000
    )
    CalendarVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0003_source_label")]

    operations = [
        migrations.AddField(
            model_name="day",
            name="uncertain",
            field=models.BooleanField(default=False, verbose_name="待定"),
        ),
        migrations.RunPython(rewrite, migrations.RunPython.noop),
    ]
