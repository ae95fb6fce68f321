"""事项目录 — service items (政务服务事项) and their versioned guides (办事指南).

An :class:`Item` is the stable identity (codes, department, list memberships). Its
guide lives in :class:`ItemVersion` rows: one editable draft at most, and published
versions that are never changed again. A case keeps the version it was accepted
under, so older versions stay readable forever. "Current" is the published version
whose ``[valid_from, valid_to)`` contains today (see ``selectors.current_versions``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.org.models import Authorisation, Department, Level, Staff


class ItemType(models.TextChoices):
    """事项类型 with the codes provincial platforms use (R-CAT-14)."""

    LICENSING = "licensing", "行政许可"
    LEVY = "levy", "行政征收"
    PAYMENT = "payment", "行政给付"
    CONFIRMATION = "confirmation", "行政确认"
    REWARD = "reward", "行政奖励"
    ADJUDICATION = "adjudication", "行政裁决"
    OTHER_POWER = "other_power", "其他行政权力"
    FILING = "filing", "行政备案"
    PUBLIC_SERVICE = "public_service", "公共服务"


NATIONAL_TYPE_CODES = {
    ItemType.LICENSING: "1",
    ItemType.LEVY: "4",
    ItemType.PAYMENT: "5",
    ItemType.CONFIRMATION: "7",
    ItemType.REWARD: "8",
    ItemType.ADJUDICATION: "9",
    ItemType.OTHER_POWER: "10",
    ItemType.PUBLIC_SERVICE: "20",
    ItemType.FILING: "",
}


class FilingKind(models.TextChoices):
    """备案类别 of a 行政备案 item (domain.md §8, seed 4 备案): 事后告知类 is filed at
    once after a formal check (即来即备); 确认类 is confirmed by the department within
    the item's limit before the filing number is issued."""

    NOTIFY = "notify", "事后告知类"
    CONFIRM = "confirm", "确认类"


class NegativeListReason(models.TextChoices):
    """Why an item does not enter the hall (负面清单, seed 0 负面清单 §2–3)."""

    SECRET = "secret", "涉密"
    COMMERCIAL = "commercial", "商业秘密"
    PRIVACY = "privacy", "个人隐私"
    PROACTIVE = "proactive", "主动服务"
    PREMISES = "premises", "场地限制"


class ItemStatus(models.TextChoices):
    ACTIVE = "active", "在用"
    SUSPENDED = "suspended", "暂停"
    CANCELLED = "cancelled", "取消"


class ExerciseLevel(models.TextChoices):
    """行使层级."""

    NATIONAL = "national", "国家级"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇级"


class CaseType(models.TextChoices):
    """办件类型."""

    INSTANT = "instant", "即办件"
    PROMISED = "promised", "承诺件"


class HandlingForm(models.TextChoices):
    """办理形式."""

    WINDOW = "window", "窗口办理"
    ONLINE = "online", "网上办理"
    BOTH = "both", "窗口办理、网上办理"


class ProcedurePattern(models.TextChoices):
    """审批环节模式 (R-CAT-10) with the number of review steps each needs."""

    SIMPLE = "simple", "审核合一"
    GENERAL = "general", "一审一核"
    COMPLEX = "complex", "一审两核"
    SPECIAL = "special", "特别程序"


PATTERN_STEP_COUNT = {
    ProcedurePattern.SIMPLE: 1,
    ProcedurePattern.GENERAL: 2,
    ProcedurePattern.COMPLEX: 3,
    ProcedurePattern.SPECIAL: 2,  # at least; plus at least one special step
}


class CrossRegion(models.TextChoices):
    """跨域通办 scope."""

    NONE = "", "不支持"
    CITY = "city", "同城通办"
    PROVINCE = "province", "全省通办"
    INTER_PROVINCE = "inter_province", "跨省通办"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class LifeEvent(models.Model):
    """主题 (life event) for browsing the portal: 生育收养, 开办企业 …"""

    class Audience(models.TextChoices):
        PERSON = "person", "个人"
        COMPANY = "company", "法人"

    code = models.SlugField("编码", unique=True)
    name = models.CharField("名称", max_length=50)
    audience = models.CharField("对象", max_length=10, choices=Audience.choices)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["audience", "order", "name"]

    def __str__(self):
        return self.name


