"""The hall (大厅): queue tickets, windows calling, appointments and tidal windows
(domain.md §1 windows, §4 services; seed 2 内乡县 §16 预约/延时/绿色通道, §18 综合受理;
seed 3 达拉特旗 §25 窗口评议).

* :class:`Category` (业务类别) — what a person queues for at a centre: an item, a
  department's items or a life event (主题); its letter prefixes the ticket number.
* :class:`WindowSetting` — which categories a window serves (综合受理 windows serve all).
* :class:`TidalSwitch` (潮汐窗口) — a window switched to a busy category for one day.
* :class:`Ticket` (排队号) — one person in the queue, numbered A001… per category and
  day without gaps; its state moves only through ``services``.
* :class:`Call` (叫号记录) — every call, recall, skip, transfer and service step: the
  calling screens' stream (server-sent events, id = the row id) and the statistics.
* :class:`Slot` / :class:`Appointment` (预约) — bookable times per category and day,
  with a capacity held by one conditional UPDATE; check-in gives a priority ticket.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from govhall.cases.models import Case
from govhall.catalog.models import Item, LifeEvent
from govhall.core.validators import mask_id_number, mask_phone
from govhall.org.models import Centre, Department, Staff, Window


class CategoryKind(models.TextChoices):
    ITEM = "item", "按事项"
    DEPARTMENT = "department", "按部门"
    LIFE_EVENT = "life_event", "按主题"
    GENERAL = "general", "综合业务"


class Category(models.Model):
    """业务类别: the choice on the ticket machine. ``prefix`` (one capital letter)
    starts the ticket number (A023)."""

    centre = models.ForeignKey(
        Centre, verbose_name="中心", on_delete=models.PROTECT, related_name="+"
    )
    prefix = models.CharField("号码字头", max_length=1)
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类别", max_length=12, choices=CategoryKind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    items = models.ManyToManyField(Item, verbose_name="事项", blank=True, related_name="+")
    life_event = models.ForeignKey(
        LifeEvent,
        verbose_name="主题",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField("说明", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "业务类别"
        verbose_name_plural = "业务类别"
        ordering = ["centre", "order", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "prefix"], name="hall_category_prefix"),
            models.CheckConstraint(
                condition=Q(prefix__regex=r"^[A-Z]$"), name="hall_category_prefix_letter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class WindowSetting(models.Model):
    """The categories a window calls. A 综合受理 window serves every category of its
    centre (全科无差别受理, R-ORG-3) whatever is listed here."""

    window = models.OneToOneField(
        Window, verbose_name="窗口", on_delete=models.CASCADE, related_name="hall_setting"
    )
    categories = models.ManyToManyField(
        Category, verbose_name="服务类别", blank=True, related_name="window_settings"
    )

    class Meta:
        verbose_name = "窗口服务设置"
        verbose_name_plural = "窗口服务设置"

    def __str__(self) -> str:
        return f"{self.window} 服务设置"


class TidalSwitch(models.Model):
    """潮汐窗口 (seed 2 §18): ``window`` serves ``category`` on ``day`` (opened for the
    day if it was closed). Recorded with who and why."""

    window = models.ForeignKey(
        Window, verbose_name="窗口", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name="切换为", on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField("日期")
    reason = models.CharField("理由", max_length=200)
    switched_by = models.ForeignKey(
        Staff, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    switched_at = models.DateTimeField("切换时间")
    ended_at = models.DateTimeField("恢复时间", null=True, blank=True)

    class Meta:
        verbose_name = "潮汐切换"
        verbose_name_plural = "潮汐切换"
        constraints = [
            models.UniqueConstraint(
                fields=["window", "day"],
                condition=Q(ended_at__isnull=True),
                name="hall_one_open_switch_per_window_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.window} → {self.category}"


class Priority(models.TextChoices):
    """绿色通道 (seed 2 §16): who is called before the ordinary queue."""

    NONE = "", "普通"
    APPOINTMENT = "appointment", "预约"
    ELDERLY = "elderly", "老年人"
    DISABLED = "disabled", "残疾人"
    OTHER = "other", "其他绿色通道"


class TicketState(models.TextChoices):
    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    SERVING = "serving", "办理中"
    DONE = "done", "已办结"
    NO_SHOW = "no_show", "过号"
    CANCELLED = "cancelled", "已取消"


OPEN_STATES = (TicketState.WAITING, TicketState.CALLED, TicketState.SERVING)


class Ticket(models.Model):
    """排队号. ``number`` counts per centre, category prefix and day, without gaps;
    ``queued_at`` orders the queue (a transferred ticket keeps its place, a person
    put back after 过号 queues again)."""

    centre = models.ForeignKey(
        Centre, verbose_name="中心", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name="业务类别", on_delete=models.PROTECT, related_name="tickets"
    )
    day = models.DateField("日期")
    number = models.PositiveIntegerField("序号")
    code = models.CharField("排队号", max_length=8)
    state = models.CharField(
        "状态", max_length=10, choices=TicketState.choices, default=TicketState.WAITING
    )
    priority = models.CharField(
        "绿色通道", max_length=12, choices=Priority.choices, default="", blank=True
    )
    name = models.CharField("姓名", max_length=50, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    phone = models.CharField("手机号", max_length=11, blank=True)
    appointment = models.OneToOneField(
        "Appointment",
        verbose_name="预约",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ticket",
    )
    issued_at = models.DateTimeField("取号时间")
    queued_at = models.DateTimeField("排队时间")
    target_window = models.ForeignKey(
        Window,
        verbose_name="指定窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="转窗口时只由该窗口叫号",
    )
    window = models.ForeignKey(
        Window,
        verbose_name="叫号窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    served_by = models.ForeignKey(
        Staff,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    calls = models.PositiveSmallIntegerField("叫号次数", default=0)
    first_called_at = models.DateTimeField("首次叫号", null=True, blank=True)
    called_at = models.DateTimeField("最近叫号", null=True, blank=True)
    started_at = models.DateTimeField("开始办理", null=True, blank=True)
    finished_at = models.DateTimeField("办理结束", null=True, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        ordering = ["-day", "queued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "day", "code"], name="hall_ticket_code_per_day"
            ),
        ]
        indexes = [
            models.Index(
                fields=["centre", "day", "category", "queued_at"],
                condition=Q(state="waiting"),
                name="hall_ticket_waiting",
            ),
            models.Index(fields=["centre", "day", "state"], name="hall_ticket_day_state"),
            models.Index(fields=["window", "day"], name="hall_ticket_window_day"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class TicketCounter(models.Model):
    """The last number issued per centre, day and prefix (``core.counters``)."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    prefix = models.CharField(max_length=1)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "day", "prefix"], name="hall_ticket_counter_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.prefix} {self.last}"


