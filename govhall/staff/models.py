"""人员管理 — window assignments, move requests (调整申请), returns (退回), attendance
(考勤), leave (请销假), training (学习培训) and the year-end appraisal (年终表现鉴定).

Nothing here is deleted: an assignment ends, a request is refused or withdrawn, a
leave is cancelled, an appraisal is re-opened with a reason (docs/staff.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from govhall.org.models import Centre, Department, Staff, Window


class WindowAssignment(models.Model):
    """派驻窗口: who works at which window from when to when (``ends_on`` is the last
    day at the window; open while ``None``). ``org.Staff.window`` follows the open
    assignment (``services._sync_window``)."""

    staff = models.ForeignKey(
        Staff, verbose_name="工作人员", on_delete=models.PROTECT, related_name="assignments"
    )
    window = models.ForeignKey(
        Window, verbose_name="窗口", on_delete=models.PROTECT, related_name="assignments"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="派出单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="中心自有人员为空",
    )
    starts_on = models.DateField("进驻日期")
    ends_on = models.DateField("离岗日期", null=True, blank=True, help_text="最后在岗日")
    reason = models.CharField("派驻说明", max_length=200, blank=True)
    end_reason = models.CharField("离岗原因", max_length=200, blank=True)
    early_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提前调整批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    early_reason = models.CharField("提前调整理由", max_length=200, blank=True)
    synced = models.BooleanField("已同步窗口", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "窗口派驻"
        verbose_name_plural = "窗口派驻"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="assignment_period",
            ),
            models.UniqueConstraint(
                fields=["staff"], condition=Q(ends_on__isnull=True), name="one_open_assignment"
            ),
        ]

    def __str__(self):
        return f"{self.staff.name} @ {self.window.number}"


class MoveState(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "不同意"
    WITHDRAWN = "withdrawn", "已撤回"


class MoveRequest(models.Model):
    """调整申请 (达拉特旗 §21): a department asks the centre, in writing and 5 working
    days ahead, to move one of its window workers."""

    staff = models.ForeignKey(
        Staff, verbose_name="工作人员", on_delete=models.PROTECT, related_name="move_requests"
    )
    department = models.ForeignKey(
        Department, verbose_name="申请部门", on_delete=models.PROTECT, related_name="+"
    )
    to_window = models.ForeignKey(
        Window,
        verbose_name="调往窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="为空：调离中心",
    )
    planned_on = models.DateField("拟调整日期")
    reason = models.TextField("书面调整意见")
    state = models.CharField(
        "状态", max_length=12, choices=MoveState.choices, default=MoveState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "调整申请"
        verbose_name_plural = "调整申请"
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"调整申请 {self.staff.name} {self.planned_on}"


class ReturnNotice(models.Model):
    """退回 (达拉特旗 §21 "勒令退回"): the centre's written opinion that a worker is unfit;
    the department replaces them by ``due_on`` (5 working days)."""

    staff = models.ForeignKey(
        Staff, verbose_name="被退回人员", on_delete=models.PROTECT, related_name="returns"
    )
    department = models.ForeignKey(
        Department, verbose_name="派出单位", on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        Window,
        verbose_name="窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opinion = models.TextField("书面意见")
    issued_on = models.DateField("退回日期")
    due_on = models.DateField("补派期限")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="退回人", on_delete=models.PROTECT, related_name="+"
    )
    replacement = models.ForeignKey(
        Staff,
        verbose_name="补派人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replaced_on = models.DateField("补派日期", null=True, blank=True)
    late_since = models.DateField("逾期日期", null=True, blank=True)

    class Meta:
        verbose_name = "退回通知"
        verbose_name_plural = "退回通知"
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return f"退回 {self.staff.name} {self.issued_on}"

    @property
    def is_open(self) -> bool:
        return self.replaced_on is None


class Source(models.TextChoices):
    WINDOW = "window", "窗口签到"
    DEVICE = "device", "考勤机导入"


class AttendanceRecord(models.Model):
    """考勤: one row per person and day (first sign-in, last sign-out)."""

    staff = models.ForeignKey(
        Staff, verbose_name="工作人员", on_delete=models.PROTECT, related_name="attendance"
    )
    day = models.DateField("日期")
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    signed_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    window = models.ForeignKey(
        Window,
        verbose_name="窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "考勤记录"
        verbose_name_plural = "考勤记录"
        ordering = ["-day", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "day"], name="one_attendance_per_day")
        ]
        indexes = [models.Index(fields=["day"], name="attendance_day")]

    def __str__(self):
        return f"{self.staff.name} {self.day}"


class AttendanceImport(models.Model):
    """One clock-device file taken in whole (all rows or none)."""

    file_name = models.CharField("文件名", max_length=200)
    digest = models.CharField("文件摘要", max_length=64)
    rows = models.PositiveIntegerField("行数")
    records = models.PositiveIntegerField("考勤记录数")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "考勤导入"
        verbose_name_plural = "考勤导入"
        ordering = ["-imported_at", "-id"]

    def __str__(self):
        return self.file_name


class LeaveKind(models.TextChoices):
    PERSONAL = "personal", "事假"
    SICK = "sick", "病假"
    ANNUAL = "annual", "年休假"
    PUBLIC = "public", "公休"
    MARRIAGE = "marriage", "婚假"
    MATERNITY = "maternity", "产假"
    BEREAVEMENT = "bereavement", "丧假"
    BUSINESS = "business", "公出"


class LeaveState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不批准"
    CANCELLED = "cancelled", "已撤销"


class LeaveRequest(models.Model):
    """请假 (达拉特旗 §22 请销假制度)."""

    staff = models.ForeignKey(
        Staff, verbose_name="请假人", on_delete=models.PROTECT, related_name="leave_requests"
    )
    kind = models.CharField("假别", max_length=12, choices=LeaveKind.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    workdays = models.PositiveSmallIntegerField("工作日数")
    reason = models.CharField("事由", max_length=200)
    state = models.CharField(
        "状态", max_length=12, choices=LeaveState.choices, default=LeaveState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("提交时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "请假"
        verbose_name_plural = "请假"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="leave_period")
        ]

    def __str__(self):
        return f"{self.staff.name} {self.get_kind_display()} {self.starts_on}"


class TrainingSession(models.Model):
    """学习培训 (内乡县 §32, 达拉特旗 §23: 签到、签退)."""

    centre = models.ForeignKey(
        Centre, verbose_name="中心", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("培训主题", max_length=100)
    place = models.CharField("地点", max_length=100)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="组织人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "培训"
        verbose_name_plural = "培训"
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="training_period"),
            models.UniqueConstraint(
                fields=["centre", "title", "starts_at"], name="unique_training"
            ),
        ]

    def __str__(self):
        return self.title


class TrainingAttendance(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="attendances"
    )
    staff = models.ForeignKey(
        Staff, verbose_name="参训人", on_delete=models.PROTECT, related_name="+"
    )
    signed_in_at = models.DateTimeField("签到时间")
    signed_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    credited_hours = models.DecimalField("认定学时", max_digits=4, decimal_places=1, default=0)

    class Meta:
        verbose_name = "培训签到"
        verbose_name_plural = "培训签到"
        ordering = ["session", "signed_in_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "staff"], name="one_training_sign_in")
        ]

    def __str__(self):
        return f"{self.session.title} {self.staff.name}"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    COMPETENT = "competent", "称职"
    BASIC = "basic", "基本称职"
    INCOMPETENT = "incompetent", "不称职"


class AppraisalState(models.TextChoices):
    DRAFT = "draft", "草稿"
    FINAL = "final", "已定稿"


class Appraisal(models.Model):
    """年终表现鉴定 (内乡县 §31): per person and year; ``figures`` is the snapshot of
    the record taken when it was finalised (``selectors.figures_for`` otherwise)."""

    staff = models.ForeignKey(
        Staff, verbose_name="工作人员", on_delete=models.PROTECT, related_name="appraisals"
    )
    year = models.PositiveSmallIntegerField("年度")
    department = models.ForeignKey(
        Department,
        verbose_name="派出单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField("中心评分", max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField("鉴定等次", max_length=12, choices=Grade.choices, blank=True)
    comments = models.TextField("鉴定意见", blank=True)
    figures = models.JSONField("数据快照", default=dict, blank=True)
    state = models.CharField(
        "状态", max_length=8, choices=AppraisalState.choices, default=AppraisalState.DRAFT
    )
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="定稿人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "年终表现鉴定"
        verbose_name_plural = "年终表现鉴定"
        ordering = ["-year", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "year"], name="one_appraisal_per_year"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="appraisal_score_range",
            ),
        ]

    def __str__(self):
        return f"{self.year}年 {self.staff.name}"
