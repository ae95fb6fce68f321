"""``manage.py export_catalog PATH`` — 导出事项目录 (current versions) to one .xlsx."""

from django.core.management.base import BaseCommand

from govhall.catalog import excel, selectors


class Command(BaseCommand):
    help = "导出事项目录（现行版本）为 Excel 工作簿：事项、申请材料、办理环节、特殊环节"

    def add_arguments(self, parser):
        parser.add_argument("path", help="输出文件路径（.xlsx）")

    def handle(self, *args, path, **options):
        count = selectors.current_versions().count()
        excel.export_workbook(stream=path, versions=None)
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 个事项到 {path}"))
