"""Writes of the hall: tickets, calls, appointments, tidal windows. Every rule here
holds for the ticket machine, the window console, the portal, the API and the jobs.

The queue (seed 2 §16, §18):

* :func:`issue_ticket` (取号) numbers A001… per centre, category prefix and day through
  ``core.counters`` (one ``UPDATE … RETURNING``: no two tickets share a number, a
  rolled-back issue gives its number back). An ID number showing the policy age
  (``HALL_ELDERLY_AGE``) gets the 老年人 绿色通道 by itself; 残疾人 and other priorities
  are given by staff at the 导服台, an appointment's by :func:`check_in`.
* :func:`call_next` (叫号) takes the next waiting ticket the window serves: tickets
  transferred to this window first, then 绿色通道 in order of arrival, then the
  ordinary queue — but after ``HALL_PRIORITY_STREAK`` priority calls in a row the
  window calls one ordinary ticket, so the queue never starves. The ticket is claimed
  by a conditional ``UPDATE … WHERE state = 'waiting'`` (and on PostgreSQL read with
  ``FOR UPDATE SKIP LOCKED``), so two windows never call the same ticket.
* :func:`recall` (重呼), :func:`mark_no_show` (过号: only after ``HALL_NO_SHOW_CALLS``
  calls), :func:`requeue` (过号后重新排队), :func:`transfer` (转窗口: the ticket keeps
  its place and only the target window calls it), :func:`start` / :func:`finish`.
* Each step writes one :class:`~govhall.hall.models.Call` row: the ticket's record
  (who, when, what) and the calling screens' event stream.

Appointments (预约): :func:`open_slots` opens regular slots on working days only (the
calendar), :func:`open_extra_slot` 延时/周末 slots; :func:`book` holds the capacity by
one conditional UPDATE; :func:`check_in` gives a priority ticket with the code.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.core import actors, audit, clock, counters, policy
from govhall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from govhall.core.validators import clean_text, is_valid_id_number
from govhall.notifications.models import Channel
from govhall.notifications.services import Message, Recipient, notify
from govhall.org.models import Window, WindowType

from . import roles
from .models import (
    OPEN_STATES,
    Appointment,
    AppointmentChannel,
    AppointmentState,
    Call,
    CallKind,
    Category,
    CategoryKind,
    Priority,
    Slot,
    SlotKind,
    Ticket,
    TicketCounter,
    TicketState,
    TidalSwitch,
    WindowSetting,
)

SAVE_CATEGORY = audit.Action("hall.category.save", "设置业务类别")
SET_WINDOW = audit.Action("hall.window.set_categories", "设置窗口服务类别")
SWITCH_WINDOW = audit.Action("hall.window.switch", "切换潮汐窗口")
END_SWITCH = audit.Action("hall.window.end_switch", "恢复潮汐窗口")
OPEN_SLOTS = audit.Action("hall.slot.open", "开放预约时段")
CLOSE_SLOT = audit.Action("hall.slot.close", "关闭预约时段")
BOOK = audit.Action("hall.appointment.book", "预约")
CANCEL_APPOINTMENT = audit.Action("hall.appointment.cancel", "取消预约")

STAFF_PRIORITIES = (Priority.DISABLED, Priority.OTHER)
_PHONE_DIGITS = 11
MAX_NUMBER = 9999  # a category's tickets a day (A9999)


def _policy_int(name: str, default: int) -> int:
    value = policy.get(name)
    return value if isinstance(value, int) and value >= 0 else default


def no_show_calls() -> int:
    return max(1, _policy_int("HALL_NO_SHOW_CALLS", 3))


def priority_streak() -> int:
    return max(1, _policy_int("HALL_PRIORITY_STREAK", 3))


def _actor_name(actor) -> str:
    return actors.actor_name(actor)[:100]


def _clean_phone(value, *, required: bool) -> str:
    value = clean_text(value, field="phone", label="手机号", limit=20, required=required)
    if value and not (value.isdigit() and len(value) == _PHONE_DIGITS and value[0] == "1"):
        raise ValidationFailed(
            "手机号应为 11 位数字", code="invalid_phone", fields={"phone": ["手机号应为 11 位数字"]}
        )
    return value


def _clean_id(value, *, required: bool) -> str:
    value = clean_text(value, field="id_number", label="身份证号", limit=18, required=required)
    value = value.upper()
    if value and not is_valid_id_number(value):
        raise ValidationFailed(
            "居民身份证号码格式或校验位不正确",
            code="invalid_id_number",
            fields={"id_number": ["居民身份证号码格式或校验位不正确"]},
        )
    return value


def age_on(id_number: str, day: dt.date) -> int | None:
    """Age in whole years on ``day`` from an 18-digit ID number (GB 11643 birth date)."""
    if not id_number or len(id_number) != 18:
        return None
    birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def hall_open_on(*, centre, day: dt.date) -> bool:
    """The hall takes tickets on working days, and on other days when the centre opened
    周末服务 slots for that day."""
    if calendar.is_workday(day=day):
        return True
    return Slot.objects.filter(centre=centre, day=day, kind=SlotKind.WEEKEND, is_open=True).exists()


def _event(ticket: Ticket, kind: str, *, actor, window=None, note: str = "") -> Call:
    window = window if window is not None else ticket.window
    return Call.objects.create(
        centre_id=ticket.centre_id,
        ticket=ticket,
        kind=kind,
        window=window,
        code=ticket.code,
        window_number=window.number if window is not None else "",
        actor_name=_actor_name(actor),
        at=clock.now(),
        note=note[:200],
    )


# --------------------------------------------------------------------------- tickets


@transaction.atomic
def issue_ticket(
    *,
    actor,
    category: Category,
    priority: str = "",
    name: str = "",
    id_number: str = "",
    phone: str = "",
    appointment: Appointment | None = None,
) -> Ticket:
    """取号. ``actor`` is the person at the machine (``Applicant``) or a staff member
    at the 导服台 (who alone gives a 残疾人/其他 priority)."""
    centre = category.centre
    today = clock.today()
    if not category.is_active:
        raise Conflict("该业务类别已停用，请选择其他类别", code="category_inactive")
    if not hall_open_on(centre=centre, day=today):
        raise Conflict("今天不是办公日，大厅不取号", code="hall_closed")
    if priority not in Priority.values:
        raise ValidationFailed("绿色通道类型不正确", code="invalid_priority")
    if priority in STAFF_PRIORITIES and not roles.may_issue_priority(actor, centre):
        raise PermissionDenied("残疾人等绿色通道号由导服人员核实后发放")
    if priority == Priority.APPOINTMENT and appointment is None:
        raise ValidationFailed("预约号请用预约码签到领取", code="invalid_priority")
    name = clean_text(name, field="name", label="姓名", limit=50, required=False)
    id_number = _clean_id(id_number, required=False)
    phone = _clean_phone(phone, required=False)
    age = age_on(id_number, today)
    if priority == Priority.ELDERLY and (age is None or age < _policy_int("HALL_ELDERLY_AGE", 60)):
        raise ValidationFailed(
            "老年人绿色通道凭身份证取号（年满 {} 周岁）".format(
                _policy_int("HALL_ELDERLY_AGE", 60)
            ),
            code="not_elderly",
            fields={"id_number": ["请填写本人身份证号"]},
        )
    if not priority and age is not None and age >= _policy_int("HALL_ELDERLY_AGE", 60):
        priority = Priority.ELDERLY
    number = counters.next_value(TicketCounter, centre=centre, day=today, prefix=category.prefix)
    if number > MAX_NUMBER:
        raise Conflict("今日该类别号码已取完，请咨询导服台", code="numbers_exhausted")
    now = clock.now()
    ticket = Ticket.objects.create(
        centre=centre,
        category=category,
        day=today,
        number=number,
        code=f"{category.prefix}{number:03d}",
        priority=priority,
        name=name,
        id_number=id_number,
        phone=phone,
        appointment=appointment,
        issued_at=now,
        queued_at=now,
    )
    _event(ticket, CallKind.ISSUE, actor=actor, window=None)
    return ticket


def window_categories(*, window: Window, day: dt.date) -> tuple[bool, list[int]]:
    """(serves every category, the category ids) of ``window`` on ``day``: a 潮汐切换
    of the day replaces its own setting; a 综合受理 window serves all."""
    switch = (
        TidalSwitch.objects.filter(window=window, day=day, ended_at__isnull=True)
        .values_list("category_id", flat=True)
        .first()
    )
    if switch is not None:
        return False, [switch]
    if window.type == WindowType.COMPREHENSIVE:
        return True, []
    ids = list(Category.objects.filter(window_settings__window=window).values_list("pk", flat=True))
    return False, ids


def window_is_open(*, window: Window, day: dt.date) -> bool:
    return (
        window.is_active
        or TidalSwitch.objects.filter(window=window, day=day, ended_at__isnull=True).exists()
    )


def _current(window: Window, day: dt.date) -> Ticket | None:
    return (
        Ticket.objects.filter(
            window=window, day=day, state__in=(TicketState.CALLED, TicketState.SERVING)
        )
        .order_by("-called_at")
        .first()
    )


def _candidates(window: Window, day: dt.date, *, ordinary_only: bool = False):
    serves_all, ids = window_categories(window=window, day=day)
    mine = Q(target_window__isnull=True)
    if not serves_all:
        mine &= Q(category_id__in=ids)
    qs = Ticket.objects.filter(
        Q(target_window=window) | mine,
        centre_id=window.centre_id,
        day=day,
        state=TicketState.WAITING,
    )
    if ordinary_only:
        qs = qs.filter(priority="", target_window__isnull=True)
    return qs


def _priority_run(window: Window, day: dt.date) -> bool:
    """Whether the window's last ``HALL_PRIORITY_STREAK`` calls today were all 绿色通道."""
    streak = priority_streak()
    recent = list(
        Call.objects.filter(window=window, kind=CallKind.CALL, ticket__day=day)
        .order_by("-id")
        .values_list("ticket__priority", flat=True)[:streak]
    )
    return len(recent) == streak and all(recent)