class Item(models.Model):
    """政务服务事项 — identity and list memberships; the guide is in ItemVersion."""

    basic_code = models.CharField("基本编码", max_length=12, db_index=True)
    implementation_code = models.CharField("实施编码", max_length=32, unique=True)
    department = models.ForeignKey(
        Department, verbose_name="实施部门", on_delete=models.PROTECT, related_name="items"
    )
    type = models.CharField("事项类型", max_length=20, choices=ItemType.choices)
    status = models.CharField(
        "状态", max_length=12, choices=ItemStatus.choices, default=ItemStatus.ACTIVE
    )
    is_stationed = models.BooleanField("进驻中心", default=True)
    on_negative_list = models.BooleanField("负面清单", default=False)
    negative_list_reason = models.TextField("不进驻理由", blank=True)
    negative_list_category = models.CharField(
        "不进驻理由类别",
        max_length=12,
        choices=NegativeListReason.choices,
        blank=True,
        default="",
    )
    on_two_priority_list = models.BooleanField(
        "两优清单", default=False, help_text="优化职能职责、优化工作流程清单（seed 4 “两优”）"
    )
    status_reason = models.TextField(
        "暂停/取消理由", blank=True, help_text="公开在办事指南和网上申请页（R-PUBLIC-3）"
    )
    life_events = models.ManyToManyField(
        LifeEvent, verbose_name="主题", blank=True, related_name="items"
    )
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "事项"
        verbose_name_plural = "事项"
        ordering = ["implementation_code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_negative_list=False) | Q(is_stationed=False),
                name="negative_list_items_not_stationed",
            )
        ]

    def __str__(self):
        return self.implementation_code

    @property
    def accepting(self) -> bool:
        """May the hall accept applications for it at all (应进必进, 暂停/取消)?"""
        return self.status == ItemStatus.ACTIVE and self.is_stationed and not self.on_negative_list


class ItemVersion(models.Model):
    """办事指南的一个版本. Drafts are edited; published versions are immutable."""

    item = models.ForeignKey(
        Item, verbose_name="事项", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True, help_text="不含当日；空表示现行")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    change_note = models.TextField("修订说明", blank=True)
    edit_token = models.PositiveIntegerField("编辑序号", default=0, help_text="乐观锁")

    # --- guide elements (R-CAT-5) ---
    name = models.CharField("事项名称", max_length=200)
    exercise_level = models.CharField(
        "行使层级", max_length=12, choices=ExerciseLevel.choices, default=ExerciseLevel.COUNTY
    )
    legal_basis = models.TextField("设定依据", blank=True)
    case_type = models.CharField(
        "办件类型", max_length=12, choices=CaseType.choices, default=CaseType.PROMISED
    )
    legal_limit_days = models.PositiveSmallIntegerField("法定时限（工作日）", null=True, blank=True)
    promised_limit_days = models.PositiveSmallIntegerField(
        "承诺时限（工作日）", null=True, blank=True
    )
    handling_form = models.CharField(
        "办理形式", max_length=12, choices=HandlingForm.choices, default=HandlingForm.BOTH
    )
    visits = models.PositiveSmallIntegerField("到现场次数", default=1)
    has_fee = models.BooleanField("是否收费", default=False)
    fee_standard = models.TextField("收费标准", blank=True)
    fee_basis = models.TextField("收费依据", blank=True)
    conditions = models.TextField("申请条件", blank=True)
    needs_no_materials = models.BooleanField("无需申请材料", default=False)
    result_name = models.CharField("结果名称", max_length=200, blank=True)
    result_sample = models.CharField("结果样本", max_length=200, blank=True)
    result_sample_file = models.CharField(
        "结果样本文件",
        max_length=16,
        blank=True,
        help_text="上传后的文件编号（catalog.CatalogFile）",
    )
    consult_contact = models.CharField("咨询方式", max_length=200, blank=True)
    complaint_contact = models.CharField("监督投诉方式", max_length=200, blank=True)
    procedure_pattern = models.CharField(
        "审批环节模式",
        max_length=12,
        choices=ProcedurePattern.choices,
        default=ProcedurePattern.GENERAL,
    )
    at_most_one_visit = models.BooleanField("最多跑一次", default=False)
    allows_tolerance = models.BooleanField("容缺受理", default=False)
    is_certification = models.BooleanField("证明事项", default=False)
    intermediary_service = models.BooleanField("涉及中介服务", default=False)
    intermediary_note = models.CharField("中介服务说明", max_length=200, blank=True)
    cross_region = models.CharField(
        "跨域通办", max_length=16, choices=CrossRegion.choices, blank=True, default=""
    )
    accept_at_county = models.BooleanField("县级可受理", default=True)
    accept_at_township = models.BooleanField("乡镇可受理", default=False)
    accept_at_village = models.BooleanField("村级可受理", default=False)
    keywords = models.CharField(
        "检索关键词", max_length=200, blank=True, help_text="俗称、别名，空格分隔"
    )
    filing_kind = models.CharField(
        "备案类别",
        max_length=10,
        choices=FilingKind.choices,
        blank=True,
        default="",
        help_text="仅行政备案事项：事后告知类即来即备，确认类由部门限时确认",
    )
    search_text = models.TextField("检索文本", blank=True, editable=False)

    class Meta:
        verbose_name = "办事指南版本"
        verbose_name_plural = "办事指南版本"
        ordering = ["item", "-number"]
        indexes = [models.Index(fields=["status", "valid_from", "valid_to"])]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="draft"), name="one_draft_per_item"
            ),
            models.UniqueConstraint(fields=["item", "number"], name="unique_version_number"),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(number__isnull=False) & Q(valid_from__isnull=False)),
                name="published_version_is_numbered",
            ),
        ]

    def __str__(self):
        label = f"v{self.number}" if self.number else "草稿"
        return f"{self.name}（{label}）"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def accept_levels(self) -> list[str]:
        levels = []
        if self.accept_at_county:
            levels.append(Level.COUNTY)
        if self.accept_at_township:
            levels.append(Level.TOWNSHIP)
        if self.accept_at_village:
            levels.append(Level.VILLAGE)
        return levels

    def accepts_at(self, level: str) -> bool:
        return level in self.accept_levels


