"""Reads of the hall: the queue as the screens and the windows see it, appointments
and the statistics (等候时长、办理时长 by category, window and hour) that feed
supervision and the staff appraisal. A fixed number of queries each."""

from __future__ import annotations

import datetime as dt
import statistics as stats
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from govhall.catalog.models import Item
from govhall.core import clock
from govhall.org.models import Centre, Window, WindowType

from . import services
from .models import (
    ANNOUNCED,
    Appointment,
    AppointmentState,
    Call,
    CallKind,
    Category,
    CategoryKind,
    Slot,
    SlotKind,
    Ticket,
    TicketState,
    TidalSwitch,
)

RECENT_CALLS = 8


def centre_by_code(code: str) -> Centre | None:
    if not isinstance(code, str) or not code.isdigit() or len(code) > 12:
        return None
    return Centre.objects.filter(code=code, is_active=True).first()


def categories(*, centre: Centre, active_only: bool = True):
    qs = Category.objects.filter(centre=centre).select_related("department", "life_event")
    return qs.filter(is_active=True) if active_only else qs


def category(*, centre: Centre, pk) -> Category | None:
    if not isinstance(pk, int):
        return None
    return Category.objects.filter(centre=centre, pk=pk, is_active=True).first()


def categories_for_items(*, centre: Centre, items: list) -> list[dict]:
    """The active categories of ``centre`` that serve ``items`` (the finder's hits,
    best first). A category that lists items serves those; one that lists none
    serves its department's (按部门) or its 主题's (按主题) items. Items no category
    serves go to the first 综合业务 category (无差别受理), when there is one.

    Each ``{"c": category, "items": [Item, …]}``, in the order of the best item it
    serves, then the category's own order."""
    if not items:
        return []
    item_ids = [i.pk for i in items]
    events: dict[int, set[int]] = defaultdict(set)
    for item_id, event_id in Item.life_events.through.objects.filter(
        item_id__in=item_ids
    ).values_list("item_id", "lifeevent_id"):
        events[event_id].add(item_id)
    cats = list(categories(centre=centre).annotate(listed=Count("items")))
    listed: dict[int, set[int]] = defaultdict(set)
    for category_id, item_id in Category.items.through.objects.filter(
        category__in=[c.pk for c in cats if c.listed], item_id__in=item_ids
    ).values_list("category_id", "item_id"):
        listed[category_id].add(item_id)
    rank = {pk: n for n, pk in enumerate(item_ids)}
    out, covered = [], set()
    for c in cats:
        if c.listed:
            served = listed.get(c.pk, set())
        elif c.kind == CategoryKind.DEPARTMENT and c.department_id:
            served = {i.pk for i in items if i.department_id == c.department_id}
        elif c.kind == CategoryKind.LIFE_EVENT and c.life_event_id:
            served = events.get(c.life_event_id, set())
        else:
            continue
        if served:
            covered |= served
            out.append({"c": c, "items": [i for i in items if i.pk in served]})
    left = [i for i in items if i.pk not in covered]
    general = next((c for c in cats if c.kind == CategoryKind.GENERAL and not c.listed), None)
    if left and general is not None:
        out.append({"c": general, "items": left})
    out.sort(key=lambda r: (min(rank[i.pk] for i in r["items"]), r["c"].order, r["c"].prefix))
    return out


def ticket(*, pk) -> Ticket | None:
    if not isinstance(pk, int):
        return None
    return (
        Ticket.objects.select_related("category", "window", "centre", "appointment__item")
        .filter(pk=pk)
        .first()
    )


def waiting_counts(*, centre: Centre, day: dt.date | None = None) -> dict[int, int]:
    """Waiting tickets per category id today."""
    day = day or clock.today()
    rows = (
        Ticket.objects.filter(centre=centre, day=day, state=TicketState.WAITING)
        .values("category_id")
        .annotate(n=Count("id"))
    )
    return {r["category_id"]: r["n"] for r in rows}


