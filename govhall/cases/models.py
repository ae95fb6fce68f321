"""办件 — a case from application (申请) to archive (归档).

Rows here are changed only by ``cases.services`` (one transaction per transition,
through the one table in ``cases.workflow``). :class:`CaseEvent` rows are insert-only:
they are the record of every transition (行政许可法 §32 dated receipt, R-ARCHIVE-1
一卷一档). Deadline fields are stored so that lists filter and sort in SQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.catalog.models import FEE_AMOUNT_MAX, FeeLine, Item, ItemVersion, Material, SpecialStep
from govhall.core import files
from govhall.org.models import Centre, Department, Staff

# --------------------------------------------------------------------------- choices


class State(models.TextChoices):
    """办件状态 (English names in code, Chinese labels on screen)."""

    SUBMITTED = "submitted", "已申请"
    AWAITING_CORRECTION = "awaiting_correction", "待补正"
    REFUSED = "refused_acceptance", "不予受理"
    IN_REVIEW = "in_review", "审查中"
    SPECIAL_STEP = "special_step", "特殊环节"
    DECIDED = "decided", "已决定"
    CERTIFIED = "certified", "已制证"
    DELIVERED = "delivered", "已送达"
    COMPLETED = "completed", "已办结"
    ARCHIVED = "archived", "已归档"
    WITHDRAWN = "withdrawn", "已撤回"
    TERMINATED = "terminated", "已终止"


# States in which the case is still being handled (撤回/终止 allowed).
OPEN_STATES = [
    State.SUBMITTED,
    State.AWAITING_CORRECTION,
    State.IN_REVIEW,
    State.SPECIAL_STEP,
    State.DECIDED,
    State.CERTIFIED,
    State.DELIVERED,
]
# Accepted and still on the clock (lights apply).
CLOCK_STATES = [
    State.IN_REVIEW,
    State.SPECIAL_STEP,
    State.DECIDED,
    State.CERTIFIED,
    State.DELIVERED,
]
CLOSED_STATES = [
    State.REFUSED,
    State.COMPLETED,
    State.ARCHIVED,
    State.WITHDRAWN,
    State.TERMINATED,
]


class Channel(models.TextChoices):
    """申请渠道."""

    WINDOW = "window", "窗口"
    ONLINE = "online", "网上"
    KIOSK = "kiosk", "自助终端"
    POST = "post", "邮寄"
    TOWNSHIP = "township", "乡镇/村代收"


class ApplicantKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class Result(models.TextChoices):
    """办理结果."""

    NONE = "", "—"
    APPROVED = "approved", "准予许可"
    DENIED = "denied", "不予许可"
    RETURNED = "returned", "退件"


# A 一件事 child that did not get what was applied for (R-BUNDLE-5): closed without a
# decision, or decided against. The parent shows it.
FAILED_STATES = (State.REFUSED, State.WITHDRAWN, State.TERMINATED)
FAILED_RESULTS = (Result.DENIED, Result.RETURNED)


class DeliveryMethod(models.TextChoices):
    """送达方式."""

    NONE = "", "—"
    WINDOW = "window", "窗口领取"
    POST = "post", "邮寄"
    ELECTRONIC = "electronic", "电子送达"


class Light(models.TextChoices):
    """电子监察 light (R-LIGHT-1); computed, never stored."""

    NONE = "", "—"
    NORMAL = "normal", "正常"
    YELLOW = "yellow", "黄灯预警"
    RED = "red", "红灯（今日到期）"
    OVERDUE = "overdue", "超期"
    PAUSED = "paused", "暂停计时"


# --------------------------------------------------------------------------- files

# Uploaded materials: PDF/JPG/PNG/OFD, checked by extension, magic bytes and parsing
# (govhall.core.files, shared with the catalogue's 示范文本). The name stays here:
# migrations refer to ``govhall.cases.models.validate_case_file``.
validate_case_file = files.validate_case_file


# --------------------------------------------------------------------------- 一件事


class Bundle(models.Model):
    """一件事一次办 — a bundle of items with a lead department (牵头部门) R-BUNDLE-1."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    lead_department = models.ForeignKey(
        Department, verbose_name="牵头部门", on_delete=models.PROTECT, related_name="led_bundles"
    )
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self):
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="bundle_items")
    item = models.ForeignKey(
        Item, verbose_name="事项", on_delete=models.PROTECT, related_name="bundle_items"
    )
    order = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = "一件事事项"
        verbose_name_plural = "一件事事项"
        ordering = ["bundle", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="unique_bundle_item")
        ]

    def __str__(self):
        return f"{self.bundle} / {self.item}"


