"""``manage.py seed_calendar`` — refill an emptied working-day table and show its years."""

from django.core.management.base import BaseCommand

from govhall.calendar import selectors, services


class Command(BaseCommand):
    help = "工作日历：表为空时按国务院安排（chinesecalendar）与推算规则重新生成，并列出各年份来源"

    def handle(self, *args, **options):
        written = services.seed_if_empty()
        if written:
            self.stdout.write(f"已生成 {written} 天")
        for schedule in selectors.year_schedules():
            self.stdout.write(f"{schedule.year}  {schedule.get_source_display()}")
