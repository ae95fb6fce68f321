"""电子监察预警 (issue 11 §1): warnings raised by the rules of ``rules.py``, never by
hand. One open warning per (case, kind); a warning is cleared (``cleared_at``, with
why) when its condition ends, and rows are never deleted."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from govhall.cases.models import Case
from govhall.core.files import validate_case_file
from govhall.org.models import Department, Staff, Window


class Kind(models.TextChoices):
    """预警类型."""

    YELLOW_LIGHT = "yellow_light", "黄灯预警"
    RED_LIGHT = "red_light", "红灯预警（今日到期）"
    OVERDUE = "overdue", "超期办理"
    REVIEW_STEP_OVERDUE = "review_step_overdue", "审查环节超时"
    SPECIAL_STEP_OVERDUE = "special_step_overdue", "特殊环节超时"
    DEEMED_ACCEPTANCE = "deemed_acceptance", "逾期视为受理（第三十二条）"
    REPEATED_CORRECTION = "repeated_correction", "多次补正（违反一次性告知）"
    WEAK_REASON = "weak_reason", "不予受理/不予许可/退件理由不充分"
    NO_SERVICE_RECORD = "no_service_record", "办结无送达记录"
    FEE_NOT_LISTED = "fee_not_listed", "收费不在收费清单内"


class Level(models.TextChoices):
    """预警级别."""

    NOTICE = "notice", "提醒"
    YELLOW = "yellow", "黄色"
    RED = "red", "红色"


class Warning(models.Model):
    kind = models.CharField("预警类型", max_length=30, choices=Kind.choices)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name="办理部门", on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        Window,
        verbose_name="窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    staff = models.ForeignKey(
        Staff,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField("预警时间")
    raised_on = models.DateField("预警日期")
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)
    clear_reason = models.CharField("解除原因", max_length=200, blank=True)
    detail = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["department", "-raised_at"], name="warning_dept_raised"),
            models.Index(
                fields=["department", "kind"],
                condition=Q(cleared_at__isnull=True),
                name="warning_open_dept_kind",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(cleared_at__isnull=True),
                name="one_open_warning_per_case_kind",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class OrderState(models.TextChoices):
    """督办单状态."""

    ISSUED = "issued", "待回复"
    REPLIED = "replied", "已回复"
    ACCEPTED = "accepted", "已办结"
    RETURNED = "returned", "退回重办"


OPEN_ORDER_STATES = (OrderState.ISSUED, OrderState.RETURNED)


class SupervisionOrder(models.Model):
    """督办单 (issue 11 §2): the supervision office orders the case's department to
    explain and put right; the department's 首席代表 replies by ``reply_due`` (working
    days); the office accepts (已办结) or returns it (退回重办, a new ``reply_due``). An
    order not replied to by ``reply_due`` is escalated (``escalated_at``: red, listed
    for the centre director); the flag stays on record."""

    number = models.CharField("督办编号", max_length=20, unique=True)
    case = models.ForeignKey(
        Case, verbose_name="办件", on_delete=models.PROTECT, related_name="supervision_orders"
    )
    warning = models.ForeignKey(
        Warning,
        verbose_name="预警",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    department = models.ForeignKey(
        Department, verbose_name="被督办部门", on_delete=models.PROTECT, related_name="+"
    )
    subject = models.TextField("督办事项")
    issued_by = models.ForeignKey(
        Staff, verbose_name="督办人", on_delete=models.PROTECT, related_name="+", null=True
    )
    issued_at = models.DateTimeField("督办时间")
    reply_due = models.DateField("回复期限")
    state = models.CharField(
        "状态", max_length=10, choices=OrderState.choices, default=OrderState.ISSUED
    )
    escalated_at = models.DateTimeField("逾期升级时间", null=True, blank=True)
    explanation = models.TextField("情况说明", blank=True)
    measures = models.TextField("整改措施", blank=True)
    replied_by = models.ForeignKey(
        Staff,
        verbose_name="回复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    review_opinion = models.TextField("审核意见", blank=True)
    reviewed_by = models.ForeignKey(
        Staff,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    returns = models.PositiveSmallIntegerField("退回次数", default=0)

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["department", "state"], name="order_dept_state"),
            models.Index(fields=["state", "reply_due"], name="order_state_due"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ORDER_STATES

    @property
    def escalated(self) -> bool:
        return self.escalated_at is not None


class OrderAttachment(models.Model):
    """督办回复附件."""

    order = models.ForeignKey(
        SupervisionOrder, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField("名称", max_length=200)
    file = models.FileField(
        "文件", upload_to="supervision/orders/%Y/%m/", validators=[validate_case_file]
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "督办回复附件"
        verbose_name_plural = "督办回复附件"
        ordering = ["id"]

    def __str__(self):
        return self.name


class PendingCase(models.Model):
    """A case changed since 电子监察 last looked at it (the queue of ``drain.py``).

    ``receivers`` inserts one row per changed case after the case's commit (a second
    event of the same case before the drain adds nothing: ``case`` is unique); the
    drain task evaluates the rules on the case and recounts its days in the rollup
    (``DailyCount``), then deletes the row. The row is a work item, not a record: the
    case's events and the warnings are the record."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    queued_at = models.DateTimeField("入队时间")

    class Meta:
        verbose_name = "待监察办件"
        verbose_name_plural = "待监察办件"

    def __str__(self):
        return str(self.case_id)