# Guide fields copied from one version to the next, exported to Excel and edited in
# forms: the single list every one of those uses.
GUIDE_FIELDS = [
    "name",
    "exercise_level",
    "legal_basis",
    "case_type",
    "legal_limit_days",
    "promised_limit_days",
    "handling_form",
    "visits",
    "has_fee",
    "fee_standard",
    "fee_basis",
    "conditions",
    "needs_no_materials",
    "result_name",
    "result_sample",
    "result_sample_file",
    "consult_contact",
    "complaint_contact",
    "procedure_pattern",
    "at_most_one_visit",
    "allows_tolerance",
    "is_certification",
    "intermediary_service",
    "intermediary_note",
    "cross_region",
    "accept_at_county",
    "accept_at_township",
    "accept_at_village",
    "keywords",
    "filing_kind",
]


class MaterialForm(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    BOTH = "both", "纸质或电子"


class Material(models.Model):
    """申请材料 of one guide version."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("材料名称", max_length=200)
    required = models.BooleanField("必要", default=True)
    tolerance_allowed = models.BooleanField("可容缺", default=False)
    originals = models.PositiveSmallIntegerField("原件份数", default=0)
    copies = models.PositiveSmallIntegerField("复印件份数", default=1)
    form = models.CharField(
        "材料形式", max_length=12, choices=MaterialForm.choices, default=MaterialForm.BOTH
    )
    source = models.CharField("来源渠道", max_length=100, blank=True, default="申请人自备")
    sample_form = models.CharField("示范文本/空白表格", max_length=200, blank=True)
    sample_file = models.CharField(
        "示范文本文件",
        max_length=16,
        blank=True,
        help_text="上传后的文件编号（catalog.CatalogFile）",
    )
    common_mistakes = models.TextField("常见错误", blank=True)
    notes = models.TextField("填报须知", blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version", "order", "id"]

    def __str__(self):
        return self.name


MATERIAL_FIELDS = [
    "order",
    "name",
    "required",
    "tolerance_allowed",
    "originals",
    "copies",
    "form",
    "source",
    "sample_form",
    "sample_file",
    "common_mistakes",
    "notes",
]


class StepKind(models.TextChoices):
    EXAMINE = "examine", "审查"
    VERIFY = "verify", "审核"
    DECIDE = "decide", "决定"


class Step(models.Model):
    """办理环节 after acceptance, with its review rules (R-CAT-10)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("序号", default=0)
    kind = models.CharField("环节", max_length=12, choices=StepKind.choices)
    name = models.CharField("环节名称", max_length=100)
    time_limit_days = models.PositiveSmallIntegerField("环节时限（工作日）", default=1)
    review_content = models.TextField("审查内容", blank=True)
    review_standard = models.TextField("审查标准", blank=True)
    review_points = models.TextField("审查要点", blank=True)
    cautions = models.TextField("注意事项", blank=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["version", "order", "id"]

    def __str__(self):
        return self.name


STEP_FIELDS = [
    "order",
    "kind",
    "name",
    "time_limit_days",
    "review_content",
    "review_standard",
    "review_points",
    "cautions",
]


class SpecialStepKind(models.TextChoices):
    """特殊环节 (行政许可法 §45, R-CAT-11)."""

    SITE_INSPECTION = "site_inspection", "现场踏勘"
    HEARING = "hearing", "听证"
    EXPERT_REVIEW = "expert_review", "专家评审"
    TESTING = "testing", "检验检测"
    ANNOUNCEMENT = "announcement", "公告公示"
    REPORT_UP = "report_up", "上报上级"
    MEETING = "meeting", "会议研究"
    INVESTIGATION = "investigation", "调查核实"


class SpecialStep(models.Model):
    """特殊环节 of one guide version (R-CAT-11)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="special_steps")
    order = models.PositiveSmallIntegerField("序号", default=0)
    kind = models.CharField("类型", max_length=20, choices=SpecialStepKind.choices)
    name = models.CharField("名称", max_length=100)
    basis = models.TextField("设定依据", blank=True)
    time_limit_days = models.PositiveSmallIntegerField("时限（工作日）", default=5)
    has_fee = models.BooleanField("是否收费", default=False)
    fee_note = models.CharField("收费说明", max_length=200, blank=True)
    counted_in_limit = models.BooleanField("计入办结时限", default=False)

    class Meta:
        verbose_name = "特殊环节"
        verbose_name_plural = "特殊环节"
        ordering = ["version", "order", "id"]

    def __str__(self):
        return self.name


SPECIAL_STEP_FIELDS = [
    "order",
    "kind",
    "name",
    "basis",
    "time_limit_days",
    "has_fee",
    "fee_note",
    "counted_in_limit",
]


# A fee amount, in fen (分): more than nothing and at most 100,000 元 (one bound for the
# catalogue's fee list and the fees a case records).
FEE_AMOUNT_MAX = 10_000_000


class FeeLine(models.Model):
    """收费清单 of one guide version: one 收费项目 with its standard, amount and legal
    basis. Copied with the version like the other lists (``VERSION_CHILDREN``); the
    fees a case records (``cases.CaseFee``) are checked against it by 电子监察."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fee_lines")
    order = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("收费项目", max_length=100)
    standard = models.TextField("收费标准", blank=True)
    amount = models.PositiveIntegerField(
        "金额（分）", null=True, blank=True, help_text="空表示按标准计收"
    )
    basis = models.TextField("收费依据", blank=True)

    class Meta:
        verbose_name = "收费项目"
        verbose_name_plural = "收费清单"
        ordering = ["version", "order", "id"]

    def __str__(self):
        return self.name

    @property
    def amount_yuan(self) -> str:
        """The amount in 元 (``"12.50"``), or 按标准 when none is fixed."""
        return "按标准" if self.amount is None else f"{self.amount / 100:.2f}"


FEE_LINE_FIELDS = ["order", "name", "standard", "amount", "basis"]


class AuthorisedItem(models.Model):
    """An item covered by a chief representative's authorisation, with its approvers."""

    authorisation = models.ForeignKey(Authorisation, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        Item, verbose_name="事项", on_delete=models.PROTECT, related_name="authorisations"
    )
    approvers = models.ManyToManyField(
        Staff, verbose_name="审批人员", related_name="authorised_items"
    )

    class Meta:
        verbose_name = "授权事项"
        verbose_name_plural = "授权事项"
        constraints = [
            models.UniqueConstraint(fields=["authorisation", "item"], name="unique_authorised_item")
        ]

    def __str__(self):
        return f"{self.authorisation.number} / {self.item}"


# The three lists of a guide: (related name on ItemVersion, model, fields). Copying a
# version, comparing, exporting and validating one walk this instead of three copies.
GUIDE_CHILDREN = [
    ("materials", Material, MATERIAL_FIELDS),
    ("steps", Step, STEP_FIELDS),
    ("special_steps", SpecialStep, SPECIAL_STEP_FIELDS),
]

# Everything a new draft copies from the version before it: the three lists and the
# 收费清单 (kept out of ``GUIDE_CHILDREN``: the Excel workbook has no sheet for it, so an
# import carries the fee list over from the version it succeeds instead).
VERSION_CHILDREN = [*GUIDE_CHILDREN, ("fee_lines", FeeLine, FEE_LINE_FIELDS)]


class CatalogFile(models.Model):
    """示范文本、空白表格、结果样本: a file the guide offers for download.

    Guides refer to it by ``key`` (the first 16 hex digits of its SHA-256), a plain
    string that survives a draft copy and the Excel round trip; the same file uploaded
    twice is stored once. Files are never deleted: a published version that named one
    keeps offering it."""

    key = models.CharField("文件编号", max_length=16, unique=True)
    name = models.CharField("文件名", max_length=200)
    file = models.FileField("文件", upload_to="catalog/files/%Y/")
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "指南附件"
        verbose_name_plural = "指南附件"
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.name