def waiting_ahead(*, ticket: Ticket) -> int:
    """People waiting before ``ticket`` in its category (绿色通道 counted as ahead)."""
    return (
        Ticket.objects.filter(
            centre_id=ticket.centre_id,
            day=ticket.day,
            category_id=ticket.category_id,
            state=TicketState.WAITING,
        )
        .filter(
            Q(queued_at__lt=ticket.queued_at)
            | Q(queued_at=ticket.queued_at, pk__lt=ticket.pk)
            | (~Q(priority="") & ~Q(pk=ticket.pk))
        )
        .count()
    )


def open_windows(*, centre: Centre, day: dt.date | None = None) -> list[Window]:
    day = day or clock.today()
    switched = set(
        TidalSwitch.objects.filter(
            window__centre=centre, day=day, ended_at__isnull=True
        ).values_list("window_id", flat=True)
    )
    return [
        w
        for w in Window.objects.filter(centre=centre).order_by("number")
        if w.is_active or w.pk in switched
    ]


def current_at(*, window: Window, day: dt.date | None = None) -> Ticket | None:
    day = day or clock.today()
    return (
        Ticket.objects.filter(
            window=window, day=day, state__in=(TicketState.CALLED, TicketState.SERVING)
        )
        .select_related("category", "appointment__item")
        .order_by("-called_at")
        .first()
    )


def waiting_for(*, window: Window, day: dt.date | None = None) -> int:
    day = day or clock.today()
    return services._candidates(window, day).count()


def board(*, centre: Centre) -> dict:
    """The calling screen: the latest calls, what each window shows, waiting counts."""
    day = clock.today()
    recent = list(
        Call.objects.filter(centre=centre, kind__in=ANNOUNCED, ticket__day=day)
        .order_by("-id")
        .values("id", "code", "window_number", "at")[:RECENT_CALLS]
    )
    counts = waiting_counts(centre=centre, day=day)
    cats = [
        {"prefix": c.prefix, "name": c.name, "waiting": counts.get(c.pk, 0)}
        for c in categories(centre=centre)
    ]
    last = Call.objects.filter(centre=centre).order_by("-id").values_list("id", flat=True).first()
    return {"recent": recent, "categories": cats, "last_id": last or 0}


def events_after(*, centre: Centre, after: int, limit: int = 50) -> list[dict]:
    """Calls (and the other steps) after id ``after``: the screens' stream. Nothing
    personal: a ticket code and a window number."""
    rows = (
        Call.objects.filter(centre=centre, id__gt=max(0, after))
        .order_by("id")
        .values("id", "kind", "code", "window_number", "at")[:limit]
    )
    return [
        {
            "id": r["id"],
            "kind": r["kind"],
            "code": r["code"],
            "window": r["window_number"],
            "at": timezone.localtime(r["at"]).strftime("%H:%M:%S"),
        }
        for r in rows
    ]


def latest_event_id(*, centre: Centre) -> int:
    return (
        Call.objects.filter(centre=centre).order_by("-id").values_list("id", flat=True).first() or 0
    )


def tidal_suggestions(*, centre: Centre) -> list[dict]:
    """潮汐窗口 (seed 2 §18): categories whose waiting line is at least
    ``HALL_TIDAL_WAITING`` per window serving them, and the windows that could be
    switched (tidal windows not switched today first, then idle windows)."""
    day = clock.today()
    threshold = services._policy_int("HALL_TIDAL_WAITING", 10) or 10
    counts = waiting_counts(centre=centre, day=day)
    windows = open_windows(centre=centre, day=day)
    closed_tidal = list(
        Window.objects.filter(centre=centre, type=WindowType.TIDAL).exclude(
            pk__in=[w.pk for w in windows]
        )
    )
    serving: dict[int, int] = defaultdict(int)
    for w in windows:
        serves_all, ids = services.window_categories(window=w, day=day)
        if serves_all:
            continue  # comprehensive windows take every line; they are not counted per line
        for cid in ids:
            serving[cid] += 1
    out = []
    for c in categories(centre=centre):
        waiting = counts.get(c.pk, 0)
        per_window = waiting / max(1, serving[c.pk])
        if waiting >= threshold and per_window >= threshold:
            out.append(
                {
                    "category": c,
                    "waiting": waiting,
                    "windows": serving[c.pk],
                    "candidates": closed_tidal + [w for w in windows if w.type == WindowType.TIDAL],
                }
            )
    return out


