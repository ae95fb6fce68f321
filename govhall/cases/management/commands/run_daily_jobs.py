"""每日法定任务: ``python manage.py run_daily_jobs [--date YYYY-MM-DD]``.

Run once a day (cron / systemd timer, see docs/cases-ui.md) after midnight, or let
``manage.py run_scheduler`` enqueue the same rules as a task (docs/tasks.md):

1. 行政许可法 §32 — an application neither accepted nor sent a 补正 notice within 5
   working days of receipt counts as accepted from receipt
   (``services.apply_deemed_acceptance``: flagged 视为受理, clock started);
2. 容缺受理 — a catch-up deadline missed ends the case
   (``services.expire_tolerance_catchups``: 终止 by the system);
3. 红黄灯 — staff are told of their cases turning yellow or red
   (``messages.announce_lights``, once per case and light).

Both services select only cases not yet handled, so running the command twice on
the same day changes nothing more (idempotent), and return the 受理编号 of what they
did, which the command prints. ``--date`` judges the rules as of that day (e.g. to
catch up after an outage); the events are still dated now.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from govhall.cases.tasks import daily_rules
from govhall.core import clock


class Command(BaseCommand):
    help = "每日法定任务：§32 视为受理、容缺逾期终止（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日判断（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式不正确：{options['date']}（应为 YYYY-MM-DD）")
        else:
            day = clock.today()
        changed = daily_rules(day=day)
        deemed, ended = changed["deemed"], changed["ended"]
        out = self.stdout
        out.write(f"每日法定任务（{day:%Y年%m月%d日}）")
        out.write(
            f"  视为受理（行政许可法第三十二条，5个工作日内未受理也未告知补正）：{len(deemed)} 件"
            + (f"：{'、'.join(deemed)}" if deemed else "")
        )
        out.write(
            f"  容缺材料逾期未补齐，终止办理：{len(ended)} 件"
            + (f"：{'、'.join(ended)}" if ended else "")
        )
        lights = changed.get("lights", [])
        if lights:
            out.write(
                f"  红黄灯提醒（已告知承办人或首席代表）：{len(lights)} 件：{'、'.join(lights)}"
            )
        if not deemed and not ended and not lights:
            out.write("  无需处理的办件。")
