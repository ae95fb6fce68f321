"""事项动态调整申请 (issue 13 §1–§2): a department applies in writing to add, cancel,
change, delegate, sink, transfer, suspend or resume an item, or to put it on (or take
it off) the 负面清单; the centre reviews; the county government approves where the
law says so; approval applies the change to the catalogue in one transaction.

A request moves only through ``services.transition`` (the table of ``workflow.py``);
its ``RequestEvent`` rows are the insert-only history and every step has its audit row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.catalog.models import Item, ItemVersion, NegativeListReason
from govhall.core.files import validate_case_file
from govhall.org.models import Department, Staff


class Kind(models.TextChoices):
    """调整类型 (乌审旗 动态管理 §3, 负面清单 §6, 两优 §5)."""

    ADD = "add", "新增"
    CANCEL = "cancel", "取消"
    CHANGE = "change", "变更"
    DELEGATE = "delegate", "下放"
    SINK = "sink", "下沉"
    TRANSFER = "transfer", "划转"
    SUSPEND = "suspend", "暂停"
    RESUME = "resume", "恢复"
    NEGATIVE_ADD = "negative_add", "列入负面清单"
    NEGATIVE_REMOVE = "negative_remove", "移出负面清单"


# Kinds whose request carries the draft guide it publishes.
DRAFT_KINDS = (Kind.ADD, Kind.CHANGE, Kind.DELEGATE, Kind.SINK)
# Kinds the county government approves before they take effect (内乡 §8: 不进驻 needs
# 县政府批准; 负面清单 entries are published only after approval).
COUNTY_KINDS = (Kind.NEGATIVE_ADD, Kind.NEGATIVE_REMOVE)


class Trigger(models.TextChoices):
    """调整事由 (乌审旗 动态管理 §3 (一)–(六))."""

    LAW = "law", "法律法规立改废"
    DELEGATION = "delegation", "上级下放"
    TOWNSHIP = "township_reform", "乡镇改革"
    INSTITUTION = "institution_reform", "机构改革"
    GUIDE = "guide_revision", "指南修订"
    OTHER = "other", "其他"


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待中心审核"
    RETURNED = "returned", "已退回"
    CENTRE_APPROVED = "centre_approved", "中心已审核，待县政府批准"
    APPLIED = "applied", "已生效"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.RETURNED, State.CENTRE_APPROVED)


class RequestCounter(models.Model):
    """The last request number of a year (``numbering.next_number``)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    last = models.PositiveIntegerField("当年最后序号", default=0)

    class Meta:
        verbose_name = "调整申请编号计数"
        verbose_name_plural = "调整申请编号计数"

    def __str__(self):
        return f"{self.year}: {self.last}"


class AdjustmentRequest(models.Model):
    number = models.CharField("申请编号", max_length=20, unique=True)
    department = models.ForeignKey(
        Department, verbose_name="申请部门", on_delete=models.PROTECT, related_name="+"
    )
    # Always set: a 新增 request gets its (unpublished) item and draft when it is
    # filed, so the department edits the guide on the usual draft pages and the centre
    # reviews the very draft it will publish (docs/governance.md).
    item = models.ForeignKey(
        Item, verbose_name="事项", on_delete=models.PROTECT, related_name="adjustment_requests"
    )
    kind = models.CharField("调整类型", max_length=20, choices=Kind.choices)
    trigger = models.CharField("调整事由", max_length=20, choices=Trigger.choices)
    trigger_date = models.DateField("事由发生日期", help_text="如法律法规公布之日")
    basis = models.CharField("依据文件", max_length=200, blank=True, help_text="名称及文号")
    touches_elements = models.BooleanField(
        "涉及受理条件、申请材料、办理流程或时限", default=False, help_text="3个工作日内申请"
    )
    two_priority = models.BooleanField("两优清单调整", default=False, help_text="一个月内申请")
    due_date = models.DateField("申请期限", null=True, blank=True)
    late = models.BooleanField("逾期申请", default=False)
    reasons = models.TextField("申请理由", help_text="取消、暂停、恢复的理由向社会公开")
    draft = models.ForeignKey(
        ItemVersion,
        verbose_name="待发布的办事指南草稿",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    draft_token = models.PositiveIntegerField(
        "提交时草稿编辑序号", null=True, blank=True, help_text="提交后草稿被改动则不能审核通过"
    )
    published_version = models.ForeignKey(
        ItemVersion,
        verbose_name="发布的版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_department = models.ForeignKey(
        Department,
        verbose_name="划入部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handover_note = models.TextField(
        "移交清单", blank=True, help_text="政策文件、证照文书、档案资料（划转）"
    )
    handed_over = models.JSONField("移交的在办办件", default=list, blank=True)
    negative_category = models.CharField(
        "负面清单理由类别",
        max_length=12,
        choices=NegativeListReason.choices,
        blank=True,
        default="",
    )
    negative_statement = models.TextField("不进驻情况说明", blank=True)
    approvers = models.ManyToManyField(
        Staff, verbose_name="新增事项的审批人员", blank=True, related_name="+"
    )
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField("版本", default=0)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    centre_approved_at = models.DateTimeField("中心审核时间", null=True, blank=True)
    county_document = models.CharField("县政府批准文号", max_length=100, blank=True)
    county_approved_on = models.DateField("县政府批准日期", null=True, blank=True)
    county_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField("生效时间", null=True, blank=True)

    class Meta:
        verbose_name = "事项调整申请"
        verbose_name_plural = "事项调整申请"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "state"], name="adj_dept_state"),
            models.Index(fields=["submitted_at"], name="adj_submitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="transfer")
                | Q(target_department__isnull=False)
                | Q(state="draft"),
                name="adj_transfer_has_target",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"

    @property
    def needs_county(self) -> bool:
        return self.kind in COUNTY_KINDS

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class RequestEvent(models.Model):
    """办理记录 of a request — one row per step. Insert-only."""

    request = models.ForeignKey(AdjustmentRequest, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("操作", max_length=30)
    from_state = models.CharField("原状态", max_length=20, blank=True)
    to_state = models.CharField("新状态", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=100)
    at = models.DateTimeField("时间")
    text = models.TextField("意见/理由", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "调整申请记录"
        verbose_name_plural = "调整申请记录"
        ordering = ["request", "at", "id"]

    def __str__(self):
        return f"{self.request} {self.action}"


class RequestAttachment(models.Model):
    """书面申请 and other documents (county approval, handover list)."""

    request = models.ForeignKey(
        AdjustmentRequest, on_delete=models.PROTECT, related_name="attachments"
    )
    event = models.ForeignKey(
        RequestEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    name = models.CharField("名称", max_length=200)
    file = models.FileField("文件", upload_to="governance/%Y/%m/", validators=[validate_case_file])
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "调整申请附件"
        verbose_name_plural = "调整申请附件"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name
