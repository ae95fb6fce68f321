"""Rebuild the daily rating counts (评价日统计) from the ratings."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from govhall.feedback.ratings import rollups


def _day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "按评价重算评价日统计（可指定起止日期）"

    def add_arguments(self, parser):
        parser.add_argument("--start", help="起始日期 YYYY-MM-DD")
        parser.add_argument("--end", help="截止日期 YYYY-MM-DD")

    def handle(self, *args, start=None, end=None, **options):
        rows = rollups.rebuild(start=_day(start), end=_day(end))
        self.stdout.write(f"评价日统计已重算：{rows} 行")