_ORDER = ("-is_target", "-is_priority", "queued_at", "id")


def _pick(window: Window, day: dt.date) -> Ticket | None:
    from django.db.models import BooleanField, Case, Value, When

    annotated = {
        "is_target": Case(
            When(target_window=window, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "is_priority": Case(
            When(priority="", then=Value(False)), default=Value(True), output_field=BooleanField()
        ),
    }
    if _priority_run(window, day):
        qs = _candidates(window, day, ordinary_only=True).order_by("queued_at", "id")
        ticket = _claimable(qs)
        if ticket is not None:
            return ticket
    qs = _candidates(window, day).annotate(**annotated).order_by(*_ORDER)
    return _claimable(qs)


def _claimable(qs) -> Ticket | None:
    if connection.vendor == "postgresql":
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return qs.first()


@transaction.atomic
def call_next(*, actor, window: Window) -> Ticket | None:
    """叫号: the next ticket for ``window``, or ``None`` when nobody waits."""
    roles.require_operator(actor, window)
    today = clock.today()
    if not window_is_open(window=window, day=today):
        raise Conflict(f"{window.number}号窗口今天未开放", code="window_closed")
    current = _current(window, today)
    if current is not None:
        raise Conflict(
            f"{current.code} 号还在本窗口（{current.get_state_display()}），请先办结、转窗口或过号",
            code="window_busy",
        )
    for _ in range(8):
        ticket = _pick(window, today)
        if ticket is None:
            return None
        now = clock.now()
        claimed = Ticket.objects.filter(pk=ticket.pk, state=TicketState.WAITING).update(
            state=TicketState.CALLED,
            window=window,
            target_window=None,
            calls=1,
            first_called_at=Coalesce(F("first_called_at"), Value(now)),
            called_at=now,
            version=F("version") + 1,
        )
        if claimed:
            ticket.refresh_from_db()
            _event(ticket, CallKind.CALL, actor=actor, window=window)
            _tell_called(ticket, window)
            _tell_soon(ticket)
            return ticket
    raise Conflict("叫号繁忙，请再试一次", code="call_contention")


def _tell_soon(called: Ticket) -> None:
    """排队提醒: the person who now has ``HALL_SMS_AHEAD`` people before them in the
    called ticket's category gets one SMS to come back to the hall (when they left a
    phone number at the machine)."""
    ahead = _policy_int("HALL_SMS_AHEAD", 3)
    if ahead <= 0:
        return
    soon = (
        Ticket.objects.filter(
            centre_id=called.centre_id,
            day=called.day,
            category_id=called.category_id,
            state=TicketState.WAITING,
            target_window__isnull=True,
        )
        .order_by("queued_at", "id")
        .values("pk", "code", "name", "phone")[ahead : ahead + 1]
    )
    for row in soon:
        if not row["phone"]:
            continue
        notify(
            messages=[
                Message(
                    channel=Channel.SMS,
                    template="hall/soon",
                    to=Recipient(name=row["name"] or row["code"], phone=row["phone"]),
                    context={"code": row["code"], "ahead": ahead},
                    key=f"hall.soon:{row['pk']}",
                )
            ],
            group=f"hall.soon:{called.day}",
            ref=f"hall.ticket:{row['pk']}",
            centre_id=called.centre_id,
        )


def _tell_called(ticket: Ticket, window: Window) -> None:
    if not ticket.phone:
        return
    notify(
        messages=[
            Message(
                channel=Channel.SMS,
                template="hall/called",
                to=Recipient(name=ticket.name or ticket.code, phone=ticket.phone),
                context={"code": ticket.code, "window": window.number, "name": window.name},
                key=f"hall.called:{ticket.pk}",
            )
        ],
        group=f"hall.called:{ticket.day}",
        ref=f"hall.ticket:{ticket.pk}",
        centre_id=ticket.centre_id,
    )


def _locked(ticket: Ticket) -> Ticket:
    # of=("self",): only the ticket row is locked (PostgreSQL refuses FOR UPDATE on the
    # nullable side of the outer join to ``window``).
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("window", "category")
        .get(pk=ticket.pk)
    )
    return locked


def _at_window(actor, ticket: Ticket, *states) -> Ticket:
    ticket = _locked(ticket)
    if ticket.window is None or ticket.state not in states:
        raise Conflict(
            f"{ticket.code} 号当前{ticket.get_state_display()}，不能进行此操作",
            code="invalid_ticket_state",
        )
    roles.require_operator(actor, ticket.window)
    return ticket


def _save(ticket: Ticket, *fields: str) -> None:
    ticket.version += 1
    ticket.save(update_fields=[*fields, "version"])


@transaction.atomic
def recall(*, actor, ticket: Ticket) -> Ticket:
    """重呼: announce the called ticket again."""
    ticket = _at_window(actor, ticket, TicketState.CALLED)
    ticket.calls += 1
    ticket.called_at = clock.now()
    _save(ticket, "calls", "called_at")
    _event(ticket, CallKind.RECALL, actor=actor)
    return ticket


@transaction.atomic
def mark_no_show(*, actor, ticket: Ticket) -> Ticket:
    """过号: the person did not come after ``HALL_NO_SHOW_CALLS`` calls."""
    ticket = _at_window(actor, ticket, TicketState.CALLED)
    needed = no_show_calls()
    if ticket.calls < needed:
        raise Conflict(
            f"{ticket.code} 号已叫 {ticket.calls} 次，叫满 {needed} 次仍未到方可过号",
            code="not_called_enough",
        )
    ticket.state = TicketState.NO_SHOW
    ticket.finished_at = clock.now()
    _save(ticket, "state", "finished_at")
    _event(ticket, CallKind.NO_SHOW, actor=actor)
    return ticket


@transaction.atomic
def requeue(*, actor, ticket: Ticket) -> Ticket:
    """过号重排: a person who missed the call comes back the same day; they queue
    again at the end (the window or the 导服台)."""
    ticket = _locked(ticket)
    if ticket.state != TicketState.NO_SHOW or ticket.day != clock.today():
        raise Conflict("只有当天过号的号码可以重新排队", code="invalid_ticket_state")
    if not roles.may_issue_priority(actor, ticket.centre):
        raise PermissionDenied("请到导服台办理过号重排")
    now = clock.now()
    window = ticket.window
    ticket.state = TicketState.WAITING
    ticket.queued_at = now
    ticket.window = None
    ticket.calls = 0
    ticket.finished_at = None
    _save(ticket, "state", "queued_at", "window", "calls", "finished_at")
    _event(ticket, CallKind.REQUEUE, actor=actor, window=window)
    return ticket


@transaction.atomic
def start(*, actor, ticket: Ticket) -> Ticket:
    """开始办理: the person called sits down at the window."""
    ticket = _at_window(actor, ticket, TicketState.CALLED)
    ticket.state = TicketState.SERVING
    ticket.started_at = clock.now()
    ticket.served_by = roles.staff(actor)
    _save(ticket, "state", "started_at", "served_by")
    _event(ticket, CallKind.START, actor=actor)
    return ticket


@transaction.atomic
def finish(*, actor, ticket: Ticket) -> Ticket:
    """办理结束 (the window then calls the next person)."""
    ticket = _at_window(actor, ticket, TicketState.CALLED, TicketState.SERVING)
    now = clock.now()
    if ticket.started_at is None:
        ticket.started_at = now
        ticket.served_by = roles.staff(actor)
    ticket.state = TicketState.DONE
    ticket.finished_at = now
    _save(ticket, "state", "started_at", "served_by", "finished_at")
    _event(ticket, CallKind.FINISH, actor=actor)
    return ticket


@transaction.atomic
def transfer(*, actor, ticket: Ticket, to_window: Window, reason: str) -> Ticket:
    """转窗口: the ticket waits again, first in line for ``to_window`` only (it keeps
    its place in the queue), e.g. a 综合受理 case that needs the 公安户籍专窗."""
    reason = clean_text(reason, field="reason", label="转窗口理由", limit=200)
    ticket = _at_window(actor, ticket, TicketState.CALLED, TicketState.SERVING)
    if to_window.centre_id != ticket.centre_id or to_window.pk == ticket.window_id:
        raise ValidationFailed(
            "请选择本中心的另一个窗口", code="invalid_window", fields={"to_window": ["窗口不正确"]}
        )
    if not window_is_open(window=to_window, day=ticket.day):
        raise Conflict(f"{to_window.number}号窗口今天未开放", code="window_closed")
    source = ticket.window
    ticket.state = TicketState.WAITING
    ticket.target_window = to_window
    ticket.window = None
    ticket.calls = 0
    _save(ticket, "state", "target_window", "window", "calls")
    _event(
        ticket,
        CallKind.TRANSFER,
        actor=actor,
        window=source,
        note=f"转至{to_window.number}号窗口：{reason}",
    )
    return ticket


@transaction.atomic
def cancel(*, actor, ticket: Ticket, reason: str = "") -> Ticket:
    """取消: the person gave up (导服台, or the window for the ticket it called)."""
    ticket = _locked(ticket)
    if ticket.state not in OPEN_STATES:
        raise Conflict("该号码已结束", code="invalid_ticket_state")
    allowed = (
        roles.may_operate(actor, ticket.window)
        if ticket.window is not None
        else roles.may_issue_priority(actor, ticket.centre)
    )
    if not allowed:
        raise PermissionDenied("您不能取消该号码")
    ticket.state = TicketState.CANCELLED
    ticket.finished_at = clock.now()
    _save(ticket, "state", "finished_at")
    _event(ticket, CallKind.CANCEL, actor=actor, note=reason)
    return ticket


@transaction.atomic
def link_case(*, ticket: Ticket, case) -> None:
    """The case the window started for the person it serves (``cases`` desk hook)."""
    Ticket.objects.filter(pk=ticket.pk, case__isnull=True).update(case=case)


@transaction.atomic
def close_day(*, day: dt.date) -> dict[str, int]:
    """The morning run closes what the hall left open before ``day``: tickets never
    called are cancelled, called ones are 过号, those being served are done; booked
    appointments of past days are 爽约 (missed)."""
    now = clock.now()
    past = Ticket.objects.filter(day__lt=day)
    out = {
        "cancelled": past.filter(state=TicketState.WAITING).update(
            state=TicketState.CANCELLED, finished_at=now
        ),
        "no_show": past.filter(state=TicketState.CALLED).update(
            state=TicketState.NO_SHOW, finished_at=now
        ),
        "done": past.filter(state=TicketState.SERVING).update(state=TicketState.DONE),
        "missed": Appointment.objects.filter(
            slot__day__lt=day, state=AppointmentState.BOOKED
        ).update(state=AppointmentState.MISSED),
    }
    return out


# --------------------------------------------------------------------------- settings


@transaction.atomic
def save_category(*, actor, centre, data: dict, category: Category | None = None) -> Category:
    """业务类别 (centre administrator): prefix letter, name, kind and what it covers."""
    roles.require_floor_manager(actor, centre)
    prefix = clean_text(data.get("prefix"), field="prefix", label="号码字头", limit=1).upper()
    if not ("A" <= prefix <= "Z"):
        raise ValidationFailed(
            "号码字头为一个大写字母", code="invalid_prefix", fields={"prefix": ["A–Z"]}
        )
    name = clean_text(data.get("name"), field="name", label="名称", limit=50)
    kind = data.get("kind") or CategoryKind.GENERAL
    if kind not in CategoryKind.values:
        raise ValidationFailed("类别不正确", code="invalid_kind", fields={"kind": ["类别不正确"]})
    taken = Category.objects.filter(centre=centre, prefix=prefix)
    if category is not None:
        taken = taken.exclude(pk=category.pk)
    if taken.exists():
        raise Conflict(f"号码字头 {prefix} 已被使用", code="prefix_taken")
    before = None
    if category is None:
        category = Category(centre=centre)
    else:
        before = {"prefix": category.prefix, "name": category.name, "kind": category.kind}
    category.prefix = prefix
    category.name = name
    category.kind = kind
    category.department = data.get("department")
    category.life_event = data.get("life_event")
    category.description = clean_text(
        data.get("description"), field="description", label="说明", limit=200, required=False
    )
    category.order = int(data.get("order") or 0) % 1000
    category.is_active = bool(data.get("is_active", True))
    category.save()
    if "items" in data:
        category.items.set(data["items"])
    audit.record(
        actor=actor,
        action=SAVE_CATEGORY,
        obj=category,
        changes={"before": before, "after": {"prefix": prefix, "name": name, "kind": kind}},
        reason=data.get("reason", ""),
    )
    return category


@transaction.atomic
def set_window_categories(*, actor, window: Window, categories, reason: str = "") -> WindowSetting:
    roles.require_floor_manager(actor, window.centre)
    categories = list(categories)
    if any(c.centre_id != window.centre_id for c in categories):
        raise ValidationFailed("只能选择本中心的业务类别", code="invalid_category")
    setting, _ = WindowSetting.objects.get_or_create(window=window)
    before = sorted(setting.categories.values_list("prefix", flat=True))
    setting.categories.set(categories)
    audit.record(
        actor=actor,
        action=SET_WINDOW,
        obj=window,
        changes={"before": before, "after": sorted(c.prefix for c in categories)},
        reason=reason,
    )
    return setting


@transaction.atomic
def switch_window(*, actor, window: Window, category: Category, reason: str) -> TidalSwitch:
    """潮汐窗口: ``window`` serves ``category`` for the rest of today."""
    roles.require_floor_manager(actor, window.centre)
    reason = clean_text(reason, field="reason", label="切换理由", limit=200)
    if category.centre_id != window.centre_id:
        raise ValidationFailed("只能切换为本中心的业务类别", code="invalid_category")
    today = clock.today()
    TidalSwitch.objects.filter(window=window, day=today, ended_at__isnull=True).update(
        ended_at=clock.now()
    )
    switch = TidalSwitch.objects.create(
        window=window,
        category=category,
        day=today,
        reason=reason,
        switched_by=roles.staff(actor),
        switched_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action=SWITCH_WINDOW,
        obj=window,
        changes={"category": category.prefix, "day": today.isoformat()},
        reason=reason,
    )
    return switch


@transaction.atomic
def end_switch(*, actor, window: Window, reason: str = "") -> int:
    roles.require_floor_manager(actor, window.centre)
    ended = TidalSwitch.objects.filter(
        window=window, day=clock.today(), ended_at__isnull=True
    ).update(ended_at=clock.now())
    if ended:
        audit.record(actor=actor, action=END_SWITCH, obj=window, reason=reason or "恢复原服务类别")
    return ended


# --------------------------------------------------------------------------- appointments


def _check_times(starts_at: dt.time, ends_at: dt.time) -> None:
    if (
        not (isinstance(starts_at, dt.time) and isinstance(ends_at, dt.time))
        or ends_at <= starts_at
    ):
        raise ValidationFailed(
            "时段的结束时间应晚于开始时间", code="invalid_times", fields={"ends_at": ["时间不正确"]}
        )


def _capacity(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 500:
        raise ValidationFailed(
            "可预约人数为 1–500", code="invalid_capacity", fields={"capacity": ["1–500"]}
        )
    return value


@transaction.atomic
def open_slots(
    *,
    actor,
    category: Category,
    start: dt.date,
    end: dt.date,
    times: list[tuple[dt.time, dt.time]],
    capacity: int,
) -> int:
    """Regular slots for ``category`` from ``start`` to ``end``, on **working days
    only** (the centre's calendar: a public holiday has none, a make-up Saturday has
    them). Existing slots are kept. Returns the number opened."""
    roles.require_floor_manager(actor, category.centre)
    capacity = _capacity(capacity)
    if end < start or (end - start).days > 92:
        raise ValidationFailed("日期范围不正确（最长 3 个月）", code="invalid_range")
    for s, e in times:
        _check_times(s, e)
    existing = set(
        Slot.objects.filter(category=category, day__range=(start, end)).values_list(
            "day", "starts_at"
        )
    )
    rows = []
    day = start
    while day <= end:
        if calendar.is_workday(day=day):
            for s, e in times:
                if (day, s) not in existing:
                    rows.append(
                        Slot(
                            centre_id=category.centre_id,
                            category=category,
                            day=day,
                            starts_at=s,
                            ends_at=e,
                            kind=SlotKind.REGULAR,
                            capacity=capacity,
                        )
                    )
        day += dt.timedelta(days=1)
    Slot.objects.bulk_create(rows)
    if rows:
        audit.record(
            actor=actor,
            action=OPEN_SLOTS,
            obj=category,
            changes={"from": start.isoformat(), "to": end.isoformat(), "slots": len(rows)},
        )
    return len(rows)


@transaction.atomic
def open_extra_slot(
    *,
    actor,
    category: Category,
    day: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    capacity: int,
    kind: str,
) -> Slot:
    """延时服务 (after hours on a working day) or 周末服务 (a rest day) that the centre
    opens (seed 2 §16)."""
    roles.require_floor_manager(actor, category.centre)
    _check_times(starts_at, ends_at)
    capacity = _capacity(capacity)
    workday = calendar.is_workday(day=day)
    if kind == SlotKind.WEEKEND and workday:
        raise ValidationFailed("周末服务时段应设在休息日", code="not_rest_day")
    if kind == SlotKind.EXTENDED and not workday:
        raise ValidationFailed("延时服务时段应设在工作日", code="not_working_day")
    if kind not in (SlotKind.WEEKEND, SlotKind.EXTENDED):
        raise ValidationFailed("时段类型不正确", code="invalid_kind")
    try:
        with transaction.atomic():
            slot = Slot.objects.create(
                centre_id=category.centre_id,
                category=category,
                day=day,
                starts_at=starts_at,
                ends_at=ends_at,
                kind=kind,
                capacity=capacity,
            )
    except IntegrityError:
        raise Conflict("该时段已存在", code="slot_exists") from None
    audit.record(
        actor=actor,
        action=OPEN_SLOTS,
        obj=category,
        changes={"day": day.isoformat(), "kind": kind, "capacity": capacity},
    )
    return slot


@transaction.atomic
def close_slot(*, actor, slot: Slot, reason: str) -> Slot:
    """Closes a slot for new bookings (those booked keep theirs)."""
    roles.require_floor_manager(actor, slot.centre)
    reason = clean_text(reason, field="reason", label="理由", limit=200)
    slot.is_open = False
    slot.save(update_fields=["is_open"])
    audit.record(actor=actor, action=CLOSE_SLOT, obj=slot, reason=reason)
    return slot


def _slot_start(slot: Slot) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(slot.day, slot.starts_at))


def _slot_end(slot: Slot) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(slot.day, slot.ends_at))


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


