"""Public pages of the hall, mounted at /hall/: the ticket machine (取号机, a portrait
1080×1920 touch screen) and its 80 mm ticket, the calling screen (叫号大屏, a 1920×1080
TV) and the window screens (窗口屏) with their event stream, and 网上预约.

Live screens — server-sent events, not WebSocket/Channels (the lead's decision): the
screens only receive; ``EventSource`` reconnects by itself and sends ``Last-Event-ID``
(the last ``Call.id`` it saw), so a screen that drops off misses no call; it is plain
HTTP that intranet proxies pass; and there is no ASGI server or Redis channel layer to
run. :func:`events` answers what happened after that id and ends the response with
``retry: 1000`` (the browser comes back after 1 s), so it never holds a gunicorn sync
worker. A deployment on a threaded/async server may set
``GOVHALL_HALL_STREAM_HOLD_SECONDS`` (default 0) to keep each response open up to N
seconds, looking for new calls every 0.5 s.

Nothing personal reaches a screen: a ticket code, a category and a window number.
Issuing, checking in and booking are throttled per client address
(``hall/throttle.py``: the hall's own kiosks are listed by address and not counted).
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from govhall.core import clock, web
from govhall.core.actors import Applicant
from govhall.core.errors import DomainError, ValidationFailed
from govhall.finder import selectors as finder_selectors
from govhall.finder import throttle as finder_throttle
from govhall.org import site as org_site
from govhall.org.models import Window

from . import selectors, services, throttle
from .forms import BookingForm, CheckInForm, KioskForm, LookupForm
from .models import CategoryKind, Slot

THROTTLED = "操作过于频繁，请稍后再试，或到导服台咨询。"
SESSION_TICKETS = "hall_tickets"
SESSION_BOOKED = "hall_booked"
KIOSK = Applicant(name="取号机")
POLL_SECONDS = 0.5
MAX_HOLD_SECONDS = 55
GROUPS = [
    (CategoryKind.ITEM, "按事项"),
    (CategoryKind.DEPARTMENT, "按部门"),
    (CategoryKind.LIFE_EVENT, "按主题（一件事）"),
    (CategoryKind.GENERAL, "综合业务"),
]


def _throttled(request) -> bool:
    return throttle.exceeded(request)


def _centre(code: str):
    centre = selectors.centre_by_code(code)
    if centre is None:
        raise Http404("没有该政务服务中心")
    return centre


def _groups(centre) -> list[dict]:
    counts = selectors.waiting_counts(centre=centre)
    cats = list(selectors.categories(centre=centre))
    out = []
    for kind, label in GROUPS:
        rows = [{"c": c, "waiting": counts.get(c.pk, 0)} for c in cats if c.kind == kind]
        if rows:
            out.append({"label": label, "rows": rows})
    return out


def _to_ticket(centre, ticket):
    url = reverse("hall_public:ticket", kwargs={"code": centre.code, "pk": ticket.pk})
    return redirect(url + "?print=1")


def _remember(request, ticket) -> None:
    ids = [i for i in request.session.get(SESSION_TICKETS, []) if isinstance(i, int)][-19:]
    request.session[SESSION_TICKETS] = [*ids, ticket.pk]


# --------------------------------------------------------------------------- kiosk


def kiosk(request, code: str):
    """取号机: a category (with the people waiting), an optional ID number or phone,
    and 预约签到."""
    centre = _centre(code)
    error, status = "", 200
    if request.method == "POST":
        if _throttled(request):
            error, status = THROTTLED, 429
        elif request.POST.get("action") == "check_in":
            form = CheckInForm(request.POST)
            if not form.is_valid():
                error, status = "预约码为 6 位数字", 400
            else:
                try:
                    ticket = services.check_in(actor=KIOSK, code=form.cleaned_data["code"])
                except DomainError as exc:
                    error, status = exc.message, exc.http_status
                else:
                    if ticket.centre_id != centre.pk:
                        error, status = "该预约不是本中心的预约，请到预约的中心签到", 409
                    else:
                        _remember(request, ticket)
                        return _to_ticket(centre, ticket)
        else:
            form = KioskForm(request.POST)
            category = None
            if form.is_valid():
                category = selectors.category(centre=centre, pk=form.cleaned_data["category"])
            if category is None:
                error, status = "请选择业务类别" if form.is_valid() else "请检查填写的内容", 400
            else:
                try:
                    ticket = services.issue_ticket(
                        actor=KIOSK,
                        category=category,
                        id_number=form.cleaned_data["id_number"],
                        phone=form.cleaned_data["phone"],
                    )
                except DomainError as exc:
                    error, status = exc.message, exc.http_status
                else:
                    _remember(request, ticket)
                    return _to_ticket(centre, ticket)
    return render(
        request,
        "hall/kiosk.html",
        {
            "centre": centre,
            "groups": _groups(centre),
            "error": error,
            "open": services.hall_open_on(centre=centre, day=clock.today()),
            "policy": selectors.policy_values(),
            "finder": _finder(request, centre) if request.method == "GET" else None,
            "clock_ms": clock.wall_ms(),
        },
        status=status,
    )


def _finder(request, centre) -> dict | None:
    """说说您要办什么 on the machine (``?q=``): the finder's hits (channel 取号机) and
    the categories that serve them, each a button to take a ticket in it; nothing
    found, or no category for what was found → the 咨询台 and the phones."""
    q = request.GET.get("q", "").strip()
    if not q:
        return None
    out = {"q": q, "error": "", "rows": [], "items": []}
    if finder_throttle.exceeded(request):
        out["error"] = finder_throttle.MESSAGE
        return out
    try:
        finding = finder_selectors.find(q=q, channel="kiosk", limit=10)
    except ValidationFailed as exc:
        out["error"] = exc.message
        return out
    items = list({h.item.pk: h.item for h in finding.hits}.values())
    counts = selectors.waiting_counts(centre=centre)
    rows = selectors.categories_for_items(centre=centre, items=items)
    names = {h.item.pk: h.version.name for h in reversed(finding.hits)}
    for row in rows:
        row["waiting"] = counts.get(row["c"].pk, 0)
        row["names"] = [names[i.pk] for i in row["items"]]
    out["rows"] = rows
    out["items"] = [h.version.name for h in finding.hits[:3]]
    if not rows:
        out["phone"] = centre.phone or org_site.county_centre_phone()
    return out


def ticket(request, code: str, pk: int):
    """The ticket as printed (80 mm thermal paper). Only the browser (kiosk) that took
    the ticket sees it; it shows no personal data."""
    centre = _centre(code)
    t = selectors.ticket(pk=pk)
    if t is None or t.centre_id != centre.pk or pk not in request.session.get(SESSION_TICKETS, []):
        raise Http404("没有该排队号")
    return render(
        request,
        "hall/ticket.html",
        {
            "centre": centre,
            "t": t,
            "ahead": selectors.waiting_ahead(ticket=t),
            "autoprint": request.GET.get("print") == "1",
        },
    )


# --------------------------------------------------------------------------- screens


def screen(request, code: str):
    """叫号大屏 (1920×1080)."""
    centre = _centre(code)
    board = selectors.board(centre=centre)
    return render(
        request,
        "hall/screen.html",
        {
            "centre": centre,
            "board": board,
            "latest": board["recent"][:1],
            "clock_ms": clock.wall_ms(),
        },
    )


def window_screen(request, code: str, number: str):
    centre = _centre(code)
    window = Window.objects.filter(centre=centre, number=number[:10]).first()
    if window is None:
        raise Http404("没有该窗口")
    current = selectors.current_at(window=window)
    return render(
        request,
        "hall/window_screen.html",
        {
            "centre": centre,
            "window": window,
            "code": current.code if current else "",
            "last_id": selectors.latest_event_id(centre=centre),
            "clock_ms": clock.wall_ms(),
        },
    )


def _start_id(request, centre) -> int:
    """Where the stream goes on: the ``Last-Event-ID`` the browser sends when it
    reconnects, else ``?after=`` (the page's id when it was drawn), else now."""
    for value in (request.headers.get("Last-Event-ID"), request.GET.get("after")):
        number = web.query_int(value)
        if number is not None:
            return number
        if (value or "").strip() == "0":
            return 0
    return selectors.latest_event_id(centre=centre)


def _frame(events: list[dict], waiting: list[dict] | None) -> str:
    parts = []
    for e in events:
        parts.append(f"id: {e['id']}\nevent: {e['kind']}\ndata: {json.dumps(e)}\n\n")
    if waiting is not None:
        parts.append(f"event: waiting\ndata: {json.dumps(waiting, ensure_ascii=False)}\n\n")
    return "".join(parts)


def _waiting(centre) -> list[dict]:
    return selectors.board(centre=centre)["categories"]


@never_cache
def events(request, code: str):
    """``text/event-stream``: the calls after the last id (see the module docstring)."""
    centre = _centre(code)
    after = _start_id(request, centre)
    hold = min(
        MAX_HOLD_SECONDS, max(0, int(getattr(settings, "GOVHALL_HALL_STREAM_HOLD_SECONDS", 0) or 0))
    )
    found = selectors.events_after(centre=centre, after=after)
    # the server's clock on every (re)connection: the screens show it, not their own
    head = (
        f"retry: 1000\nid: {found[-1]['id'] if found else after}\n\n"
        f"event: clock\ndata: {clock.wall_ms()}\n\n"
    )
    body = head + _frame(found, _waiting(centre) if found else None)
    if not hold or found:
        response = HttpResponse(body, content_type="text/event-stream; charset=utf-8")
    else:

        def stream():
            yield head
            last, deadline = after, time.monotonic() + hold
            while time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
                rows = selectors.events_after(centre=centre, after=last)
                if rows:
                    last = rows[-1]["id"]
                    yield _frame(rows, _waiting(centre))
                else:
                    yield ": keep-alive\n\n"

        response = StreamingHttpResponse(stream(), content_type="text/event-stream; charset=utf-8")
    response["X-Accel-Buffering"] = "no"
    return response


# --------------------------------------------------------------------------- appointments


def _slot(centre, value) -> Slot | None:
    pk = web.query_int(value)
    if pk is None:
        return None
    return Slot.objects.select_related("category").filter(centre=centre, pk=pk).first()


def appointments(request, code: str):
    """网上预约: 业务类别 → 日期 → 时段 → 姓名、身份证号、手机号."""
    centre = _centre(code)
    category = selectors.category(centre=centre, pk=web.query_int(request.GET.get("category")))
    slot = _slot(centre, request.GET.get("slot"))
    if slot is not None and (category is None or slot.category_id != category.pk):
        slot = None
    days = []
    if category is not None and slot is None:
        by_day: dict = {}
        for s in selectors.bookable_slots(category=category):
            by_day.setdefault(s.day, []).append(s)
        days = [
            {"day": d, "slots": rows, "left": sum(s.left for s in rows)}
            for d, rows in by_day.items()
        ]
    form = BookingForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and slot is not None:
        if _throttled(request):
            error, status = THROTTLED, 429
        elif form.is_valid():
            try:
                appointment = services.book(
                    actor=Applicant(name=form.cleaned_data["name"]), slot=slot, **form.cleaned_data
                )
            except DomainError as exc:
                error = "；".join(web.apply_errors(exc, form=form)) or exc.message
                status = exc.http_status
            else:
                request.session[SESSION_BOOKED] = appointment.code
                return redirect("hall_public:booked", code=centre.code)
        else:
            error, status = "请检查填写的内容", 400
    return render(
        request,
        "hall/public_appointments.html",
        {
            "centre": centre,
            "categories": list(selectors.categories(centre=centre)),
            "category": category,
            "slot": slot,
            "days": days,
            "form": form,
            "error": error,
        },
        status=status,
    )


def booked(request, code: str):
    centre = _centre(code)
    number = request.session.get(SESSION_BOOKED)
    appointment = (
        selectors.appointments(centre=centre).filter(code=number).first()
        if isinstance(number, str)
        else None
    )
    if appointment is None:
        return redirect("hall_public:appointments", code=centre.code)
    return render(request, "hall/public_booked.html", {"centre": centre, "a": appointment})


def lookup(request, code: str):
    """查询/取消预约: the code and the phone's last 4 digits."""
    centre = _centre(code)
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "code" in request.GET else None)
    )
    form = LookupForm(data)
    appointment, error, status, done = None, "", 200, ""
    if data is not None:
        if _throttled(request):
            error, status = THROTTLED, 429
        elif form.is_valid():
            code_, tail = form.cleaned_data["code"], form.cleaned_data["phone_tail"]
            appointment = selectors.appointment_by_code(code=code_, phone_tail=tail)
            if appointment is not None and appointment.slot.centre_id != centre.pk:
                appointment = None
            if appointment is None:
                error, status = "没有找到该预约，请核对预约码和手机号后四位", 404
            elif request.method == "POST" and request.POST.get("action") == "cancel":
                try:
                    services.cancel_appointment(
                        actor=Applicant(name=appointment.name),
                        code=code_,
                        phone_tail=tail,
                        reason="本人取消",
                    )
                except DomainError as exc:
                    error, status = exc.message, exc.http_status
                else:
                    done = "预约已取消"
                appointment = selectors.appointment_by_code(code=code_, phone_tail=tail)
        else:
            error, status = "请填写 6 位预约码和手机号后四位", 400
    return render(
        request,
        "hall/public_lookup.html",
        {"centre": centre, "form": form, "a": appointment, "error": error, "done": done},
        status=status,
    )