class DailyCount(models.Model):
    """日统计 (issue 11 §5): what happened on one day in one department, per window and
    承办人, so the dashboard, the evaluation and the portal's statistics add up a few
    rows instead of counting the case table.

    A row is derived data: ``rollups.recount`` replaces the rows of a (department, day)
    from the case table whenever one of its cases changes, and ``manage.py
    rebuild_supervision_rollups`` rebuilds any range. Each case counts on the day it was
    received (收件), accepted (受理) and completed (办结), under its department and its
    承办人 (``Case.responsible``) with that staff member's window."""

    day = models.DateField("日期")
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.CASCADE, related_name="+"
    )
    window = models.ForeignKey(
        Window,
        verbose_name="窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    staff = models.ForeignKey(
        Staff,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    received = models.PositiveIntegerField("收件", default=0)
    received_online = models.PositiveIntegerField("网上收件", default=0)
    accepted = models.PositiveIntegerField("受理", default=0)
    deemed_accepted = models.PositiveIntegerField("视为受理（第三十二条）", default=0)
    not_accepted = models.PositiveIntegerField("不予受理", default=0)
    completed = models.PositiveIntegerField("办结", default=0)
    completed_on_time = models.PositiveIntegerField("按时办结", default=0)
    completed_instant = models.PositiveIntegerField("即办件办结", default=0)
    days_used = models.PositiveIntegerField("实际用时（工作日）合计", default=0)
    days_promised = models.PositiveIntegerField("承诺时限（工作日）合计", default=0)

    class Meta:
        verbose_name = "日统计"
        verbose_name_plural = "日统计"
        ordering = ["day", "department", "id"]
        indexes = [
            models.Index(fields=["department", "day"], name="dailycount_dept_day"),
            models.Index(fields=["day"], name="dailycount_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.department_id}"


# --------------------------------------------------------------------------- 卷宗评查 (§3)


class ReviewChecklist(models.Model):
    """评查标准, one version: the office edits the checklist by publishing a new version
    (``reviews.publish_checklist``); a review keeps the version it was drawn with, so a
    finished review is always read against the items it was scored on."""

    version = models.PositiveIntegerField("版本", unique=True)
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_at = models.DateTimeField("发布时间")
    created_by = models.ForeignKey(
        Staff,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "卷宗评查标准"
        verbose_name_plural = "卷宗评查标准"
        ordering = ["-version"]

    def __str__(self):
        return f"评查标准第 {self.version} 版"


class Check(models.TextChoices):
    """What the system can pre-fill for an item (``reviews.prefill``)."""

    NONE = "", "人工评查"
    MATERIALS = "materials", "申请材料齐全（对照事项版本材料清单）"
    NOTICES = "notices", "文书齐全且按时出具"
    SPECIAL_STEPS = "special_steps", "特殊环节有依据、未超时"
    REASONS = "reasons", "决定理由充分"
    ARCHIVE = "archive", "已归档、卷宗完整"


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(ReviewChecklist, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("序号", default=0)
    title = models.CharField("评查项目", max_length=100)
    points = models.PositiveSmallIntegerField("分值")
    prefill = models.CharField(
        "系统预填", max_length=20, choices=Check.choices, blank=True, default=Check.NONE
    )

    class Meta:
        verbose_name = "评查项目"
        verbose_name_plural = "评查项目"
        ordering = ["checklist", "order", "id"]

    def __str__(self):
        return self.title


class QuotaKind(models.TextChoices):
    COUNT = "count", "按件数"
    PERCENT = "percent", "按比例（%）"


class ReviewDraw(models.Model):
    """One month's 卷宗评查 sample: drawn once (a second draw of the month is refused),
    with the seed stored so that the same seed over the same completed cases draws the
    same files (``reviews.draw_sample``)."""

    month = models.DateField("评查月份", unique=True, help_text="该月第一天")
    seed = models.BigIntegerField("随机种子")
    checklist = models.ForeignKey(
        ReviewChecklist, verbose_name="评查标准", on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField("抽取时间")
    drawn_by = models.ForeignKey(
        Staff,
        verbose_name="抽取人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "卷宗抽查"
        verbose_name_plural = "卷宗抽查"
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class SampleQuota(models.Model):
    """How many of a department's files of the month are drawn: a count or a
    percentage (rounded up, at least one when the department completed any)."""

    draw = models.ForeignKey(ReviewDraw, on_delete=models.CASCADE, related_name="quotas")
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("方式", max_length=10, choices=QuotaKind.choices)
    value = models.PositiveSmallIntegerField("件数或比例")
    population = models.PositiveIntegerField("当月办结件数", default=0)
    drawn = models.PositiveIntegerField("抽取件数", default=0)

    class Meta:
        verbose_name = "抽查比例"
        verbose_name_plural = "抽查比例"
        ordering = ["draw", "department"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "department"], name="one_quota_per_draw_dept")
        ]

    def __str__(self):
        return f"{self.draw} {self.department_id}"


class ReviewState(models.TextChoices):
    OPEN = "open", "待评查"
    FINISHED = "finished", "已评查"


class FileReview(models.Model):
    """One sampled file (卷宗) and its review: the findings per checklist item
    (``ReviewFinding``, pre-filled where the system can tell), the reviewer, the
    score (0–100: points awarded over points possible) once finished."""

    draw = models.ForeignKey(ReviewDraw, on_delete=models.PROTECT, related_name="reviews")
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    checklist = models.ForeignKey(
        ReviewChecklist, verbose_name="评查标准", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        "状态", max_length=10, choices=ReviewState.choices, default=ReviewState.OPEN
    )
    score = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    special_abuse = models.BooleanField("特殊环节滥用", default=False)
    summary = models.TextField("评查意见", blank=True)
    reviewer = models.ForeignKey(
        Staff,
        verbose_name="评查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finished_at = models.DateTimeField("评查时间", null=True, blank=True)

    class Meta:
        verbose_name = "卷宗评查"
        verbose_name_plural = "卷宗评查"
        ordering = ["draw", "department", "case__number"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "case"], name="one_review_per_draw_case")
        ]
        indexes = [models.Index(fields=["department", "state"], name="review_dept_state")]

    def __str__(self):
        return f"{self.draw} {self.case_id}"


class ReviewFinding(models.Model):
    review = models.ForeignKey(FileReview, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(
        ChecklistItem, verbose_name="评查项目", on_delete=models.PROTECT, related_name="+"
    )
    awarded = models.PositiveSmallIntegerField("得分")
    note = models.TextField("评查发现", blank=True)
    system_note = models.CharField("系统预填", max_length=500, blank=True)
    system_problem = models.BooleanField("系统发现问题", default=False)

    class Meta:
        verbose_name = "评查发现"
        verbose_name_plural = "评查发现"
        ordering = ["review", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="one_finding_per_item")
        ]

    def __str__(self):
        return f"{self.review_id} {self.item_id}"


# --------------------------------------------------------------------------- 巡查 / 自查


class InspectionKind(models.TextChoices):
    PATROL = "patrol", "现场巡查"
    SELF_CHECK = "self_check", "窗口自查"


class InspectionState(models.TextChoices):
    PASSED = "passed", "未发现问题"
    OPEN = "open", "待整改"
    FIXED = "fixed", "待复查"
    CLOSED = "closed", "已整改"


OPEN_INSPECTION_STATES = (InspectionState.OPEN, InspectionState.FIXED)


class Inspection(models.Model):
    """现场巡查 / 窗口自查 record: who inspected, when, which department and window,
    what was found (photos); a problem found is put right by the department
    (整改: ``fix``, by its 首席代表) and checked by the office (复查: passed → 已整改,
    not passed → 待整改 again)."""

    kind = models.CharField("类型", max_length=12, choices=InspectionKind.choices)
    department = models.ForeignKey(
        Department, verbose_name="被检查部门", on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        Window,
        verbose_name="窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspector = models.CharField("检查人", max_length=50)
    inspected_on = models.DateField("检查日期")
    findings = models.TextField("检查情况")
    problem = models.TextField("发现问题", blank=True)
    state = models.CharField("状态", max_length=10, choices=InspectionState.choices)
    fix = models.TextField("整改情况", blank=True)
    fixed_by = models.ForeignKey(
        Staff,
        verbose_name="整改回复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fixed_at = models.DateTimeField("整改回复时间", null=True, blank=True)
    check_opinion = models.TextField("复查意见", blank=True)
    checked_by = models.ForeignKey(
        Staff,
        verbose_name="复查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField("复查时间", null=True, blank=True)
    returns = models.PositiveSmallIntegerField("复查未通过次数", default=0)
    recorded_by = models.ForeignKey(
        Staff,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "巡查/自查记录"
        verbose_name_plural = "巡查/自查记录"
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["department", "inspected_on"], name="inspection_dept_day")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.inspected_on}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_INSPECTION_STATES


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    name = models.CharField("名称", max_length=200)
    file = models.FileField(
        "照片", upload_to="supervision/inspections/%Y/%m/", validators=[validate_case_file]
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "巡查照片"
        verbose_name_plural = "巡查照片"
        ordering = ["id"]

    def __str__(self):
        return self.name


class ThirdPartyScore(models.Model):
    """第三方评估: a score (0–100) given to a department for a period by an outside
    assessor, entered by the office."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField("评估期起")
    period_end = models.DateField("评估期止")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)
    source = models.CharField("评估机构", max_length=100)
    note = models.TextField("说明", blank=True)
    entered_by = models.ForeignKey(
        Staff,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = "第三方评估"
        verbose_name_plural = "第三方评估"
        ordering = ["-period_end", "department", "-id"]

    def __str__(self):
        return f"{self.department_id} {self.period_start}–{self.period_end}"
