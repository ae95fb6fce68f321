"""行政备案 (filing, seed 4 备案; domain.md §8): a citizen's or an organisation's filing of
an item on the 备案清单, its history and attachments.

A filing moves only through ``services`` and the one transition table of
``workflow.py``. Every filing gets a 申报编号 (``tracking``, BS2026-000001) when it is
submitted; the 备案编号 (``number``, BA2026-000001, gap-free per year) is issued when it
is filed: at once for 事后告知类 (即来即备), on the department's confirmation for 确认类.
A filing never blocks the activity it reports: it is never "refused", a 确认类 filing
may only be returned for 补正 and filed again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.catalog.models import FilingKind, Item, ItemVersion
from govhall.core import clock
from govhall.core.files import validate_case_file
from govhall.core.validators import mask_id_number, mask_phone
from govhall.org.models import Centre, Department


class FilerKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class Channel(models.TextChoices):
    ONLINE = "online", "网上备案"
    WINDOW = "window", "窗口备案"
    API = "api", "接口报送"


class State(models.TextChoices):
    FILED = "filed", "已备案"  # 事后告知类, 即来即备
    SUBMITTED = "submitted", "待确认"
    RETURNED = "returned", "退回补正"
    RESUBMITTED = "resubmitted", "补正后待确认"
    CONFIRMED = "confirmed", "已确认备案"


# Waiting for the department's confirmation: the confirmation limit runs.
PENDING = (State.SUBMITTED, State.RESUBMITTED)
# Holding a 备案编号 (a receipt may be printed).
DONE = (State.FILED, State.CONFIRMED)


class FilingCounter(models.Model):
    """The last number of a series in a year (``numbering.next_number``): ``BA`` the
    备案编号, ``BS`` the 申报编号."""

    series = models.CharField("编号类别", max_length=2)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("当年最后序号", default=0)

    class Meta:
        verbose_name = "备案编号计数"
        verbose_name_plural = "备案编号计数"
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="filing_counter_series_year")
        ]

    def __str__(self):
        return f"{self.series}{self.year}: {self.last}"


class Filing(models.Model):
    tracking = models.CharField("申报编号", max_length=20, unique=True)
    number = models.CharField("备案编号", max_length=20, unique=True, null=True, blank=True)
    item = models.ForeignKey(
        Item, verbose_name="备案事项", on_delete=models.PROTECT, related_name="+"
    )
    item_version = models.ForeignKey(
        ItemVersion, verbose_name="办事指南版本", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("备案类别", max_length=10, choices=FilingKind.choices)
    department = models.ForeignKey(
        Department, verbose_name="备案机关", on_delete=models.PROTECT, related_name="+"
    )
    centre = models.ForeignKey(
        Centre, verbose_name="受理中心", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    filer_kind = models.CharField("备案人类型", max_length=12, choices=FilerKind.choices)
    filer_name = models.CharField("备案人", max_length=100)
    filer_id = models.CharField("身份证号/统一社会信用代码", max_length=18)
    phone = models.CharField("联系电话", max_length=20)
    activity = models.CharField("备案活动", max_length=200)
    activity_date = models.DateField("活动日期")
    state = models.CharField("状态", max_length=12, choices=State.choices)
    version = models.PositiveIntegerField("版本", default=0)
    submitted_at = models.DateTimeField("提交时间")
    due_date = models.DateField("确认期限", null=True, blank=True)
    filed_at = models.DateTimeField("备案时间", null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField("退回补正次数", default=0)
    return_reason = models.TextField("最近一次退回理由", blank=True)

    class Meta:
        verbose_name = "行政备案"
        verbose_name_plural = "行政备案"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(state__in=DONE),
                name="filing_number_only_when_filed",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=DONE) | Q(number__isnull=False, filed_at__isnull=False),
                name="filed_filing_has_number",
            ),
            models.CheckConstraint(
                condition=Q(kind=FilingKind.CONFIRM) | Q(state=State.FILED),
                name="notify_filing_is_filed",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "state"], name="filing_dept_state"),
            models.Index(fields=["state", "due_date"], name="filing_state_due"),
            models.Index(fields=["submitted_at"], name="filing_submitted"),
        ]

    def __str__(self):
        return self.number or self.tracking

    @property
    def ref(self) -> str:
        """The number staff and filers quote: the 备案编号 once issued."""
        return self.number or self.tracking

    @property
    def overdue(self) -> bool:
        """A 确认类 filing still waiting past its confirmation limit (超期未确认)."""
        return self.state in PENDING and self.due_date is not None and self.due_date < clock.today()

    @property
    def masked_name(self) -> str:
        name = self.filer_name
        if self.filer_kind == FilerKind.ORGANISATION or len(name) < 2:
            return name
        return name[0] + "*" * (len(name) - 1)

    @property
    def masked_id(self) -> str:
        if self.filer_kind == FilerKind.ORGANISATION:
            return self.filer_id  # 统一社会信用代码 is public (GB 32100)
        return mask_id_number(self.filer_id)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class FilingEvent(models.Model):
    """One step of a filing's history (insert-only)."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=100)
    at = models.DateTimeField("时间")
    text = models.TextField("意见/说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = "备案办理记录"
        verbose_name_plural = "备案办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.filing_id} {self.action}"


class FilingAttachment(models.Model):
    """备案材料 (with the filing or its 补正), checked like case materials."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        FilingEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField("名称", max_length=200)
    file = models.FileField("文件", upload_to="filings/%Y/%m/", validators=[validate_case_file])
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "备案材料"
        verbose_name_plural = "备案材料"
        ordering = ["id"]

    def __str__(self):
        return self.name
