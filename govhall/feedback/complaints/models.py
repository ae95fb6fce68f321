"""有诉即办 complaints and 12345 work orders (诉求/工单), their history, the 知识库 and the
record of each 12345 file imported (issue 12 §2).

A complaint moves only through ``services.transition`` (the table of ``workflow.py``);
its ``ComplaintEvent`` rows are the insert-only history (办理记录) and every change
has its audit row as well.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.cases.models import Case
from govhall.catalog.models import Item
from govhall.core.files import validate_case_file
from govhall.core.validators import mask_id_number, mask_phone
from govhall.org.models import Centre, Department, Staff


class Channel(models.TextChoices):
    """诉求渠道."""

    WINDOW = "window", "有诉即办窗口"
    PORTAL = "portal", "网上诉求"
    HOTLINE = "hotline12345", "12345热线"
    OPEN311 = "open311", "Open311接口"


class Category(models.TextChoices):
    """诉求类别: each has its own time limit (policy ``COMPLAINTS_LIMIT_DAYS``)."""

    URGENT = "urgent", "紧急"
    CONSULTATION = "consultation", "咨询"
    HELP = "help", "求助"
    SUGGESTION = "suggestion", "建议"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"


class State(models.TextChoices):
    """工单状态 (GB/T 33358 loop 受理 → 派单 → 办理 → 答复 → 办结 → 回访 → 评价)."""

    SUBMITTED = "submitted", "待受理"
    ACCEPTED = "accepted", "已受理"
    ASSIGNED = "assigned", "已派单"
    RETURNED = "returned", "已退单"
    IN_PROGRESS = "in_progress", "办理中"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"
    VISITED = "visited", "已回访"
    SATISFIED = "satisfied", "已评价（满意）"
    UNSATISFIED = "unsatisfied", "已评价（不满意）"


# Still to be answered: the deadline runs (督办 when it is missed).
ANSWER_PENDING = (State.ACCEPTED, State.ASSIGNED, State.RETURNED, State.IN_PROGRESS)
FINAL_STATES = (State.SATISFIED, State.UNSATISFIED)


class ComplaintCounter(models.Model):
    """The last tracking number of a year (``numbering.next_number``)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    last = models.PositiveIntegerField("当年最后序号", default=0)

    class Meta:
        verbose_name = "诉求编号计数"
        verbose_name_plural = "诉求编号计数"

    def __str__(self):
        return f"{self.year}: {self.last}"


class Finding(models.TextChoices):
    """核查结论 of a complaint or report at 办结: whether what was complained of was
    found true (属实 counts against the staff member in the year-end appraisal)."""

    UPHELD = "upheld", "属实"
    PARTLY = "partly", "部分属实"
    NOT_UPHELD = "not_upheld", "不属实"


