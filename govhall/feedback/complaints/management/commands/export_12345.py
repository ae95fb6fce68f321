"""``manage.py export_12345 PATH [--since YYYY-MM-DD] [--user USERNAME]`` — 导出12345
工单的办理状态与答复, as .json or .xlsx by PATH's extension (docs/complaints.md)."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from govhall.core.errors import DomainError
from govhall.feedback.complaints import exchange

from .import_12345 import actor_for


class Command(BaseCommand):
    help = "导出12345工单的办理状态与答复（.json 或 .xlsx，与导入格式相同）"

    def add_arguments(self, parser):
        parser.add_argument("path", help="导出文件路径（.json 或 .xlsx）")
        parser.add_argument("--since", help="只导出该日期（含）以来有办理记录的工单，YYYY-MM-DD")
        parser.add_argument("--user", help="以该用户身份导出（默认：第一个超级用户或中心管理员）")

    def handle(self, *args, path, since=None, user=None, **options):
        file = Path(path)
        kind = file.suffix.lower().lstrip(".")
        if kind not in ("json", "xlsx"):
            raise CommandError("导出文件应以 .json 或 .xlsx 结尾")
        try:
            day = dt.date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError("--since 应为 YYYY-MM-DD") from None
        try:
            data = exchange.export_orders(user=actor_for(user), since=day, as_=kind)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        file.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"已导出到 {file}"))
