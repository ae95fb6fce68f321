from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "载入演示县数据（可重复执行，不会重复创建）"

    def handle(self, *args, **options):
        self.stdout.write("演示数据尚未实现")