def switches_today(*, centre: Centre):
    return TidalSwitch.objects.filter(
        window__centre=centre, day=clock.today(), ended_at__isnull=True
    ).select_related("window", "category", "switched_by")


# --------------------------------------------------------------------------- appointments


def bookable_slots(*, category: Category, start: dt.date | None = None, days: int | None = None):
    """Open slots of ``category`` from today for ``HALL_BOOKING_DAYS`` days, not past."""
    start = start or clock.today()
    days = days if days is not None else services._policy_int("HALL_BOOKING_DAYS", 14)
    now = timezone.localtime(clock.now())
    qs = Slot.objects.filter(
        category=category, is_open=True, day__gte=start, day__lte=start + dt.timedelta(days=days)
    ).exclude(day=now.date(), starts_at__lte=now.time())
    return qs.order_by("day", "starts_at")


def slots_of_day(*, centre: Centre, day: dt.date):
    return (
        Slot.objects.filter(centre=centre, day=day)
        .select_related("category")
        .order_by("starts_at", "category__prefix")
    )


def appointments(*, centre: Centre, day: dt.date | None = None, state: str = ""):
    qs = Appointment.objects.filter(slot__centre=centre).select_related("slot__category", "item")
    if day is not None:
        qs = qs.filter(slot__day=day)
    if state in AppointmentState.values:
        qs = qs.filter(state=state)
    return qs


def appointment_by_code(*, code: str, phone_tail: str) -> Appointment | None:
    """The person's own appointment, by code and the last 4 digits of the phone."""
    if not (isinstance(code, str) and code.isdigit() and len(code) == 6):
        return None
    if not (isinstance(phone_tail, str) and phone_tail.isdigit() and len(phone_tail) == 4):
        return None
    found = (
        Appointment.objects.select_related("slot__category__centre", "item")
        .filter(code=code)
        .first()
    )
    return found if found is not None and found.phone.endswith(phone_tail) else None


def extra_slots(*, centre: Centre):
    return Slot.objects.filter(
        centre=centre, kind__in=(SlotKind.EXTENDED, SlotKind.WEEKEND), day__gte=clock.today()
    ).select_related("category")


# --------------------------------------------------------------------------- statistics


def _minutes(a, b) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds() / 60


def _summary(waits: list[float], services_: list[float], total: int, no_show: int) -> dict:
    def p90(values):
        if not values:
            return None
        values = sorted(values)
        return values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]

    return {
        "tickets": total,
        "called": len(waits),
        "served": len(services_),
        "no_show": no_show,
        "wait_avg": round(stats.fmean(waits), 1) if waits else None,
        "wait_p90": round(p90(waits), 1) if waits else None,
        "wait_max": round(max(waits), 1) if waits else None,
        "service_avg": round(stats.fmean(services_), 1) if services_ else None,
        "long_waits": sum(1 for w in waits if w > long_wait_minutes()),
    }


def long_wait_minutes() -> int:
    return services._policy_int("HALL_LONG_WAIT_MINUTES", 30) or 30


