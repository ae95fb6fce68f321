"""组织机构 — centres at three levels, departments, stationing, windows, staff and
the chief representative's authorisation (docs/domain-rules.md R-ORG-*)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Level(models.TextChoices):
    """行使/服务层级. Ordered from top to bottom."""

    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇级"
    VILLAGE = "village", "村（社区）级"


class Centre(models.Model):
    """政务服务中心 / 便民服务中心 / 便民服务站. Each guides the level below (parent link)."""

    code = models.CharField("中心编码", max_length=12, unique=True, help_text="用于受理编号前缀")
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级中心",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=50, blank=True)
    opening_hours = models.CharField("办公时间", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务中心"
        verbose_name_plural = "服务中心"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="county", parent__isnull=True) | ~Q(level="county"),
                name="county_centre_has_no_parent",
            ),
            models.CheckConstraint(
                condition=Q(level="county") | Q(parent__isnull=False),
                name="lower_centre_has_parent",
            ),
        ]

    def __str__(self):
        return self.name


class Department(models.Model):
    """政务服务部门. One department may be an approval, competent and/or supervising
    department at once (R-ORG-9)."""

    code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    is_approval = models.BooleanField("行政审批部门", default=False)
    is_competent = models.BooleanField("主管部门", default=True)
    is_supervising = models.BooleanField("监管部门", default=False)
    phone = models.CharField("咨询电话", max_length=50, blank=True)
    complaint_phone = models.CharField("投诉电话", max_length=50, blank=True)
    address = models.CharField(
        "办公地址", max_length=200, blank=True, help_text="不在中心办理的事项，群众到此办理"
    )
    is_active = models.BooleanField("启用", default=True)
    centres = models.ManyToManyField(Centre, through="Stationing", related_name="departments")

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def role_labels(self) -> list[str]:
        labels = []
        if self.is_approval:
            labels.append("审批")
        if self.is_competent:
            labels.append("主管")
        if self.is_supervising:
            labels.append("监管")
        return labels


class Stationing(models.Model):
    """进驻 — a department stationed in a centre."""

    centre = models.ForeignKey(Centre, verbose_name="中心", on_delete=models.PROTECT)
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.PROTECT)
    since = models.DateField("进驻日期")
    is_active = models.BooleanField("在驻", default=True)

    class Meta:
        verbose_name = "进驻"
        verbose_name_plural = "进驻"
        constraints = [
            models.UniqueConstraint(fields=["centre", "department"], name="unique_stationing")
        ]

    def __str__(self):
        return f"{self.department} 进驻 {self.centre}"


class WindowType(models.TextChoices):
    COMPREHENSIVE = "comprehensive", "综合受理"
    DEPARTMENT = "department", "部门专窗"
    RESULT = "result", "综合出件"
    COMPLAINT = "complaint", "有诉即办"
    CROSS_REGION = "cross_region", "跨域通办"
    TIDAL = "tidal", "潮汐窗口"


class Window(models.Model):
    """窗口. Later issues attach queue tickets and tidal opening to it."""

    centre = models.ForeignKey(
        Centre, verbose_name="中心", on_delete=models.PROTECT, related_name="windows"
    )
    number = models.CharField("窗口号", max_length=10)
    name = models.CharField("名称", max_length=100)
    type = models.CharField("类型", max_length=20, choices=WindowType.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="windows",
        help_text="部门专窗必填",
    )
    is_active = models.BooleanField("开放", default=True)

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["centre", "number"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="unique_window_number"),
            models.CheckConstraint(
                condition=~Q(type="department") | Q(department__isnull=False),
                name="department_window_has_department",
            ),
        ]

    def __str__(self):
        return f"{self.number}号 {self.name}"


class Role(models.TextChoices):
    CENTRE_ADMIN = "centre_admin", "中心管理员"
    CHIEF_REP = "chief_rep", "首席代表"
    WINDOW_CLERK = "window_clerk", "综合受理人员"
    APPROVER = "approver", "审批人员"
    SUPERVISOR = "supervisor", "电子监察人员"


class Staff(models.Model):
    """工作人员. Dual management: belongs to a centre and (except centre roles) to a
    department (R-ORG-6)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff"
    )
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    centre = models.ForeignKey(
        Centre, verbose_name="所在中心", on_delete=models.PROTECT, related_name="staff"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    window = models.ForeignKey(
        Window,
        verbose_name="窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    phone = models.CharField("手机号", max_length=20, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    joined_on = models.DateField("进驻日期", null=True, blank=True)
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        ordering = ["centre", "department", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["centre_admin", "supervisor", "window_clerk"])
                | Q(department__isnull=False),
                name="department_role_has_department",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_role_display()}）"


class Authorisation(models.Model):
    """授权书 — a department authorises its chief representative to act in the hall
    and names the approvers of each item (R-ORG-4, R-ORG-5).

    The items it covers live in ``catalog.AuthorisedItem`` (catalog sits above org)."""

    department = models.ForeignKey(
        Department, verbose_name="授权部门", on_delete=models.PROTECT, related_name="authorisations"
    )
    chief_rep = models.ForeignKey(
        Staff, verbose_name="首席代表", on_delete=models.PROTECT, related_name="authorisations"
    )
    number = models.CharField("授权书编号", max_length=50, unique=True)
    signed_on = models.DateField("签署日期")
    valid_from = models.DateField("有效期自")
    valid_to = models.DateField("有效期至")
    scope_note = models.TextField("授权范围说明", blank=True)
    is_revoked = models.BooleanField("已撤销", default=False)

    class Meta:
        verbose_name = "授权书"
        verbose_name_plural = "授权书"
        ordering = ["department", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="authorisation_period"
            )
        ]

    def __str__(self):
        return f"{self.department} 授权书 {self.number}"


class ApiAccess(models.TextChoices):
    READ = "read", "只读"
    READ_WRITE = "read_write", "读写"


class ApiScope(models.TextChoices):
    DEPARTMENT = "department", "单个部门"
    CENTRE = "centre", "全中心"


class ApiClient(models.Model):
    """接口客户端 — another system calling the REST API with its own token (issue 8 §2).

    It acts on the authority of one staff member (``acting_staff``): the request's user
    is that member's ``User``, so department isolation and the transition table's roles
    apply unchanged. Only a SHA-256 hash of the token is stored; the token is shown once,
    at creation. A client is revoked, never deleted (``org.services.revoke_api_client``).
    """

    name = models.CharField("名称", max_length=50, unique=True)
    prefix = models.CharField("令牌前缀", max_length=16, help_text="用于辨认令牌，不能用于认证")
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    access = models.CharField("权限", max_length=16, choices=ApiAccess.choices)
    scope = models.CharField("范围", max_length=16, choices=ApiScope.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    acting_staff = models.ForeignKey(
        Staff,
        verbose_name="代其操作的工作人员",
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    note = models.CharField("用途说明", max_length=200, blank=True)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.CharField("撤销理由", max_length=200, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["-is_active", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="department", department__isnull=False)
                | Q(scope="centre", department__isnull=True),
                name="api_client_scope_department",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, revoked_at__isnull=True)
                | Q(is_active=False, revoked_at__isnull=False),
                name="api_client_revoked_when_inactive",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def may_write(self) -> bool:
        return self.access == ApiAccess.READ_WRITE
