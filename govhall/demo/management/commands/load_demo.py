"""``manage.py load_demo`` — the 乌审旗 demo county (``make run``), safe to run again."""

import datetime as dt
import logging
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from govhall.core import clock
from govhall.demo.loaders import (
    BACKDATED_LOADERS,
    DEMO_DAYS_BACK,
    LOADERS,
    DemoContext,
    demo_accounts,
    demo_moment,
)

LABELS = {
    "centres": "服务中心",
    "departments": "部门",
    "stationings": "进驻",
    "windows": "窗口",
    "staff": "工作人员",
    "authorisations": "授权书",
    "life_events": "主题",
    "items": "事项",
    "negative_list": "其中负面清单",
    "suspended": "其中暂停",
    "authorised_items": "授权事项",
    "cases": "办件",
    "dead_letters": "死信任务",
    "warnings": "电子监察预警",
    "warning_kinds": "预警类型",
    "cleared_warnings": "已解除预警",
    "orders": "督办单",
    "file_reviews": "评查卷宗",
    "file_reviews_done": "其中已评查",
    "inspections": "巡查与自查",
    "third_party_scores": "第三方评估",
    "history_cases": "历史办件（迁移）",
    "ratings": "好差评",
    "rating_channels": "评价渠道",
    "bad_reviews_open": "未办结差评",
    "bad_reviews_closed": "已整改差评",
    "appeals": "申诉复核",
    "power_entries": "权责清单事项",
    "supervision_matters": "监管事项",
    "list_publications": "清单公布",
    "list_publications_today": "其中今日公布",
    "notifications": "已发送消息（演示短信见 var/sms.log）",
    "failed_notifications": "发送失败消息",
    "later_notifications": "其后发送的消息",
    "linkages": "事项联动设置",
    "liaisons": "指定联络员",
    "expiring": "短期证照",
    "licence_cases": "审管联动演示办件",
    "pushes": "审批结果推送",
    "acknowledged": "其中已签收",
    "licence_changes": "证照变更/延续/撤销/注销",
    "reports": "监管反馈",
    "warning_entries": "警示信息库主体",
    "tolerance_refused": "被拒容缺受理",
    "letters": "书面函告",
    "expired": "到期证照",
    "reminded": "到期提醒",
    "in_force": "有效证照",
    "finder_vectors": "检索向量（事项智能检索）",
    "searches": "检索记录",
}


class Command(BaseCommand):
    help = "载入演示县（乌审旗）数据：可重复执行，已有数据按编码识别，不会重复创建"

    def handle(self, *args, **options):
        started = time.monotonic()
        # The demo's dead letters fail on purpose, five tries each: their retry warnings
        # would bury the accounts and the URL on a newcomer's first screen.
        quiet = logging.getLogger("govhall.core.tasks")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)
        try:
            self._load(started)
        finally:
            quiet.setLevel(level)

    def _load(self, started):
        ctx = DemoContext()
        with transaction.atomic():  # all or nothing, and one commit (fast on SQLite)
            epoch = clock.today() - dt.timedelta(days=DEMO_DAYS_BACK)
            moment = demo_moment()
            for loader in LOADERS:
                backdated = loader in BACKDATED_LOADERS
                with clock.frozen(epoch if backdated else moment):
                    created = loader(ctx)
                summary = "，".join(f"{LABELS.get(k, k)} {v}" for k, v in created.items() if v)
                self.stdout.write(f"[{loader.__name__}] 新建：{summary or '无（已是最新）'}")
        self.stdout.write(f"演示数据载入完成，用时 {time.monotonic() - started:.1f} 秒。")
        self.stdout.write("")
        self.stdout.write("演示账号（其余工作人员账号的密码相同）：")
        rows = [("用户名", "密码", "角色", "部门", "所在中心"), *demo_accounts()]
        widths = [max(_width(r[i]) for r in rows) for i in range(5)]
        for row in rows:
            self.stdout.write(
                "  ".join(
                    cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
                ).rstrip()
            )


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)
