"""What the finder stores: a vector per published guide version, and the searches.

A vector is written once per published version (versions never change after 发布),
so re-indexing is needed only when the model changes (``manage.py reindex_finder``).
The searches are kept without personal data (``text.redact``): the centre reads what
people look for and do not find (R-FIND-4, docs/finder.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from govhall.catalog.models import Item, ItemVersion


class GuideVector(models.Model):
    """检索向量 — one published guide version as the finder reads it: the text that
    was encoded (by field, so a hit can say which part matched), its embedding, and
    the lexical terms with their pinyin (computed once here, not per query)."""

    version = models.OneToOneField(
        ItemVersion, verbose_name="指南版本", on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.CASCADE, related_name="+")
    model = models.CharField("模型", max_length=80)
    vector = models.BinaryField("向量", help_text="float32，已归一化")
    fields = models.JSONField("编码文本", default=dict, help_text="字段 → 文本")
    terms = models.JSONField(
        "检索词", default=list, help_text="[词, 字段, 全拼, 首字母]：名称、俗称、结果名称"
    )
    encoded_at = models.DateTimeField("编码时间")

    class Meta:
        verbose_name = "检索向量"
        verbose_name_plural = "检索向量"

    def __str__(self):
        return f"{self.version_id} · {self.model}"


class Channel(models.TextChoices):
    PORTAL = "portal", "政务服务网"
    DESK = "desk", "窗口"
    KIOSK = "kiosk", "取号机"
    API = "api", "接口"


class Search(models.Model):
    """检索记录 — one query as typed (ID numbers, phone numbers and long digit runs
    replaced by ＊), what it found, and which guide the person then opened."""

    text = models.CharField("检索内容", max_length=100)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField("检索时间", db_index=True)
    found = models.BooleanField("有结果", default=False)
    hits = models.JSONField("结果", default=list, help_text="前五个事项的实施编码")
    top_score = models.FloatField("最高分", null=True, blank=True)
    opened_item = models.ForeignKey(
        Item,
        verbose_name="打开的事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField("打开时间", null=True, blank=True)
    # 处理: the centre added a keyword to an item's draft from this search.
    keyword_added = models.CharField("补充的关键词", max_length=50, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "检索记录"
        verbose_name_plural = "检索记录"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["found", "created_at"])]

    def __str__(self):
        return self.text
