"""``manage.py run_daily_warnings [--day YYYY-MM-DD]`` — the daily warning run
(电子监察预警) in this process, without a worker (cron installations, catching up),
then the 督办 orders past their reply deadline are escalated."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from govhall.core import clock
from govhall.supervision import services


class Command(BaseCommand):
    help = "电子监察预警：对在办及近期办结的办件运行预警规则"

    def add_arguments(self, parser):
        parser.add_argument("--day", help="按哪一天判断（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        try:
            day = dt.date.fromisoformat(options["day"]) if options["day"] else clock.today()
        except ValueError:
            raise CommandError(f"--day={options['day']}: 应为 YYYY-MM-DD")
        done = services.daily_run(today=day)
        escalated = services.escalate_overdue(today=day)
        reminded = services.remind_due_orders(today=day)
        self.stdout.write(
            f"{day:%Y-%m-%d}：检查办件 {done['cases']} 件，新增预警 {done['raised']} 条，"
            f"解除预警 {done['cleared']} 条，督办逾期升级 {escalated} 件，"
            f"提醒临期回复 {reminded} 件"
        )
