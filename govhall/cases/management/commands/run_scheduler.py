"""定时任务调度: ``python manage.py run_scheduler`` (docs/tasks.md).

Once a minute (APScheduler) asks ``govhall.cases.scheduler.tick`` whether the daily
rules are due (``GOVHALL_DAILY_JOBS_AT``, working days only) and, if so, enqueues the
task ``run_daily_rules`` (its delivery ``daily-rules:<day>``) for ``manage.py run_worker``
to run. Stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

import logging
import signal

from apscheduler.schedulers.blocking import BlockingScheduler
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from govhall.cases import scheduler

logger = logging.getLogger("govhall.scheduler")


class Command(BaseCommand):
    help = "定时任务调度：工作日每天 GOVHALL_DAILY_JOBS_AT 将每日法定任务加入任务队列"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查一次（测试、排错）")

    def _tick(self):
        close_old_connections()
        try:
            day = scheduler.tick()
        finally:
            close_old_connections()
        if day:
            self.stdout.write(f"已加入任务队列：每日法定任务（{day}）", ending="\n")
            self.stdout.flush()

    def handle(self, *args, **options):
        at = scheduler.daily_jobs_at()
        if options["once"]:
            self._tick()
            return
        sched = BlockingScheduler(timezone=settings.TIME_ZONE)
        sched.add_job(self._tick, "interval", minutes=1, coalesce=True, max_instances=1)
        signal.signal(signal.SIGTERM, lambda *_: sched.shutdown(wait=False))
        self.stdout.write(f"调度器已启动：工作日 {at:%H:%M} 加入每日法定任务（每分钟检查一次）")
        self.stdout.flush()
        self._tick()
        try:
            sched.start()
        except KeyboardInterrupt:
            pass
        self.stdout.write("调度器已停止")
