"""好差评 (issue 12 §1; 国办发〔2019〕51号, GB/T 39734-2020 / 39735-2020).

* :class:`Rating` — one rating of a case (or of a 一件事 parent) on one channel, tied
  to what was rated and who handled it (copied from the case when it is given, so a
  later change of 承办人 or window does not move old ratings). Once per case, channel
  and **round** (``round``, a unique constraint): round 1 is the first rating; when a
  差评 of round *r* has been rectified (``BadReview.rectified_at``), the applicant may
  rate again in round *r*+1 on any channel (docs/ratings.md "再次评价").
* :class:`BadReview` — the 差评 loop (回访 → 核实 → 整改 / 解释 → 反馈 → 办结), its
  state changed only by ``services.advance`` through the table of ``loop.py``.
* :class:`Callback` (回访记录), :class:`LedgerEntry` (整改台账) of the loop.
* :class:`Appeal` (申诉复核) with :class:`AppealAttachment`: an upheld appeal keeps
  the rating but sets ``Rating.excluded`` (not counted in statistics).

Rows are never deleted.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from govhall.cases.models import Bundle, Case
from govhall.catalog.models import Item
from govhall.core.files import validate_case_file
from govhall.org.models import Department, Staff, Window


class RatingChannel(models.TextChoices):
    """评价渠道."""

    WINDOW = "window", "窗口评价器"
    PORTAL = "portal", "网上"
    QR = "qr", "扫码"
    SMS = "sms", "短信"
    PHONE = "phone", "电话"


class Level(models.IntegerChoices):
    """评价等级 (GB/T 39735: five levels)."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    FAIR = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


# 不满意 and 非常不满意 are 差评 (国办发〔2019〕51号).
BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)