@transaction.atomic
def book(
    *,
    actor,
    slot: Slot,
    name: str,
    id_number: str,
    phone: str,
    item=None,
    channel: str = AppointmentChannel.ONLINE,
    note: str = "",
) -> Appointment:
    """预约 a place in ``slot``. Refused when the slot is full (one conditional UPDATE
    holds the capacity, also under concurrent bookings), past, closed, on a day the
    calendar no longer has as a working day (a regular slot), or beyond
    ``HALL_BOOKING_DAYS`` ahead; one booking per person, category and day."""
    if channel not in AppointmentChannel.values:
        raise ValidationFailed("预约渠道不正确", code="invalid_channel")
    if channel != AppointmentChannel.ONLINE and not roles.may_book_for_caller(actor, slot.centre):
        raise PermissionDenied("电话预约由中心工作人员登记")
    name = clean_text(name, field="name", label="姓名", limit=50)
    id_number = _clean_id(id_number, required=True)
    phone = _clean_phone(phone, required=True)
    note = clean_text(note, field="note", label="备注", limit=200, required=False)
    now = clock.now()
    if not slot.is_open:
        raise Conflict("该时段已关闭预约", code="slot_closed")
    if _slot_start(slot) <= now:
        raise Conflict("该时段已开始或已过，请选择以后的时段", code="slot_past")
    ahead = _policy_int("HALL_BOOKING_DAYS", 14)
    if (slot.day - clock.today()).days > ahead:
        raise Conflict(f"只能预约 {ahead} 天内的时段", code="slot_too_far")
    if slot.kind == SlotKind.REGULAR and not calendar.is_workday(day=slot.day):
        raise Conflict("该日为法定节假日或休息日，不办公", code="slot_not_working_day")
    if (
        item is not None
        and slot.category.items.exists()
        and not slot.category.items.filter(pk=item.pk).exists()
    ):
        raise ValidationFailed("所选事项不属于该业务类别", code="invalid_item")
    if Appointment.objects.filter(
        id_number=id_number,
        slot__category=slot.category,
        slot__day=slot.day,
        state=AppointmentState.BOOKED,
    ).exists():
        raise Conflict("您当天已预约该类业务，无需重复预约", code="already_booked")
    taken = Slot.objects.filter(pk=slot.pk, is_open=True, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    )
    if not taken:
        raise Conflict("该时段已约满，请选择其他时段", code="slot_full")
    appointment = None
    for _ in range(10):
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    slot=slot,
                    code=_new_code(),
                    channel=channel,
                    name=name,
                    id_number=id_number,
                    phone=phone,
                    item=item,
                    note=note,
                    booked_at=now,
                    booked_by=_actor_name(actor),
                )
            break
        except IntegrityError:
            continue
    if appointment is None:
        raise Conflict("预约繁忙，请再试一次", code="booking_contention")
    audit.record(
        actor=actor,
        action=BOOK,
        obj=appointment,
        changes={"slot": slot.pk, "day": slot.day.isoformat(), "channel": channel},
    )
    notify(
        messages=[
            Message(
                channel=Channel.SMS,
                template="hall/booked",
                to=Recipient(name=name, phone=phone),
                context={
                    "code": appointment.code,
                    "category": slot.category.name,
                    "day": slot.day.isoformat(),
                    "time": f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}",
                },
                key=f"hall.booked:{appointment.pk}",
            )
        ],
        group=f"hall.booked:{slot.day}",
        ref=f"hall.appointment:{appointment.pk}",
        centre_id=slot.centre_id,
    )
    return appointment


