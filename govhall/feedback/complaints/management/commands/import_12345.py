"""``manage.py import_12345 PATH [--user USERNAME]`` — 导入12345工单 from one .xlsx or
.json file (format: docs/complaints.md).

All or nothing: on any bad row every "第N行：problem" is printed and the command
exits non-zero without importing anything. A file imported before changes nothing.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from govhall.catalog.management.commands.import_catalog import default_actor
from govhall.core.errors import DomainError
from govhall.feedback.complaints import exchange


def actor_for(username: str | None):
    if username:
        actor = get_user_model().objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"用户 {username} 不存在")
        return actor
    actor = default_actor()
    if actor is None:
        raise CommandError("没有超级用户或中心管理员，请用 --user 指定操作人")
    return actor


class Command(BaseCommand):
    help = "导入12345工单（Excel 或 JSON；按工单编号去重；有任何错误则全部不导入）"

    def add_arguments(self, parser):
        parser.add_argument("path", help="工单文件路径（.xlsx 或 .json）")
        parser.add_argument("--user", help="以该用户身份导入（默认：第一个超级用户或中心管理员）")

    def handle(self, *args, path, user=None, **options):
        actor = actor_for(user)
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            result = exchange.import_orders(
                actor=actor, data=file.read_bytes(), file_name=file.name
            )
        except DomainError as exc:
            for row, problems in exc.fields.items():
                self.stderr.write(f"{row}：{'；'.join(problems)}")
            raise CommandError(exc.message) from None
        record = result.record
        if result.already_imported:
            self.stdout.write(
                f"该文件已于 {record.imported_at:%Y-%m-%d %H:%M} 由 {record.imported_by_name} "
                "导入，本次未做任何更改"
            )
            return
        for change in result.changed:
            self.stdout.write(
                f"{change['row']}：工单 {change['external_id']}（{change['number']}）已导入过，"
                f"内容有变化（{'、'.join(change['fields'])}），未覆盖"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新建 {record.created} 件，未变化 {record.unchanged} 件，"
                f"有变化未覆盖 {record.changed} 件"
            )
        )