class Rating(models.Model):
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("评价渠道", max_length=10, choices=RatingChannel.choices)
    round = models.PositiveSmallIntegerField(
        "评价轮次", default=1, help_text="差评整改后再次评价为第 2 轮起"
    )
    level = models.PositiveSmallIntegerField("评价等级", choices=Level.choices)
    is_bad = models.BooleanField("差评", default=False)
    reasons = models.JSONField("差评原因", default=list, blank=True)
    text = models.TextField("文字评价", blank=True)
    real_name = models.BooleanField("实名评价", default=False)
    rater_name = models.CharField("评价人", max_length=100, blank=True)
    rater_phone = models.CharField("评价人电话", max_length=20, blank=True)
    # What was rated and who handled it, as they were when the rating was given.
    item = models.ForeignKey(
        Item, verbose_name="事项", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bundle = models.ForeignKey(
        Bundle,
        verbose_name="一件事",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
    entered_by = models.ForeignKey(
        Staff,
        verbose_name="录入/开启人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="电话评价的录入人，窗口评价器的开启人",
    )
    rated_at = models.DateTimeField("评价时间")
    rated_on = models.DateField("评价日期")
    # The nonce of the SMS link's token: unique, so a link is used once.
    token_nonce = models.CharField(
        "评价链接标识", max_length=32, null=True, blank=True, unique=True
    )
    excluded = models.BooleanField("不计入统计", default=False, help_text="申诉复核成立")
    excluded_at = models.DateTimeField("剔除时间", null=True, blank=True)

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        ordering = ["-rated_at", "-id"]
        indexes = [
            models.Index(fields=["department", "rated_on"], name="rating_dept_day"),
            models.Index(fields=["rated_on"], name="rating_day"),
            models.Index(fields=["staff", "rated_on"], name="rating_staff_day"),
            # 实名差评回访整改率 reads the real-name 差评 only (a few in a hundred).
            models.Index(
                fields=["department", "rated_on"],
                condition=Q(is_bad=True, real_name=True),
                name="rating_real_bad_dept_day",
            ),
            models.Index(
                fields=["department", "rated_on"],
                condition=Q(excluded=True),
                name="rating_excluded_dept_day",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "channel", "round"], name="one_rating_per_case_channel_round"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="rating_level_1_5"
            ),
            models.CheckConstraint(condition=Q(round__gte=1), name="rating_round_positive"),
            models.CheckConstraint(
                condition=Q(is_bad=True, level__lte=2) | Q(is_bad=False, level__gte=3),
                name="rating_bad_is_level_1_2",
            ),
        ]

    def __str__(self):
        return f"{self.case} {self.get_channel_display()} {self.get_level_display()}"


class BadReviewState(models.TextChoices):
    """差评整改状态 (the loop of ``loop.py``)."""

    ASSIGNED = "assigned", "待回访"
    CALLED_BACK = "called_back", "已回访"
    VERIFIED = "verified", "已核实"
    RECTIFIED = "rectified", "已整改"
    ON_LEDGER = "on_ledger", "列入整改台账"
    EXPLAINED = "explained", "已解释说明"
    FED_BACK = "fed_back", "已反馈"
    CLOSED = "closed", "已办结"
    VOIDED = "voided", "申诉成立"


OPEN_BAD_REVIEW_STATES = (
    BadReviewState.ASSIGNED,
    BadReviewState.CALLED_BACK,
    BadReviewState.VERIFIED,
    BadReviewState.RECTIFIED,
    BadReviewState.ON_LEDGER,
    BadReviewState.EXPLAINED,
    BadReviewState.FED_BACK,
)


class BadReview(models.Model):
    """差评整改: assigned to the handling department when the 差评 is given, due
    ``BAD_REVIEW_DEADLINE_DAYS`` working days later."""

    rating = models.OneToOneField(
        Rating, verbose_name="差评", on_delete=models.PROTECT, related_name="bad_review"
    )
    department = models.ForeignKey(
        Department, verbose_name="责任部门", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        "状态", max_length=12, choices=BadReviewState.choices, default=BadReviewState.ASSIGNED
    )
    assigned_at = models.DateTimeField("交办时间")
    due_on = models.DateField("整改期限")
    finding = models.TextField("核实情况", blank=True)
    measures = models.TextField("整改措施", blank=True)
    explanation = models.TextField("解释说明", blank=True)
    rectified_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    feedback = models.TextField("反馈内容", blank=True)
    feedback_method = models.CharField("反馈方式", max_length=10, blank=True)
    fed_back_at = models.DateTimeField("反馈时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        Staff,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["department", "state"], name="badreview_dept_state"),
            models.Index(fields=["state", "due_on"], name="badreview_state_due"),
        ]

    def __str__(self):
        return f"差评整改 {self.rating.case}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_BAD_REVIEW_STATES


class ContactMethod(models.TextChoices):
    """回访 / 反馈方式."""

    PHONE = "phone", "电话"
    SMS = "sms", "短信"
    VISIT = "visit", "上门"
    WINDOW = "window", "窗口当面"
    ONLINE = "online", "网上留言"
    # An anonymous 差评 cannot be called back: what was done instead is recorded.
    ANONYMOUS = "anonymous", "匿名无法回访（核查记录）"


class Callback(models.Model):
    """回访记录: who called back, when, how, and what was said."""

    bad_review = models.ForeignKey(BadReview, on_delete=models.PROTECT, related_name="callbacks")
    by = models.ForeignKey(Staff, verbose_name="回访人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("回访时间")
    method = models.CharField("回访方式", max_length=10, choices=ContactMethod.choices)
    contact = models.CharField("回访对象", max_length=100, blank=True)
    content = models.TextField("回访内容")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"
        ordering = ["bad_review", "at", "id"]

    def __str__(self):
        return f"{self.bad_review_id} {self.at:%Y-%m-%d}"


class LedgerEntry(models.Model):
    """整改台账: a problem that cannot be fixed at once, with its deadline."""

    bad_review = models.OneToOneField(
        BadReview, on_delete=models.PROTECT, related_name="ledger_entry"
    )
    department = models.ForeignKey(
        Department, verbose_name="责任部门", on_delete=models.PROTECT, related_name="+"
    )
    problem = models.TextField("问题")
    measures = models.TextField("整改措施")
    due_on = models.DateField("整改期限")
    created_at = models.DateTimeField("登记时间")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        Staff,
        verbose_name="销号人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.TextField("整改结果", blank=True)

    class Meta:
        verbose_name = "整改台账"
        verbose_name_plural = "整改台账"
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"整改台账 {self.bad_review_id}"


class AppealState(models.TextChoices):
    PENDING = "pending", "待复核"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "申诉不成立"


class Appeal(models.Model):
    """申诉复核 of a 差评 (one per rating)."""

    rating = models.OneToOneField(
        Rating, verbose_name="差评", on_delete=models.PROTECT, related_name="appeal"
    )
    appellant = models.ForeignKey(
        Staff, verbose_name="申诉人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("申诉理由")
    filed_at = models.DateTimeField("申诉时间")
    state = models.CharField(
        "状态", max_length=10, choices=AppealState.choices, default=AppealState.PENDING
    )
    reviewer = models.ForeignKey(
        Staff,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opinion = models.TextField("复核意见", blank=True)
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)

    class Meta:
        verbose_name = "差评申诉"
        verbose_name_plural = "差评申诉"
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["state"], name="appeal_state")]

    def __str__(self):
        return f"申诉 {self.rating_id}"


class AppealAttachment(models.Model):
    """申诉证据."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField("名称", max_length=200)
    file = models.FileField(
        "文件", upload_to="ratings/appeals/%Y/%m/", validators=[validate_case_file]
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "申诉证据"
        verbose_name_plural = "申诉证据"
        ordering = ["id"]

    def __str__(self):
        return self.name


class RatingDay(models.Model):
    """日统计 of ratings: how many counted ratings (not taken out by an appeal) a
    department got on a day, by channel and level — derived data, so the
    satisfaction figures add up a few rows instead of counting millions of ratings
    (as supervision's ``DailyCount``). ``rollups.add`` / ``rollups.add_done`` keep it
    in step in the transaction of each rating, exclusion and 差评 closure;
    ``manage.py rebuild_rating_rollups`` rebuilds it from the ratings."""

    day = models.DateField("日期")
    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField("评价渠道", max_length=10, choices=RatingChannel.choices)
    level = models.PositiveSmallIntegerField("评价等级", choices=Level.choices)
    count = models.IntegerField("评价数", default=0)
    # Of them: real-name 差评, and those whose loop is done (a 回访 record, closed
    # after rectification or explanation): 实名差评回访整改率 without the loop's rows.
    real_bad = models.IntegerField("实名差评", default=0)
    real_bad_done = models.IntegerField("实名差评已回访整改", default=0)

    class Meta:
        verbose_name = "评价日统计"
        verbose_name_plural = "评价日统计"
        indexes = [models.Index(fields=["department", "day"], name="ratingday_dept_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "department", "channel", "level"], name="one_rating_day_row"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.department_id} {self.channel} {self.level}: {self.count}"