def _appointment(code: str) -> Appointment:
    code = clean_text(code, field="code", label="预约码", limit=6)
    found = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot__category__centre")
        .filter(code=code)
        .first()
    )
    if found is None:
        raise NotFound("没有找到该预约码", code="appointment_not_found")
    return found


@transaction.atomic
def cancel_appointment(*, actor, code: str, phone_tail: str = "", reason: str = "") -> Appointment:
    """取消预约: by the person (the code and the phone's last 4 digits) or by staff."""
    appointment = _appointment(code)
    is_staff = roles.may_book_for_caller(actor, appointment.slot.centre)
    if not is_staff and (not phone_tail or not appointment.phone.endswith(str(phone_tail))):
        raise NotFound("没有找到该预约码", code="appointment_not_found")
    if appointment.state != AppointmentState.BOOKED:
        raise Conflict(
            f"该预约{appointment.get_state_display()}，不能取消", code="invalid_appointment_state"
        )
    appointment.state = AppointmentState.CANCELLED
    appointment.cancelled_at = clock.now()
    appointment.save(update_fields=["state", "cancelled_at"])
    Slot.objects.filter(pk=appointment.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    audit.record(actor=actor, action=CANCEL_APPOINTMENT, obj=appointment, reason=reason)
    return appointment


@transaction.atomic
def check_in(*, actor, code: str) -> Ticket:
    """预约签到 at the ticket machine: the code gives a 预约 priority ticket from
    ``HALL_CHECKIN_EARLY_MINUTES`` before the slot to ``HALL_CHECKIN_LATE_MINUTES`` after
    its end; outside that the person takes an ordinary ticket."""
    appointment = _appointment(code)
    slot = appointment.slot
    if appointment.state != AppointmentState.BOOKED:
        raise Conflict(
            f"该预约{appointment.get_state_display()}，不能签到", code="invalid_appointment_state"
        )
    now = clock.now()
    early = dt.timedelta(minutes=_policy_int("HALL_CHECKIN_EARLY_MINUTES", 30))
    late = dt.timedelta(minutes=_policy_int("HALL_CHECKIN_LATE_MINUTES", 15))
    if not (_slot_start(slot) - early <= now <= _slot_end(slot) + late):
        raise Conflict(
            f"预约时段为 {slot.day:%m月%d日} {slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}，"
            "不在签到时间内，请取普通号",
            code="check_in_closed",
        )
    ticket = issue_ticket(
        actor=actor,
        category=slot.category,
        priority=Priority.APPOINTMENT,
        name=appointment.name,
        id_number=appointment.id_number,
        phone=appointment.phone,
        appointment=appointment,
    )
    appointment.state = AppointmentState.CHECKED_IN
    appointment.checked_in_at = now
    appointment.save(update_fields=["state", "checked_in_at"])
    return ticket
