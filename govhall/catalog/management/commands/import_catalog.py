"""``manage.py import_catalog PATH [--user USERNAME]`` — 导入事项目录 from one .xlsx.

All or nothing: on any fault every "sheet 第N行 「column」: message" is printed and
the command exits non-zero without importing anything.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from govhall.catalog import excel
from govhall.core.errors import DomainError
from govhall.org import permissions


def default_actor():
    """The first superuser, else the first centre administrator on duty (the rule:
    ``org.permissions.is_centre_admin``)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("staff")
        .order_by("-is_superuser", "pk")
    )
    return next((u for u in users.iterator() if permissions.is_centre_admin(u)), None)


class Command(BaseCommand):
    help = "从 Excel 工作簿导入事项目录（按实施编码新增或更新；有任何错误则全部不导入）"

    def add_arguments(self, parser):
        parser.add_argument("path", help="Excel 工作簿路径（.xlsx）")
        parser.add_argument("--user", help="以该用户身份导入（默认：第一个超级用户或中心管理员）")

    def handle(self, *args, path, user=None, **options):
        User = get_user_model()
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"用户 {user} 不存在")
        else:
            actor = default_actor()
            if actor is None:
                raise CommandError("没有超级用户或中心管理员，请用 --user 指定导入人")
        bars: dict[str, tqdm] = {}

        def progress(stage, done, total):
            bar = bars.get(stage)
            if bar is None:
                bar = bars[stage] = tqdm(
                    total=total,
                    desc=stage,
                    unit="项",
                    file=getattr(self.stderr, "_out", self.stderr),
                )
            bar.update(done - bar.n)

        try:
            report = excel.import_workbook(actor=actor, stream=path, progress=progress)
        except FileNotFoundError:
            raise CommandError(f"文件不存在：{path}")
        except DomainError as exc:
            for bar in bars.values():
                bar.close()
            for fault in getattr(exc, "rows", []):
                self.stderr.write(str(fault))
            raise CommandError(exc.message)
        for bar in bars.values():
            bar.close()
        self.stdout.write(self.style.SUCCESS(f"导入完成：{report}"))