# --------------------------------------------------------------------------- the case


class CaseCounter(models.Model):
    """Per-centre per-day sequence of 受理编号, locked with select_for_update."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "day"], name="unique_case_counter")
        ]

    def __str__(self):
        return f"{self.centre_id}/{self.day}: {self.last}"


class Case(models.Model):
    """办件. ``item_version`` is the guide version it was applied under and never changes.

    A 一件事 parent case has ``bundle`` set and no item; its children point to it
    through ``parent``.
    """

    number = models.CharField("受理编号", max_length=40, unique=True)
    item = models.ForeignKey(
        Item,
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    item_version = models.ForeignKey(
        ItemVersion,
        verbose_name="办事指南版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    bundle = models.ForeignKey(
        Bundle,
        verbose_name="一件事",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="一件事主件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    department = models.ForeignKey(
        Department, verbose_name="办理部门", on_delete=models.PROTECT, related_name="cases"
    )
    centre = models.ForeignKey(
        Centre, verbose_name="受理中心", on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField("申请渠道", max_length=12, choices=Channel.choices)

    # --- applicant (申请人) and agent (代理人) ---
    applicant_kind = models.CharField("申请人类型", max_length=12, choices=ApplicantKind.choices)
    applicant_name = models.CharField("申请人", max_length=100)
    applicant_id_number = models.CharField(
        "证件号码", max_length=18, help_text="自然人：居民身份证号；法人：统一社会信用代码"
    )
    applicant_phone = models.CharField("联系电话", max_length=20)
    applicant_address = models.CharField("联系地址", max_length=200, blank=True)
    agent_name = models.CharField("代理人", max_length=50, blank=True)
    agent_id_number = models.CharField("代理人身份证号", max_length=18, blank=True)
    agent_phone = models.CharField("代理人电话", max_length=20, blank=True)
    power_of_attorney = models.FileField(
        "授权委托书", upload_to="cases/poa/%Y/%m/", blank=True, validators=[validate_case_file]
    )

    # --- state ---
    state = models.CharField(
        "状态", max_length=20, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    version = models.PositiveIntegerField("版本", default=1, help_text="乐观锁")
    current_step = models.PositiveSmallIntegerField(
        "当前环节序号", default=0, help_text="已完成的审批环节数"
    )
    responsible = models.ForeignKey(
        Staff,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )

    # --- times ---
    received_at = models.DateTimeField("收件时间")
    materials_received_on = models.DateField(
        "材料收到日期", help_text="最近一次提交/补正材料的日期，§32 五日期限自此起算"
    )
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    accepted_on = models.DateField("受理日期（计时起点）", null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    # --- the clock (deadlines.py keeps these consistent) ---
    limit_days = models.PositiveSmallIntegerField("承诺时限（工作日）", default=0)
    due_date = models.DateField("办结期限", null=True, blank=True)
    yellow_from = models.DateField("黄灯起始日", null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField("暂停计时工作日", default=0)
    clock_paused = models.BooleanField("计时暂停中", default=False)
    paused_since = models.DateField("暂停起始日", null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField("延期工作日", default=0)
    deadline_provisional = models.BooleanField("期限为暂定", default=False)
    deemed_accepted_s32 = models.BooleanField("视为受理（行政许可法第三十二条）", default=False)
    tolerance_due = models.DateField("容缺补齐期限", null=True, blank=True)
    child_failed = models.BooleanField("子件未获准予", default=False)

    # --- result ---
    result = models.CharField(
        "办理结果", max_length=12, choices=Result.choices, blank=True, default=""
    )
    result_reason = models.TextField("结果理由", blank=True)
    result_number = models.CharField("证照编号", max_length=60, blank=True)
    delivery_method = models.CharField(
        "送达方式", max_length=12, choices=DeliveryMethod.choices, blank=True, default=""
    )
    tracking_number = models.CharField("邮寄单号", max_length=60, blank=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["department", "state"], name="case_dept_state"),
            # A department's list in the one order (selectors.URGENCY: due date, nulls
            # last as in a b-tree, received, id): the first page is read off the index
            # in order, with no sort of the department's cases.
            models.Index(
                fields=["department", "due_date", "received_at", "id"], name="case_dept_due"
            ),
            # Pending lists by urgency and overdue counts of one department touch only
            # open cases: a partial (and, on PostgreSQL, covering) index keeps them fast
            # among millions of closed ones; in the list's order too.
            models.Index(
                fields=["department", "due_date", "received_at", "id"],
                include=["clock_paused"],
                condition=Q(state__in=OPEN_STATES),
                name="case_open_dept_due",
            ),
            # 电子监察大屏's lights of the open cases per department and 承办人 (window):
            # answered from this index alone, without visiting the case rows.
            models.Index(
                fields=["department", "responsible"],
                include=["state", "due_date", "yellow_from", "clock_paused", "bundle", "parent"],
                condition=Q(state__in=OPEN_STATES),
                name="case_open_dept_staff",
            ),
            models.Index(fields=["centre", "state"], name="case_centre_state"),
            models.Index(fields=["state", "materials_received_on"], name="case_state_received"),
            models.Index(fields=["applicant_id_number"], name="case_applicant_id"),
            # A department's day, as the supervision rollups recount it (收件, 受理, 办结
            # on one day) and as the dashboard's drill-down lists it.
            models.Index(fields=["department", "received_at"], name="case_dept_received"),
            models.Index(fields=["department", "accepted_on"], name="case_dept_accepted"),
            models.Index(fields=["department", "completed_at"], name="case_dept_completed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False, item_version__isnull=False)
                | Q(bundle__isnull=False),
                name="case_has_item_or_bundle",
            ),
            models.CheckConstraint(
                condition=Q(extension_days__lte=30), name="case_extension_bounded"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_bundle_parent(self) -> bool:
        return self.bundle_id is not None and self.parent_id is None


class SubmittedMaterial(models.Model):
    """提交的申请材料, tied to the material of the version it answers."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        Material,
        verbose_name="对应材料",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="为空表示目录外的补充材料",
    )
    name = models.CharField("材料名称", max_length=200)
    file = models.FileField(
        "文件", upload_to="cases/materials/%Y/%m/", blank=True, validators=[validate_case_file]
    )
    is_original = models.BooleanField("原件", default=False)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    submitted_at = models.DateTimeField("提交时间")
    checked = models.BooleanField("已核验", default=False)
    checked_by = models.ForeignKey(
        Staff,
        verbose_name="核验人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField("核验时间", null=True, blank=True)
    problem = models.TextField("缺失/不符合要求的说明", blank=True, help_text="补正告知用")
    tolerated = models.BooleanField("容缺", default=False)
    catch_up_due = models.DateField("容缺补齐期限", null=True, blank=True)
    caught_up_at = models.DateTimeField("补齐时间", null=True, blank=True)
    # 一件事 (R-BUNDLE-6): the material is the result of a sibling in the same bundle,
    # not asked of the applicant; ``caught_up_at`` is when that result was issued.
    supplied_by = models.ForeignKey(
        "Case",
        verbose_name="由一件事子件提供",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplies",
    )

    class Meta:
        verbose_name = "提交材料"
        verbose_name_plural = "提交材料"
        ordering = ["case", "id"]

    def __str__(self):
        return self.name


class CaseEvent(models.Model):
    """办理记录 — one row per transition. Insert-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("操作", max_length=40)
    from_state = models.CharField("原状态", max_length=20, choices=State.choices)
    to_state = models.CharField("新状态", max_length=20, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=100)
    at = models.DateTimeField("时间", db_index=True)
    opinion = models.TextField("意见/理由", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    restricted = models.BooleanField("副卷", default=False, help_text="仅有权限的角色可见")

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["case", "at", "id"]

    def __str__(self):
        return f"{self.case} {self.action}"


class CaseAttachment(models.Model):
    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField("名称", max_length=200)
    file = models.FileField(
        "文件", upload_to="cases/attachments/%Y/%m/", validators=[validate_case_file]
    )

    class Meta:
        verbose_name = "办理附件"
        verbose_name_plural = "办理附件"

    def __str__(self):
        return self.name


class SpecialStepRun(models.Model):
    """特殊环节 instance (行政许可法 §45, R-SPECIAL-1): start, end, notice, record."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="special_runs")
    special_step = models.ForeignKey(
        SpecialStep, verbose_name="特殊环节", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=20)
    name = models.CharField("名称", max_length=100)
    counted_in_limit = models.BooleanField("计入办结时限")
    started_at = models.DateTimeField("开始时间")
    started_on = models.DateField("开始日期")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    notice = models.JSONField(
        "告知内容", default=dict, blank=True, help_text="时间、地点、内容、人员、方式（现场踏勘）"
    )
    record = models.TextField("记录", blank=True)
    paused_days = models.PositiveSmallIntegerField("暂停计时工作日", default=0)

    class Meta:
        verbose_name = "特殊环节记录"
        verbose_name_plural = "特殊环节记录"
        ordering = ["case", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="one_open_special_run"
            )
        ]

    def __str__(self):
        return f"{self.case} {self.name}"


class DocumentKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理通知书"
    CORRECTION = "correction", "一次性告知书"
    REFUSAL = "refusal", "不予受理决定书"
    SPECIAL_STEP = "special_step", "特殊环节告知书"
    EXTENSION = "extension", "延期告知书"
    DECISION = "decision", "决定书"
    SERVICE_RECEIPT = "service_receipt", "送达回证"
    BUNDLE_NOTICE = "bundle_notice", "一件事告知单"


class CaseDocument(models.Model):
    """A notice issued to the applicant (rendered by ``cases.documents``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    event = models.ForeignKey(
        CaseEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField("文书", max_length=20, choices=DocumentKind.choices)
    number = models.CharField("文书编号", max_length=60, unique=True)
    issued_at = models.DateTimeField("出具时间")
    data = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["case", "issued_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class CaseFee(models.Model):
    """收费记录: a fee the department collected on a case (``services.record_fee``),
    with the 收费项目 of the guide's 收费清单 it was charged under, when it was. Never
    deleted: a wrong record is cancelled (``services.cancel_fee``) with a reason and
    stays on file. 电子监察 compares the fees with the version's fee list."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="fees")
    name = models.CharField("收费项目", max_length=100)
    amount = models.PositiveIntegerField("金额（分）")
    fee_line = models.ForeignKey(
        FeeLine,
        verbose_name="收费清单项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("备注", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        Staff, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间")
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        Staff,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.CharField("撤销理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "收费记录"
        verbose_name_plural = "收费记录"
        ordering = ["case", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=FEE_AMOUNT_MAX),
                name="case_fee_amount_in_range",
            )
        ]

    def __str__(self):
        return f"{self.case} {self.name}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def amount_yuan(self) -> str:
        return f"{self.amount / 100:.2f}"


class IdempotencyKey(models.Model):
    """Idempotency-Key of POST /api/v1/cases: the same key returns the same case."""

    key = models.CharField(max_length=100, unique=True)
    fingerprint = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "幂等键"
        verbose_name_plural = "幂等键"

    def __str__(self):
        return self.key
