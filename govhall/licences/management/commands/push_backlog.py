"""``manage.py push_backlog --since YYYY-MM-DD [--until YYYY-MM-DD]`` — 补推: push the
decisions of that period that their supervising departments have not had
(``licences.services.push_backlog``; docs/licences.md)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from govhall.licences import services


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value[:20]}") from None


class Command(BaseCommand):
    help = "审批结果补推：把指定期间作出、尚未推送给监管部门的审批结果推送出去"

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="起始日期 YYYY-MM-DD")
        parser.add_argument("--until", help="截止日期 YYYY-MM-DD（含），默认今天")

    def handle(self, *args, **options):
        since = _date(options["since"])
        until = _date(options["until"]) if options.get("until") else None
        made = services.push_backlog(since=since, until=until)
        self.stdout.write(f"已补推 {made} 条审批结果")