class CallKind(models.TextChoices):
    ISSUE = "issue", "取号"
    CALL = "call", "叫号"
    RECALL = "recall", "重呼"
    START = "start", "开始办理"
    FINISH = "finish", "办理结束"
    NO_SHOW = "no_show", "过号"
    REQUEUE = "requeue", "过号重排"
    TRANSFER = "transfer", "转窗口"
    CANCEL = "cancel", "取消"


ANNOUNCED = (CallKind.CALL, CallKind.RECALL)


class Call(models.Model):
    """叫号记录: what happened to a ticket at which window. The calling screens read
    the rows after the last id they saw (server-sent events); nothing personal is
    in a row."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("动作", max_length=10, choices=CallKind.choices)
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("排队号", max_length=8)
    window_number = models.CharField("窗口号", max_length=10, blank=True)
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    at = models.DateTimeField("时间")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "叫号记录"
        verbose_name_plural = "叫号记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["centre", "id"], name="hall_call_centre_id")]

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()} {self.window_number}"


class SlotKind(models.TextChoices):
    REGULAR = "regular", "工作日"
    EXTENDED = "extended", "延时服务"
    WEEKEND = "weekend", "周末服务"


class Slot(models.Model):
    """预约时段: ``capacity`` people of ``category`` between ``starts_at`` and
    ``ends_at``. Regular slots exist on working days only (the calendar); 延时 and
    周末 slots are opened by the centre."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="slots")
    day = models.DateField("日期")
    starts_at = models.TimeField("开始")
    ends_at = models.TimeField("结束")
    kind = models.CharField("类型", max_length=10, choices=SlotKind.choices)
    capacity = models.PositiveSmallIntegerField("可预约人数")
    booked = models.PositiveSmallIntegerField("已预约", default=0)
    is_open = models.BooleanField("开放", default=True)

    class Meta:
        verbose_name = "预约时段"
        verbose_name_plural = "预约时段"
        ordering = ["day", "starts_at", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "day", "starts_at"], name="hall_slot_unique"
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=models.F("capacity")), name="hall_slot_not_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="hall_slot_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.starts_at:%H:%M}–{self.ends_at:%H:%M} {self.category}"

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.booked)


class AppointmentChannel(models.TextChoices):
    ONLINE = "online", "网上预约"
    PHONE = "phone", "电话预约"
    WINDOW = "window", "窗口预约"


class AppointmentState(models.TextChoices):
    BOOKED = "booked", "已预约"
    CHECKED_IN = "checked_in", "已签到"
    CANCELLED = "cancelled", "已取消"
    MISSED = "missed", "爽约"


class Appointment(models.Model):
    """预约. ``code`` (6 digits) is what the person types on the ticket machine."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    code = models.CharField("预约码", max_length=6, unique=True)
    channel = models.CharField("渠道", max_length=8, choices=AppointmentChannel.choices)
    state = models.CharField(
        "状态",
        max_length=12,
        choices=AppointmentState.choices,
        default=AppointmentState.BOOKED,
    )
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18)
    phone = models.CharField("手机号", max_length=11)
    item = models.ForeignKey(
        Item,
        verbose_name="拟办事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    booked_at = models.DateTimeField("预约时间")
    booked_by = models.CharField("登记人", max_length=100, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["slot__day", "slot__starts_at", "id"]
        indexes = [models.Index(fields=["id_number", "state"], name="hall_appt_person")]

    def __str__(self) -> str:
        return f"预约 {self.code}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
