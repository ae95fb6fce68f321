"""The demo county centre's hall (issue 15): 业务类别 A–G, the department windows'
categories, two weeks of 预约时段 (working days by the calendar) with a 延时 and a
周末 slot, appointments in every state, four weeks of past tickets for the
statistics, and **this morning's queue** from 08:30: people called and served, one
being served at window 01 by ``clerk`` (the window desk opens with that person's
data), a 转窗口, a 过号, 绿色通道 (an elderly person by ID number, a disabled person
given it at the 导服台), a 公安户籍 line long enough that the floor page suggests a
潮汐窗口, and window 15 switched to it.

Everything is written through ``services`` with the clock placed by
``clock.frozen`` (never after now: a load in the early morning puts this morning's
queue at the load's time). Loading twice changes nothing: the second load finds the
categories and returns ``{}``."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.catalog.models import Item, ItemStatus, LifeEvent
from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.core.errors import Conflict
from govhall.org.models import Centre, Department, Staff, Window
from govhall.testing.factories import make_id_number

from . import services
from .models import Category, Slot, SlotKind

CENTRE = "150626"
PAST_DAYS = 28
PAST_PER_DAY = 6
SLOT_TIMES = [
    (dt.time(9, 0), dt.time(10, 0)),
    (dt.time(10, 0), dt.time(11, 0)),
    (dt.time(14, 30), dt.time(15, 30)),
    (dt.time(15, 30), dt.time(16, 30)),
]
NAMES = (
    "王秀英 李建国 张桂兰 刘志强 陈海燕 杨文军 赵丽华 黄永明 周淑珍 吴晓东 徐春梅 孙浩然".split()
)
# (prefix, name, kind, department short name, life event code, description)
CATEGORIES = [
    ("A", "综合业务", "general", None, None, "综合受理窗口无差别受理各类事项"),
    ("B", "公安户籍", "department", "公安局", None, "户口迁移、身份证申领等"),
    ("C", "车驾管", "department", "公安局", None, "驾驶证、机动车登记业务"),
    ("D", "税务", "department", "税务局", None, "发票领用、税费申报"),
    ("E", "不动产登记", "department", "自然资源局", None, "不动产登记及查询"),
    ("F", "企业开办", "life_event", None, "kaiban", "营业执照、公章、发票、社保一次办"),
    ("G", "有诉即办/咨询", "general", None, None, "“办不成事”反映、政策咨询"),
]
WINDOW_CATEGORIES = {"05": "B", "06": "C", "07": "D", "08": "D", "09": "E", "10": "E"}
WINDOW_CATEGORIES.update({"13": "G", "14": "A"})
BOOKABLE = ("A", "B", "D", "E", "F")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _not_after_now(at: dt.datetime) -> dt.datetime:
    return min(at, clock.now())


class _Hall:
    def __init__(self, centre: Centre):
        self.centre = centre
        self.admin = Staff.objects.get(user__username="admin").user
        self.windows = {w.number: w for w in Window.objects.filter(centre=centre)}
        self.clerks = {
            s.window.number: s.user
            for s in Staff.objects.filter(centre=centre, window__isnull=False, is_active=True)
            .select_related("window", "user")
            .order_by("pk")
        }
        self.serial = 500
        self.counts: Counter = Counter()

    def operator(self, number: str):
        """The window's own clerk, or the centre administrator (大厅管理) for a
        department window without an account in the demo."""
        return self.clerks.get(number, self.admin)

    def person(self, birth: str = "19850312") -> dict:
        self.serial += 1
        return {
            "name": NAMES[self.serial % len(NAMES)],
            "id_number": make_id_number(self.serial, birth=birth),
            "phone": f"139{self.serial:08d}",
        }


def _categories(hall: _Hall) -> dict[str, Category]:
    out = {}
    for order, (prefix, name, kind, dept, event, description) in enumerate(CATEGORIES):
        department = Department.objects.filter(short_name=dept).first() if dept else None
        life_event = LifeEvent.objects.filter(code=event).first() if event else None
        items = Item.objects.none()
        if department is not None:
            items = Item.objects.filter(department=department, status=ItemStatus.ACTIVE)
        elif life_event is not None:
            items = Item.objects.filter(life_events=life_event, status=ItemStatus.ACTIVE)
        if kind == "life_event" and life_event is None:
            kind = "general"
        out[prefix] = services.save_category(
            actor=hall.admin,
            centre=hall.centre,
            data={
                "prefix": prefix,
                "name": name,
                "kind": kind,
                "department": department,
                "life_event": life_event,
                "description": description,
                "order": order,
                "items": list(items.order_by("pk")[:30]),
                "reason": "演示数据：取号机业务类别",
            },
        )
    for number, prefix in WINDOW_CATEGORIES.items():
        if number in hall.windows:
            services.set_window_categories(
                actor=hall.admin,
                window=hall.windows[number],
                categories=[out[prefix]],
                reason="演示数据：窗口服务类别",
            )
    return out


def _serve(hall: _Hall, number: str, at: dt.datetime, minutes: int, *, finish=True):
    """Window ``number`` calls its next ticket at ``at``, starts, and (``finish``)
    finishes ``minutes`` later."""
    window, actor = hall.windows[number], hall.operator(number)
    with clock.frozen(_not_after_now(at)):
        ticket = services.call_next(actor=actor, window=window)
        if ticket is None:
            return None
        ticket = services.start(actor=actor, ticket=ticket)
    if finish:
        with clock.frozen(_not_after_now(at + dt.timedelta(minutes=minutes))):
            ticket = services.finish(actor=actor, ticket=ticket)
        hall.counts["tickets_served"] += 1
    return ticket


def _past(hall: _Hall, cats: dict[str, Category], rng: random.Random) -> None:
    """Four weeks of tickets, a few a day, each issued, called and served (one 过号
    now and then), so that the statistics have weeks of data."""
    windows = {"A": "01", "B": "05", "C": "06", "D": "07", "E": "09", "F": "04", "G": "13"}
    today = clock.today()
    for back in range(PAST_DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        if not calendar.is_workday(day=day):
            continue
        for i in range(PAST_PER_DAY):
            prefix = rng.choice("AAABBCDEEFG")
            issued = _at(day, 8, 40) + dt.timedelta(minutes=55 * i + rng.randint(0, 20))
            with clock.frozen(issued):
                services.issue_ticket(actor=Applicant("取号人"), category=cats[prefix])
            hall.counts["past_tickets"] += 1
            called = issued + dt.timedelta(minutes=rng.randint(2, 40))
            number = windows[prefix]
            if i == 3 and back % 5 == 0:  # 过号: called three times, nobody came
                window, actor = hall.windows[number], hall.operator(number)
                with clock.frozen(called):
                    ticket = services.call_next(actor=actor, window=window)
                    for _ in range(services.no_show_calls() - 1):
                        services.recall(actor=actor, ticket=ticket)
                    services.mark_no_show(actor=actor, ticket=ticket)
                continue
            _serve(hall, number, called, rng.randint(5, 25))


def _slots(hall: _Hall, cats: dict[str, Category]) -> dict[str, Slot | None]:
    today = clock.today()
    with clock.frozen(_not_after_now(_at(today, 7, 30)) - dt.timedelta(days=PAST_DAYS + 1)):
        for prefix in BOOKABLE:
            hall.counts["slots"] += services.open_slots(
                actor=hall.admin,
                category=cats[prefix],
                start=today - dt.timedelta(days=7),
                end=today + dt.timedelta(days=13),
                times=SLOT_TIMES,
                capacity=4,
            )
    extended_day = next(
        today + dt.timedelta(days=n)
        for n in range(1, 30)
        if calendar.is_workday(day=today + dt.timedelta(days=n))
    )
    weekend_day = next(
        today + dt.timedelta(days=n)
        for n in range(0, 30)
        if not calendar.is_workday(day=today + dt.timedelta(days=n))
    )
    out = {}
    with clock.frozen(_not_after_now(_at(today, 7, 30))):
        out["extended"] = services.open_extra_slot(
            actor=hall.admin,
            category=cats["A"],
            day=extended_day,
            starts_at=dt.time(17, 30),
            ends_at=dt.time(19, 0),
            capacity=6,
            kind=SlotKind.EXTENDED,
        )
        out["weekend"] = services.open_extra_slot(
            actor=hall.admin,
            category=cats["A"],
            day=weekend_day,
            starts_at=dt.time(9, 0),
            ends_at=dt.time(12, 0),
            capacity=10,
            kind=SlotKind.WEEKEND,
        )
    hall.counts["slots"] += 2
    return out


def _book(hall: _Hall, slot: Slot, at: dt.datetime, **person):
    with clock.frozen(at):
        appointment = services.book(
            actor=Applicant(person["name"]), slot=slot, note="演示预约", **person
        )
    hall.counts["appointments"] += 1
    return appointment


def _appointments(hall: _Hall, cats: dict[str, Category], extra: dict) -> None:
    """Past appointments checked in (and served) or missed (爽约); future ones booked,
    one cancelled; the 延时 and 周末 slots with bookings."""
    today = clock.today()
    past = Slot.objects.filter(
        centre=hall.centre, kind=SlotKind.REGULAR, day__lt=today, starts_at=dt.time(9, 0)
    ).order_by("day", "category__prefix")
    for n, slot in enumerate(past):
        if n % 3:
            continue
        person = hall.person()
        appointment = _book(hall, slot, _at(slot.day, 8, 0) - dt.timedelta(days=1), **person)
        if n % 2:
            continue  # 爽约 when the morning run closes the day
        with clock.frozen(_at(slot.day, 8, 50)):
            services.check_in(actor=Applicant(person["name"]), code=appointment.code)
        number = {"A": "01", "B": "05", "D": "07", "E": "09", "F": "04"}[slot.category.prefix]
        _serve(hall, number, _at(slot.day, 9, 5), 15)
    future = Slot.objects.filter(
        centre=hall.centre, kind=SlotKind.REGULAR, day__gt=today, starts_at__in=[dt.time(9, 0)]
    ).order_by("day", "category__prefix")[:12]
    now = clock.now()
    for n, slot in enumerate(future):
        person = hall.person()
        appointment = _book(hall, slot, now - dt.timedelta(minutes=30 - n), **person)
        if n == 2:
            with clock.frozen(now - dt.timedelta(minutes=5)):
                services.cancel_appointment(
                    actor=Applicant(person["name"]),
                    code=appointment.code,
                    phone_tail=person["phone"][-4:],
                    reason="行程有变",
                )
            hall.counts["appointments_cancelled"] += 1
    for slot in extra.values():
        if (
            slot is not None
            and timezone.make_aware(dt.datetime.combine(slot.day, slot.starts_at)) > now
        ):
            _book(hall, slot, now - dt.timedelta(minutes=20), **hall.person())
    with clock.frozen(now):
        closed = services.close_day(day=today)
    hall.counts["appointments_missed"] += closed["missed"]


def _this_morning(hall: _Hall, cats: dict[str, Category]) -> None:
    today = clock.today()
    now = clock.now()
    start = min(_at(today, 8, 30), now)
    span = max(dt.timedelta(minutes=1), min(now, _at(today, 11, 30)) - start)

    def moment(fraction: float) -> dt.datetime:
        return _not_after_now(start + span * fraction)

    plan = list("AABAEBDBAFBBCAGBBEBABDBBABBBBEBBBBABBBBBBBBBBB")  # 公安户籍 busy
    issued = 0
    for i, prefix in enumerate(plan):
        with clock.frozen(moment(0.45 * i / len(plan))):
            services.issue_ticket(actor=Applicant("取号人"), category=cats[prefix], **hall.person())
        issued += 1
    # 绿色通道: an elderly person by ID number (自动识别), a disabled person at the 导服台
    with clock.frozen(moment(0.46)):
        elderly = services.issue_ticket(
            actor=Applicant("取号人"), category=cats["A"], **hall.person(birth="19520415")
        )
        disabled = services.issue_ticket(
            actor=hall.clerks.get("17", hall.admin),
            category=cats["A"],
            priority="disabled",
            **hall.person(),
        )
    hall.counts["green_channel"] += int(bool(elderly.priority)) + int(bool(disabled.priority))
    issued += 2
    hall.counts["tickets_today"] += issued

    # windows 02, 03 and the department windows serve; the elderly and disabled
    # persons are called first (绿色通道) at 02 and 03
    for k, number in enumerate(["02", "03", "02", "03", "05", "07", "09", "05"]):
        _serve(hall, number, moment(0.5 + 0.04 * k), 6)
    # 转窗口: 04 calls an 综合 ticket that needs 不动产登记 and sends it to window 09
    window04, clerk4 = hall.windows["04"], hall.operator("04")
    with clock.frozen(moment(0.82)):
        ticket = services.call_next(actor=clerk4, window=window04)
        if ticket is not None:
            services.transfer(
                actor=clerk4,
                ticket=ticket,
                to_window=hall.windows["09"],
                reason="涉及不动产转移登记，请到不动产登记专窗",
            )
            hall.counts["transfers"] += 1
    # 过号 at 02: called three times, nobody came
    window02, clerk2 = hall.windows["02"], hall.operator("02")
    with clock.frozen(moment(0.85)):
        ticket = services.call_next(actor=clerk2, window=window02)
        if ticket is not None:
            for _ in range(services.no_show_calls() - 1):
                services.recall(actor=clerk2, ticket=ticket)
            services.mark_no_show(actor=clerk2, ticket=ticket)
            hall.counts["no_shows"] += 1
    # 潮汐窗口: window 15 switched to the 公安户籍 line, its clerk serving one now
    with clock.frozen(moment(0.88)):
        services.switch_window(
            actor=hall.admin,
            window=hall.windows["15"],
            category=cats["B"],
            reason="公安户籍等候人数较多，潮汐窗口一临时切换",
        )
    hall.counts["tidal_switches"] += 1
    _serve(hall, "15", moment(0.9), 0, finish=False)
    # window 01: clerk calls the next person and starts serving (the desk opens with
    # that person's name, ID number and phone)
    with clock.frozen(moment(0.95)):
        services.issue_ticket(actor=Applicant("取号人"), category=cats["A"], **hall.person())
    hall.counts["tickets_today"] += 1
    _serve(hall, "01", moment(1.0), 0, finish=False)


def load_demo_hall() -> dict[str, int]:
    centre = Centre.objects.filter(code=CENTRE).first()
    if centre is None or Category.objects.filter(centre=centre).exists():
        return {}
    hall = _Hall(centre)
    rng = random.Random(15)
    today = clock.today()
    with clock.frozen(_not_after_now(_at(today, 7, 0)) - dt.timedelta(days=PAST_DAYS + 2)):
        cats = _categories(hall)
    hall.counts["categories"] = len(cats)
    _past(hall, cats, rng)
    extra = _slots(hall, cats)
    _appointments(hall, cats, extra)
    try:
        if services.hall_open_on(centre=centre, day=today):
            _this_morning(hall, cats)
    except Conflict as exc:  # a demo loaded on a closed day has no queue this morning
        hall.counts[f"skipped_{exc.code}"] += 1
    return dict(hall.counts)
