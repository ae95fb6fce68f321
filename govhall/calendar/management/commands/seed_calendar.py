"""``manage.py seed_calendar`` — fill an emptied working-day table, or bring its 推算
years up to this release's predictor (``services.refresh_predictions``: the days the
centre edited stay), and show its years. ``make migrate`` runs it after ``migrate``."""

from django.core.management.base import BaseCommand

from govhall.calendar import selectors, services
from govhall.core import actors


class Command(BaseCommand):
    help = (
        "工作日历：表为空时按国务院安排（chinesecalendar）与推算规则重新生成；"
        "否则按当前推算规则更新推算年份（中心调整过的日期不变），并列出各年份来源"
    )

    def handle(self, *args, **options):
        verbose = options["verbosity"] >= 1
        written = services.seed_if_empty()
        if written:
            self.stdout.write(f"已生成 {written} 天")
        else:
            years = services.refresh_predictions(actor=actors.SYSTEM)
            if years:
                self.stdout.write(f"推算年份已按当前规则更新：{'、'.join(map(str, years))}")
        if verbose:
            for schedule in selectors.year_schedules():
                self.stdout.write(f"{schedule.year}  {schedule.get_source_display()}")
