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