def statistics(*, centre: Centre, start: dt.date, end: dt.date) -> dict:
    """等候时长 (first call − issue) and 办理时长 (finish − start) in minutes, per
    category, per window and per hour of issue, over ``start``…``end``. One query."""
    rows = Ticket.objects.filter(centre=centre, day__range=(start, end)).values_list(
        "category__prefix",
        "category__name",
        "window__number",
        "issued_at",
        "first_called_at",
        "started_at",
        "finished_at",
        "state",
    )
    groups: dict[str, dict] = {"category": {}, "window": {}, "hour": {}, "all": {}}
    acc = defaultdict(lambda: ([], [], [0], [0]))
    for prefix, name, window, issued, called, started, finished, state in rows:
        wait = _minutes(issued, called)
        service = _minutes(started, finished) if state == TicketState.DONE else None
        hour = timezone.localtime(issued).hour
        for key in (
            ("category", f"{prefix} {name}"),
            ("window", f"{window}号窗口" if window else "未叫号"),
            ("hour", f"{hour:02d}:00"),
            ("all", "合计"),
        ):
            waits, servs, total, no_show = acc[key]
            total[0] += 1
            if wait is not None:
                waits.append(wait)
            if service is not None:
                servs.append(service)
            if state == TicketState.NO_SHOW:
                no_show[0] += 1
    for (group, label), (waits, servs, total, no_show) in sorted(acc.items()):
        groups[group][label] = _summary(waits, servs, total[0], no_show[0])
    return groups


def today_summary(*, centre: Centre) -> dict:
    """The figures of the staff home panel and the supervision dashboard."""
    day = clock.today()
    qs = Ticket.objects.filter(centre=centre, day=day)
    by_state = dict(qs.values_list("state").annotate(n=Count("id")))
    now = clock.now()
    oldest = (
        qs.filter(state=TicketState.WAITING)
        .order_by("issued_at")
        .values_list("issued_at", flat=True)
        .first()
    )
    return {
        "issued": sum(by_state.values()),
        "waiting": by_state.get(TicketState.WAITING, 0),
        "serving": by_state.get(TicketState.CALLED, 0) + by_state.get(TicketState.SERVING, 0),
        "done": by_state.get(TicketState.DONE, 0),
        "no_show": by_state.get(TicketState.NO_SHOW, 0),
        "longest_wait": round(_minutes(oldest, now), 0) if oldest else 0,
        "long_wait_minutes": long_wait_minutes(),
    }


def history(*, ticket: Ticket):
    return ticket.events.select_related("window").order_by("id")


def window_calls_today(*, window: Window, limit: int = 20):
    return (
        Ticket.objects.filter(window=window, day=clock.today())
        .exclude(state=TicketState.WAITING)
        .select_related("category")
        .order_by("-called_at")[:limit]
    )


def call_kinds() -> dict:
    return dict(CallKind.choices)


def policy_values() -> dict:
    return {
        "no_show_calls": services.no_show_calls(),
        "priority_streak": services.priority_streak(),
        "elderly_age": services._policy_int("HALL_ELDERLY_AGE", 60),
        "tidal_waiting": services._policy_int("HALL_TIDAL_WAITING", 10),
        "booking_days": services._policy_int("HALL_BOOKING_DAYS", 14),
        "long_wait_minutes": long_wait_minutes(),
    }


# --- pages


def ticket_by_code(*, centre: Centre, code: str, day: dt.date | None = None) -> Ticket | None:
    """Today's ticket of ``centre`` numbered ``code`` (A023), for 过号重排 at the 导服台."""
    if not isinstance(code, str) or not 2 <= len(code) <= 8:
        return None
    return (
        Ticket.objects.select_related("category", "window")
        .filter(centre=centre, day=day or clock.today(), code=code.upper())
        .first()
    )


def no_show_today(*, centre: Centre, limit: int = 20):
    """Today's 过号 tickets (the 导服台 puts them back in the queue)."""
    return (
        Ticket.objects.filter(centre=centre, day=clock.today(), state=TicketState.NO_SHOW)
        .select_related("category", "window")
        .order_by("-finished_at")[:limit]
    )
