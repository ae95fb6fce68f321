"""The lists the centre publishes (issue 13 §3): the two that have no home in the
catalogue — 权责清单 (:class:`PowerEntry`) and 监管事项清单
(:class:`SupervisionMatter`) — and every list's publications (:class:`ListPublication`),
each a snapshot of the rows with what changed against the one before.

The other eleven lists are computed from the catalogue (``registry.py``); a
publication freezes what they were on that day, so "the list as published on D" is
read back exactly, whatever the catalogue has become since.
"""

from django.conf import settings
from django.db import models

from govhall.catalog.models import Item
from govhall.org.models import Department


class PowerKind(models.TextChoices):
    """权力类型 of a 权责清单 entry (the ten kinds county lists use)."""

    LICENSING = "licensing", "行政许可"
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    LEVY = "levy", "行政征收"
    PAYMENT = "payment", "行政给付"
    INSPECTION = "inspection", "行政检查"
    CONFIRMATION = "confirmation", "行政确认"
    REWARD = "reward", "行政奖励"
    ADJUDICATION = "adjudication", "行政裁决"
    OTHER = "other", "其他行政权力"


class PowerEntry(models.Model):
    """权责清单的一项 (seed 1 一(三)): 权力名称, 实施部门, 设定依据, 责任事项, 追责情形;
    optionally the catalogue item through which the power is exercised."""

    code = models.CharField("权力编码", max_length=40, unique=True)
    name = models.CharField("权力名称", max_length=200)
    kind = models.CharField("权力类型", max_length=16, choices=PowerKind.choices)
    department = models.ForeignKey(
        Department, verbose_name="实施部门", on_delete=models.PROTECT, related_name="powers"
    )
    item = models.ForeignKey(
        Item,
        verbose_name="对应事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="powers",
    )
    basis = models.TextField("设定依据")
    responsibilities = models.TextField("责任事项")
    accountability = models.TextField("追责情形", blank=True)
    is_active = models.BooleanField("有效", default=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "权责清单事项"
        verbose_name_plural = "权责清单"
        ordering = ["department__name", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class SupervisionMatter(models.Model):
    """监管事项清单的一项: what is supervised (the approval items it follows up, 审管
    联动), by whom (监管部门), of whom (监管对象), on what basis and how (监管方式).
    Issue 14 asks ``selectors.supervising_departments(item=…)`` who supervises an
    item."""

    code = models.CharField("监管事项编码", max_length=40, unique=True)
    name = models.CharField("监管事项名称", max_length=200)
    department = models.ForeignKey(
        Department,
        verbose_name="监管部门",
        on_delete=models.PROTECT,
        related_name="supervision_matters",
    )
    items = models.ManyToManyField(
        Item, verbose_name="对应审批事项", blank=True, related_name="supervision_matters"
    )
    target = models.TextField("监管对象")
    basis = models.TextField("监管依据")
    method = models.TextField("监管方式")
    is_active = models.BooleanField("有效", default=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "监管事项"
        verbose_name_plural = "监管事项清单"
        ordering = ["department__name", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class ListPublication(models.Model):
    """One publication (公布) of one list: its rows frozen as JSON, numbered per list,
    with the counts (and a bounded sample, ``changes``) of rows added, removed and
    changed against the publication before it. Insert-only."""

    key = models.CharField("清单", max_length=20)
    sequence = models.PositiveIntegerField("公布序号")
    published_at = models.DateTimeField("公布时间")
    published_on = models.DateField("公布日期")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("公布人", max_length=100)
    note = models.CharField("说明", max_length=200, blank=True)
    rows = models.JSONField("清单内容", default=list)
    row_count = models.PositiveIntegerField("条目数", default=0)
    added = models.PositiveIntegerField("新增", default=0)
    removed = models.PositiveIntegerField("移出", default=0)
    changed = models.PositiveIntegerField("变更", default=0)
    changes = models.JSONField(
        "变化明细",
        default=dict,
        help_text="{added: [行], removed: [行], changed: [{before, after}]}，每类至多若干行",
    )

    class Meta:
        verbose_name = "清单公布"
        verbose_name_plural = "清单公布"
        ordering = ["key", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["key", "sequence"], name="unique_list_sequence")
        ]
        indexes = [models.Index(fields=["key", "published_on"])]

    def __str__(self):
        return f"{self.key} 第{self.sequence}次公布"

    @property
    def first(self) -> bool:
        return self.sequence == 1
