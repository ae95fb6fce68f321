"""``manage.py rebuild_supervision_rollups [--from YYYY-MM-DD] [--to YYYY-MM-DD]
[--department ID]`` — rebuild the 日统计 (``DailyCount``) of a range from the case
table: after an import, a restore, or a note the drain never saw."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from govhall.core.errors import ValidationFailed
from govhall.org.models import Department
from govhall.supervision import rollups


def _day(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}={value[:20]}：日期应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "电子监察：按办件表重建日统计（收件、受理、办结……）"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help="起始日期（YYYY-MM-DD），默认最早")
        parser.add_argument("--to", dest="end", help="截止日期（YYYY-MM-DD），默认最晚")
        parser.add_argument("--department", type=int, help="只重建该部门（部门 ID）")

    def handle(self, *args, **options):
        start, end = _day(options["start"], "--from"), _day(options["end"], "--to")
        if start and end and end < start:
            raise CommandError("截止日期不能早于起始日期")
        department = None
        if options["department"] is not None:
            department = Department.objects.filter(pk=options["department"]).first()
            if department is None:
                raise CommandError(f"部门 {options['department']} 不存在")
        began = time.perf_counter()
        try:
            written = rollups.rebuild(
                start=start, end=end, department_id=department.pk if department else None
            )
        except ValidationFailed as err:
            raise CommandError(str(err)) from None
        took = time.perf_counter() - began
        span = f"{start or '最早'} 至 {end or '最晚'}"
        scope = department.name if department else "全部部门"
        self.stdout.write(f"重建日统计：{span}，{scope}，写入 {written} 行，用时 {took:.1f} 秒")
