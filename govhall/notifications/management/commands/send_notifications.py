"""``manage.py send_notifications`` — send every queued notification now, without a
worker (for cron installations, or after an outage); the worker's drain task does the
same in normal operation (docs/notifications.md)."""

from django.core.management.base import BaseCommand

from govhall.notifications import services


class Command(BaseCommand):
    help = "立即发送所有待发送的消息通知（无需后台任务进程）"

    def handle(self, *args, **options):
        done = services.send_all()
        self.stdout.write(
            f"消息通知：发送 {done['sent']} 条，失败 {done['failed']} 条（失败的将单独重试）"
        )
