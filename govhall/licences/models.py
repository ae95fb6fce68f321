"""审管联动 (approval ↔ supervision linkage, domain.md §6, seed 0 联动) and the licence
registry (证照库) and warning registry (警示信息库).

* :class:`ItemLinkage` — an item's settings for the linkage: the licence it yields
  (name, 证照类型代码, validity), supervising departments when the 监管事项清单 names
  none, whether its results are published.
* :class:`Liaison` (联络员) — the person of a department who receives pushes and
  obligations; by default its 首席代表 (seed 0 联动 §5).
* :class:`Endpoint` — a department's own system, reached by an HMAC-signed webhook.
* :class:`ResultPush` (审批结果推送) — one decision told to one supervising department,
  written in the decision's transaction, acknowledged (签收) by the department.
* :class:`Licence` (证照) — the registry entry of a licence, status changed only by
  ``services`` through the table of ``workflow.py``.
* :class:`SupervisionReport` (监管反馈) — a violation, hazard, major change or penalty
  pushed back by a supervising department; a revocation yields a
  :class:`CancellationObligation` (应注销) on the approval department.
* :class:`WarningEntry` (警示信息) — a subject with a serious violation: no 容缺受理.
* :class:`MonthlyLetter` (书面函告) — the month's pushes to one department, as a PDF.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.cases.models import Case
from govhall.catalog.models import Item
from govhall.core.validators import mask_id_number
from govhall.org.models import Department, Staff


class HolderKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


def masked_code(kind: str, code: str) -> str:
    """A natural person's 身份证号 is masked; an organisation's 统一社会信用代码 is public."""
    return code if kind == HolderKind.ORGANISATION else mask_id_number(code)


# --------------------------------------------------------------------------- settings


class ItemLinkage(models.Model):
    """事项联动设置: what an approval of ``item`` yields and who supervises it when the
    监管事项清单 names nobody."""

    item = models.OneToOneField(
        Item, verbose_name="事项", on_delete=models.CASCADE, related_name="linkage"
    )
    licence_name = models.CharField("证照名称", max_length=100, blank=True)
    type_code = models.CharField(
        "证照类型代码", max_length=40, blank=True, help_text="电子证照目录中的证照类型代码"
    )
    validity_months = models.PositiveSmallIntegerField(
        "有效期（月）", default=0, help_text="0 表示长期有效"
    )
    supervisors = models.ManyToManyField(
        Department,
        verbose_name="监管部门（监管事项清单未列明时）",
        blank=True,
        related_name="+",
    )
    publish_results = models.BooleanField("公开审批结果", default=True)

    class Meta:
        verbose_name = "事项联动设置"
        verbose_name_plural = "事项联动设置"

    def __str__(self) -> str:
        return f"{self.item} 联动设置"


class Liaison(models.Model):
    """联络员 of a department (seed 0 联动 §5): receives pushes and obligations. Without
    a row the department's active 首席代表 is its liaison."""

    department = models.OneToOneField(
        Department, verbose_name="部门", on_delete=models.CASCADE, related_name="liaison"
    )
    staff = models.ForeignKey(
        Staff, verbose_name="联络员", on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField("任职日期")
    note = models.CharField("职责说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "联络员"
        verbose_name_plural = "联络员"

    def __str__(self) -> str:
        return f"{self.department} 联络员 {self.staff.name}"


class Endpoint(models.Model):
    """A department's own system (监管平台接口): pushes are POSTed to ``url`` as JSON,
    signed with HMAC-SHA256 under ``secret`` (docs/licences.md)."""

    department = models.OneToOneField(
        Department, verbose_name="部门", on_delete=models.CASCADE, related_name="endpoint"
    )
    url = models.URLField("接收地址", max_length=300)
    secret = models.CharField("签名密钥", max_length=128)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "部门系统接口"
        verbose_name_plural = "部门系统接口"

    def __str__(self) -> str:
        return f"{self.department} → {self.url}"


# --------------------------------------------------------------------------- pushes


class ResultPush(models.Model):
    """审批结果推送: the decision of ``case`` told to one supervising department. The
    row is the department's inbox entry; ``payload`` is what was told (holder masked),
    fixed when pushed; the webhook, when the department has one, is delivered by a
    reliable task (``delivered_at``). Unacknowledged past ``ack_due`` is a warning."""

    delivery_id = models.CharField("投递编号", max_length=100, unique=True)
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name="监管部门", on_delete=models.PROTECT, related_name="+"
    )
    approval_department = models.ForeignKey(
        Department, verbose_name="审批部门", on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField("推送内容")
    decided_on = models.DateField("决定日期")
    pushed_at = models.DateTimeField("推送时间", db_index=True)
    ack_due = models.DateField("签收期限")
    by_webhook = models.BooleanField("经接口推送", default=False)
    delivered_at = models.DateTimeField("接口送达时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_name = models.CharField("签收人姓名", max_length=100, blank=True)

    class Meta:
        verbose_name = "审批结果推送"
        verbose_name_plural = "审批结果推送"
        ordering = ["-pushed_at", "-id"]
        indexes = [
            models.Index(fields=["department", "-pushed_at"], name="push_dept_pushed"),
            models.Index(
                fields=["ack_due"], condition=Q(acknowledged_at__isnull=True), name="push_unacked"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payload.get('case_number', '')} → {self.department}"


# --------------------------------------------------------------------------- licences


class Status(models.TextChoices):
    """证照状态."""

    VALID = "valid", "有效"
    CHANGED = "changed", "变更"
    RENEWED = "renewed", "延续"
    CANCELLED = "cancelled", "注销"
    WITHDRAWN = "withdrawn", "撤销"
    REVOKED = "revoked", "吊销"
    EXPIRED = "expired", "过期"


# In force: the holder may act on it (变更 and 延续 are a valid licence whose details or
# validity changed).
IN_FORCE = (Status.VALID, Status.CHANGED, Status.RENEWED)


class Licence(models.Model):
    """证照: one licence issued on 制证 (metadata after GB/T 36903, identifier after
    GB/T 36904, ``identifiers.py``)."""

    identifier = models.CharField("电子证照标识", max_length=120, unique=True)
    number = models.CharField("证照编号", max_length=60)
    name = models.CharField("证照名称", max_length=100)
    type_code = models.CharField("证照类型代码", max_length=40, blank=True)
    holder_kind = models.CharField("持证主体类型", max_length=12, choices=HolderKind.choices)
    holder_name = models.CharField("持证主体", max_length=100)
    holder_code = models.CharField(
        "持证主体代码", max_length=18, db_index=True, help_text="身份证号或统一社会信用代码"
    )
    issuer = models.ForeignKey(
        Department, verbose_name="颁发机构", on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.PROTECT, related_name="+")
    item_name = models.CharField("事项名称", max_length=200)
    case = models.OneToOneField(
        Case, verbose_name="来源办件", on_delete=models.PROTECT, related_name="licence"
    )
    issued_on = models.DateField("颁发日期")
    valid_from = models.DateField("有效期起始")
    valid_until = models.DateField("有效期截止", null=True, blank=True, help_text="空表示长期")
    status = models.CharField(
        "证照状态", max_length=12, choices=Status.choices, default=Status.VALID
    )
    status_changed_at = models.DateTimeField("状态变更时间")
    status_reason = models.CharField("状态变更原因", max_length=500, blank=True)
    expiry_reminded_on = models.DateField("到期提醒日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1, help_text="乐观锁")

    class Meta:
        verbose_name = "证照"
        verbose_name_plural = "证照库"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="licence_number_per_issuer")
        ]
        indexes = [
            models.Index(
                fields=["valid_until"],
                condition=Q(status__in=["valid", "changed", "renewed"]),
                name="licence_in_force_until",
            ),
            models.Index(fields=["number"], name="licence_number"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE

    @property
    def holder_code_masked(self) -> str:
        return masked_code(self.holder_kind, self.holder_code)


# --------------------------------------------------------------------------- feedback


class ReportKind(models.TextChoices):
    """监管反馈的类型 (seed 0 联动 §2)."""

    MAJOR_CHANGE = "major_change", "重大变更"
    VIOLATION = "violation", "违法行为"
    HAZARD = "hazard", "安全隐患"
    PENALTY = "penalty", "行政处罚"


class PenaltyKind(models.TextChoices):
    NONE = "", "—"
    WARNING = "warning", "警告"
    FINE = "fine", "罚款"
    SUSPENSION = "suspension", "责令停产停业"
    REVOCATION = "revocation", "吊销许可证件"
    OTHER = "other", "其他"


class ReportChannel(models.TextChoices):
    FORM = "form", "系统填报"
    API = "api", "接口"
    WEBHOOK = "webhook", "部门系统推送"


class SupervisionReport(models.Model):
    """监管反馈: what a supervising department found (violation, hazard, major change,
    penalty), pushed back to the approval department. A revocation (吊销) marks the
    licence 吊销 and obliges the issuer to 注销 it (:class:`CancellationObligation`); a
    serious one puts the subject on the warning list."""

    number = models.CharField("反馈编号", max_length=20, unique=True)
    department = models.ForeignKey(
        Department, verbose_name="监管部门", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=20, choices=ReportKind.choices)
    penalty = models.CharField(
        "处罚种类", max_length=20, choices=PenaltyKind.choices, blank=True, default=""
    )
    licence = models.ForeignKey(
        Licence,
        verbose_name="涉及证照",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    subject_kind = models.CharField("当事人类型", max_length=12, choices=HolderKind.choices)
    subject_name = models.CharField("当事人", max_length=100)
    subject_code = models.CharField("当事人证件号码", max_length=18, db_index=True)
    description = models.TextField("情况说明", max_length=4000)
    decision_number = models.CharField("处罚决定书文号", max_length=60, blank=True)
    effective_on = models.DateField("处罚决定生效日期", null=True, blank=True)
    serious = models.BooleanField("严重违法（列入警示信息库）", default=False)
    channel = models.CharField("来源渠道", max_length=10, choices=ReportChannel.choices)
    external_id = models.CharField(
        "来源系统编号",
        max_length=100,
        blank=True,
        help_text="部门系统的投递编号，重复推送不重复登记",
    )
    received_at = models.DateTimeField("接收时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_name = models.CharField("登记人姓名", max_length=100)
    read_at = models.DateTimeField("审批部门查收时间", null=True, blank=True)

    class Meta:
        verbose_name = "监管反馈"
        verbose_name_plural = "监管反馈"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "external_id"],
                condition=~Q(external_id=""),
                name="report_external_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    @property
    def subject_code_masked(self) -> str:
        return masked_code(self.subject_kind, self.subject_code)


class CancellationObligation(models.Model):
    """应注销: a revocation penalty obliges the issuing department to cancel (注销) the
    licence within ``due_on`` (seed 0 联动 §3); late while open is a warning."""

    report = models.OneToOneField(
        SupervisionReport,
        verbose_name="监管反馈",
        on_delete=models.PROTECT,
        related_name="obligation",
    )
    licence = models.ForeignKey(
        Licence, verbose_name="证照", on_delete=models.PROTECT, related_name="obligations"
    )
    department = models.ForeignKey(
        Department, verbose_name="审批部门", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("产生时间")
    due_on = models.DateField("注销期限")
    fulfilled_at = models.DateTimeField("注销时间", null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "注销义务"
        verbose_name_plural = "注销义务"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"注销 {self.licence.number}（{self.due_on} 前）"


class WarningEntry(models.Model):
    """警示信息: a subject (person or organisation) with a serious violation, for a
    period. While in force the subject gets no 容缺受理 and the window is warned when
    accepting any of its cases."""

    subject_kind = models.CharField("主体类型", max_length=12, choices=HolderKind.choices)
    subject_name = models.CharField("主体名称", max_length=100)
    subject_code = models.CharField("证件号码", max_length=18, db_index=True)
    reason = models.CharField("列入原因", max_length=500)
    source = models.ForeignKey(
        Department, verbose_name="来源部门", on_delete=models.PROTECT, related_name="+"
    )
    report = models.ForeignKey(
        SupervisionReport,
        verbose_name="来源监管反馈",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warnings",
    )
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期", null=True, blank=True, help_text="空表示长期")
    created_at = models.DateTimeField("列入时间")
    created_by_name = models.CharField("列入人", max_length=100)
    lifted_at = models.DateTimeField("移出时间", null=True, blank=True)
    lift_reason = models.CharField("移出理由", max_length=500, blank=True)

    class Meta:
        verbose_name = "警示信息"
        verbose_name_plural = "警示信息库"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.subject_name}：{self.reason}"

    @property
    def subject_code_masked(self) -> str:
        return masked_code(self.subject_kind, self.subject_code)


class MonthlyLetter(models.Model):
    """书面函告: the pushes of one month to one supervising department, as a PDF made by
    the schedule on the first working day of the next month (seed 0 联动 §2)."""

    department = models.ForeignKey(
        Department, verbose_name="监管部门", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("月份", help_text="当月1日")
    number = models.CharField("函号", max_length=40, unique=True)
    count = models.PositiveIntegerField("推送条数")
    pdf = models.BinaryField("函件PDF")
    made_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "书面函告"
        verbose_name_plural = "书面函告"
        ordering = ["-month", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "month"], name="letter_once_a_month")
        ]

    def __str__(self) -> str:
        return self.number


class Counter(models.Model):
    """The last number of a series in a year (反馈编号 JG, 函号 HG, 证照标识流水号 ZZ)."""

    series = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="licences_counter_key")
        ]

    def __str__(self) -> str:
        return f"{self.series}{self.year}: {self.last}"
