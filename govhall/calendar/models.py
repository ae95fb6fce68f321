"""The working-day table (工作日历).

One row per date with a precomputed working-day ``ordinal``: the number of working
days from the first row up to and including that date. "N working days after X" is
then ``date_of_ordinal(ordinal(X) + N)`` — constant time, and lists can filter on
the indexed ``ordinal`` column in SQL (行政许可法 §82: periods count working days).
"""

from django.conf import settings
from django.db import models

from . import rules


class DayKind(models.TextChoices):
    WORKDAY = rules.WORKDAY, "工作日"
    WEEKEND = rules.WEEKEND, "周末"
    HOLIDAY = rules.HOLIDAY, "法定节假日"
    MAKEUP = rules.MAKEUP, "调休上班"


class ScheduleSource(models.TextChoices):
    STATE_COUNCIL = "state_council", "国务院放假安排"
    CENTRE = "centre", "中心录入"
    PROVISIONAL = "provisional", "推算（暂定）"


class Day(models.Model):
    date = models.DateField("日期", primary_key=True)
    is_workday = models.BooleanField("是否工作日")
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    name = models.CharField("节日名称", max_length=50, blank=True)
    ordinal = models.PositiveIntegerField("工作日序号", db_index=True)
    provisional = models.BooleanField("暂定", default=False)
    # 推算 day the predictor is not sure of (counted as a working day: docs/calendar.md)
    uncertain = models.BooleanField("待定", default=False)

    class Meta:
        verbose_name = "日历日"
        verbose_name_plural = "日历日"
        ordering = ["date"]

    def __str__(self):
        label = self.get_kind_display()
        return f"{self.date:%Y-%m-%d} {label}{' ' + self.name if self.name else ''}"


class YearSchedule(models.Model):
    """Where a year's days come from: the State Council, the centre, or 推算."""

    year = models.PositiveIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=16, choices=ScheduleSource.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField("录入时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度放假安排"
        verbose_name_plural = "年度放假安排"
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}年（{self.get_source_display()}）"

    @property
    def provisional(self) -> bool:
        return self.source == ScheduleSource.PROVISIONAL


class CalendarVersion(models.Model):
    """A single row whose token changes with every write to the table, so every
    process notices (one primary-key read) that its in-memory copy is stale."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "日历版本"
        verbose_name_plural = "日历版本"

    def __str__(self):
        return self.token