class Complaint(models.Model):
    number = models.CharField("诉求编号", max_length=20, unique=True)
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    subject = models.CharField("标题", max_length=200)
    content = models.TextField("诉求内容")
    centre = models.ForeignKey(
        Centre, verbose_name="受理中心", on_delete=models.PROTECT, related_name="+"
    )
    # 诉求人 (may be anonymous for a 举报 from 12345: name blank).
    complainant_name = models.CharField("诉求人", max_length=100, blank=True)
    complainant_phone = models.CharField("联系电话", max_length=20, blank=True)
    complainant_id_number = models.CharField("身份证号", max_length=18, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name="涉及办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    about_staff = models.ForeignKey(
        Staff,
        verbose_name="被投诉工作人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="投诉工作人员的诉求只能派给中心或纪检监察部门",
    )
    # The department handling it; ``None`` once 派单 means the centre itself (中心).
    department = models.ForeignKey(
        Department,
        verbose_name="承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField("状态", max_length=20, choices=State.choices)
    version = models.PositiveIntegerField("版本", default=0)
    received_at = models.DateTimeField("收到时间")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    due_date = models.DateField("答复期限", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    finding = models.CharField(
        "核查结论",
        max_length=12,
        choices=Finding.choices,
        blank=True,
        help_text="办结时填写；涉及工作人员的投诉、举报必填（年度表现鉴定的“投诉属实”）",
    )
    reply = models.TextField("答复内容", blank=True)
    knowledge_entry = models.ForeignKey(
        "KnowledgeEntry",
        verbose_name="引用知识库",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # 督办: the due date the last 督办 was for (one 督办 per missed deadline).
    supervised_at = models.DateTimeField("督办时间", null=True, blank=True)
    supervised_due = models.DateField("督办所针对的期限", null=True, blank=True)
    reminded_due = models.DateField("已提醒的期限", null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField("退单次数", default=0)
    reopened_count = models.PositiveSmallIntegerField("重办次数", default=0)
    satisfied = models.BooleanField("满意", null=True, blank=True)
    # 12345: the order's id on the city platform, unique with its source.
    external_source = models.CharField("外部来源", max_length=20, blank=True)
    external_id = models.CharField("外部工单编号", max_length=50, blank=True)
    external_digest = models.CharField("导入内容摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = "诉求工单"
        verbose_name_plural = "诉求工单"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_source", "external_id"],
                condition=~Q(external_id=""),
                name="complaint_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(returned_count__lte=1), name="complaint_returned_at_most_once"
            ),
            models.CheckConstraint(
                condition=Q(reopened_count__lte=1), name="complaint_reopened_at_most_once"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "state"], name="complaint_dept_state"),
            models.Index(fields=["state", "due_date"], name="complaint_state_due"),
            models.Index(fields=["centre", "state"], name="complaint_centre_state"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def handler_label(self) -> str:
        if self.department_id is not None:
            return self.department.name
        waiting = (State.SUBMITTED, State.ACCEPTED, State.RETURNED)  # not (re)assigned yet
        return "" if self.state in waiting else "中心"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.complainant_phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.complainant_id_number)

    @property
    def masked_name(self) -> str:
        name = self.complainant_name
        return (name[0] + "*" * (len(name) - 1)) if name else "匿名"


class ComplaintEvent(models.Model):
    """One step of a complaint's history (insert-only)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=30)
    from_state = models.CharField("原状态", max_length=20, blank=True)
    to_state = models.CharField("新状态", max_length=20)
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
    text = models.TextField("意见/内容", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = "诉求办理记录"
        verbose_name_plural = "诉求办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.complaint_id} {self.action}"


class ComplaintAttachment(models.Model):
    """诉求附件 (with the submission or a reply), checked like case materials."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        ComplaintEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField("名称", max_length=200)
    file = models.FileField("文件", upload_to="complaints/%Y/%m/", validators=[validate_case_file])
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "诉求附件"
        verbose_name_plural = "诉求附件"
        ordering = ["id"]

    def __str__(self):
        return self.name


class KnowledgeEntry(models.Model):
    """知识库 (GB/T 33358): a question and its published answer, searched like the
    catalogue (``search_text``, substring per word) so a consultation can be answered on
    the spot. Every edit is audited with its before/after and counts a ``version``."""

    question = models.CharField("问题", max_length=200)
    answer = models.TextField("答复口径")
    keywords = models.CharField("关键词", max_length=200, blank=True)
    item = models.ForeignKey(
        Item, verbose_name="相关事项", null=True, blank=True, on_delete=models.SET_NULL
    )
    department = models.ForeignKey(
        Department, verbose_name="相关部门", null=True, blank=True, on_delete=models.SET_NULL
    )
    published = models.BooleanField("已发布", default=False)
    version = models.PositiveIntegerField("版本", default=1)
    search_text = models.TextField("检索文本", blank=True, editable=False)
    updated_at = models.DateTimeField("更新时间")
    updated_by = models.ForeignKey(
        Staff, verbose_name="更新人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "知识库条目"
        verbose_name_plural = "知识库"
        ordering = ["question", "id"]

    def __str__(self):
        return self.question


class ExchangeImport(models.Model):
    """One 12345 file imported (``exchange.import_orders``): what it was, who, when and
    what it did. A file whose hash was imported before changes nothing."""

    file_name = models.CharField("文件名", max_length=200)
    file_hash = models.CharField("文件SHA-256", max_length=64, unique=True)
    imported_at = models.DateTimeField("导入时间")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_by_name = models.CharField("导入人", max_length=100)
    rows = models.PositiveIntegerField("工单行数", default=0)
    created = models.PositiveIntegerField("新建", default=0)
    unchanged = models.PositiveIntegerField("未变化", default=0)
    changed = models.PositiveIntegerField("内容有变化（未覆盖）", default=0)
    report = models.JSONField("变化明细", default=list, blank=True)

    class Meta:
        verbose_name = "12345工单导入"
        verbose_name_plural = "12345工单导入"
        ordering = ["-imported_at", "-id"]

    def __str__(self):
        return f"{self.file_name} {self.imported_at:%Y-%m-%d %H:%M}"
