"""Staff pages of the hall, mounted at /staff/hall/: the window console (窗口叫号), the
floor manager's page (大厅管理: windows, 潮汐窗口, 绿色通道, 过号重排), the settings
(业务类别, 窗口服务类别), appointments (预约: the day, 电话预约, opening slots) and the
statistics (排队统计, with the Excel export). Pages are POST-redirect-GET; the rules
are the services' and ``roles``'; a refused action is a Chinese message."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from govhall.core import clock, web
from govhall.core.errors import DomainError, NotFound, PermissionDenied
from govhall.org.models import Centre, Window

from . import roles, selectors, services
from .forms import (
    CategoryForm,
    CodeForm,
    ExtraSlotForm,
    OpenSlotsForm,
    PhoneBookingForm,
    PriorityTicketForm,
    SwitchForm,
    TransferForm,
)
from .models import AppointmentChannel, Category, Slot, Ticket, TicketState

STALE = "页面已过期（该号码的状态已变化），请看最新状态后再操作"
MAX_STAT_DAYS = 366


def _centre(user) -> Centre:
    """The centre whose hall the user works in (the installer's superuser: the first)."""
    member = roles.staff(user)
    if member is not None:
        return member.centre
    if roles.is_floor_manager(user):
        centre = Centre.objects.filter(is_active=True).order_by("pk").first()
        if centre is not None:
            return centre
    raise PermissionDenied("只有政务服务中心的工作人员可以使用大厅页面")


def _require_use(user) -> None:
    if not roles.may_use(user):
        raise PermissionDenied("只有政务服务中心的工作人员可以使用大厅页面")


def _render(request, template: str, context: dict, status: int = 200):
    """A page of the hall with what its tabs need (only the tabs the user may open)."""
    user = request.user
    context.setdefault(
        "tab_window", roles.window_of(user) is not None or roles.is_floor_manager(user)
    )
    context.setdefault("tab_manager", roles.is_floor_manager(user))
    context.setdefault("tab_statistics", roles.may_view_statistics(user))
    return render(request, template, context, status=status)


def _refused(request, exc: DomainError) -> None:
    if exc.http_status in (403, 404):
        raise exc
    messages.error(
        request, "；".join([exc.message, *web.apply_errors(exc)]) if exc.fields else exc.message
    )


@web.dashboard_panel(order=15)
def _hall_panel(request):
    """工作台: today's queue (取号、等候、最长等候) for the hall's staff."""
    user = request.user
    if not roles.may_use(user):
        return None
    try:
        centre = _centre(user)
    except PermissionDenied:
        return None
    s = selectors.today_summary(centre=centre)
    if not s["issued"] and roles.window_of(user) is None:
        return None
    links = []
    if roles.window_of(user) is not None or roles.is_floor_manager(user):
        links.append(("窗口叫号", reverse("hall:window")))
    if roles.is_floor_manager(user):
        links.append(("大厅管理", reverse("hall:floor")))
    floor = reverse("hall:floor") if roles.is_floor_manager(user) else reverse("hall:window")
    return {
        "title": "今日排队",
        "counts": [
            ("已取号", s["issued"], floor),
            ("等候中", s["waiting"], floor),
            (
                f"最长等候（分钟，超 {s['long_wait_minutes']} 分钟需关注）",
                int(s["longest_wait"]),
                floor,
            ),
        ],
        "links": links,
    }


# --------------------------------------------------------------------------- window console


def _window_for(request) -> Window | None:
    user = request.user
    wanted = web.query_int(request.GET.get("window") or request.POST.get("window"))
    own = roles.window_of(user)
    if wanted is None or (own is not None and wanted == own.pk):
        return own if own is not None else _first_window(user)
    window = Window.objects.select_related("centre").filter(pk=wanted).first()
    if window is None:
        raise NotFound("没有该窗口")
    if not roles.may_operate(user, window):
        raise PermissionDenied(f"您不在{window.number}号窗口，不能操作该窗口的叫号")
    return window


def _first_window(user) -> Window | None:
    if not roles.is_floor_manager(user):
        return None
    return Window.objects.filter(centre=_centre(user), is_active=True).order_by("number").first()


def _window_url(window) -> str:
    return reverse("hall:window") + "?" + urlencode({"window": window.pk})


@web.staff_page
def window(request):
    user = request.user
    _require_use(user)
    w = _window_for(request)
    if w is None:
        return _render(request, "hall/window.html", {"window": None})
    current = selectors.current_at(window=w)
    serves_all, ids = services.window_categories(window=w, day=clock.today())
    return _render(
        request,
        "hall/window.html",
        {
            "window": w,
            "current": current,
            "waiting": selectors.waiting_for(window=w),
            "served": list(selectors.window_calls_today(window=w)),
            "others": [o for o in selectors.open_windows(centre=w.centre) if o.pk != w.pk],
            "is_open": services.window_is_open(window=w, day=clock.today()),
            "serves": "全部类别（综合受理）"
            if serves_all
            else "、".join(str(c) for c in Category.objects.filter(pk__in=ids)) or "未设置",
            "no_show_calls": services.no_show_calls(),
            "may_no_show": current is not None
            and current.state == TicketState.CALLED
            and current.calls >= services.no_show_calls(),
            "desk_url": reverse("cases:desk") + f"?ticket={current.pk}" if current else "",
            "is_manager": roles.is_floor_manager(user, w.centre),
            "windows": list(Window.objects.filter(centre=w.centre).order_by("number"))
            if roles.is_floor_manager(user, w.centre)
            else [],
            "transfer_form": TransferForm(),
        },
    )


TICKET_ACTIONS = {
    "recall": ("重呼", services.recall),
    "no_show": ("过号", services.mark_no_show),
    "start": ("开始办理", services.start),
    "finish": ("办结", services.finish),
}


@web.staff_page
@require_POST
def window_act(request):
    user = request.user
    _require_use(user)
    w = _window_for(request)
    if w is None:
        raise PermissionDenied("您没有分配窗口")
    back = redirect(_window_url(w))
    action = request.POST.get("action", "")
    try:
        if action == "call":
            t = services.call_next(actor=user, window=w)
            if t is None:
                messages.info(request, "当前没有等候本窗口的号码")
            else:
                messages.success(request, f"已叫号：{t.code}")
            return back
        t = Ticket.objects.filter(pk=web.query_int(request.POST.get("ticket")) or 0).first()
        if t is None or t.window_id != w.pk:
            messages.error(request, STALE)
            return back
        expected = web.query_int(request.POST.get("version"))
        if expected is not None and expected != t.version:
            messages.error(request, STALE)
            return back
        if action in TICKET_ACTIONS:
            label, fn = TICKET_ACTIONS[action]
            t = fn(actor=user, ticket=t)
            messages.success(request, f"{t.code} 号：{label}")
        elif action == "transfer":
            form = TransferForm(request.POST)
            if not form.is_valid():
                messages.error(request, "请选择转至的窗口并填写理由")
                return back
            to = Window.objects.filter(pk=form.cleaned_data["to_window"], centre=w.centre).first()
            if to is None:
                messages.error(request, "请选择本中心的另一个窗口")
                return back
            t = services.transfer(
                actor=user, ticket=t, to_window=to, reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"{t.code} 号已转至{to.number}号窗口")
        elif action == "cancel":
            reason = (request.POST.get("reason") or "")[:200]
            t = services.cancel(actor=user, ticket=t, reason=reason)
            messages.success(request, f"{t.code} 号已取消")
        else:
            messages.error(request, "未知操作")
    except DomainError as exc:
        _refused(request, exc)
    return back


# --------------------------------------------------------------------------- floor


def _manager_centre(user) -> Centre:
    centre = _centre(user)
    roles.require_floor_manager(user, centre)
    return centre


@web.staff_page
def floor(request):
    user = request.user
    centre = _manager_centre(user)
    today = clock.today()
    counts = selectors.waiting_counts(centre=centre)
    cats = list(selectors.categories(centre=centre, active_only=False))
    switches = {s.window_id: s for s in selectors.switches_today(centre=centre)}
    rows = []
    for w in Window.objects.filter(centre=centre).order_by("number"):
        serves_all, ids = services.window_categories(window=w, day=today)
        rows.append(
            {
                "w": w,
                "open": services.window_is_open(window=w, day=today),
                "current": selectors.current_at(window=w),
                "serves": "全部"
                if serves_all
                else "、".join(c.prefix for c in cats if c.pk in ids) or "—",
                "switch": switches.get(w.pk),
            }
        )
    last = request.session.get("hall_staff_ticket")
    return _render(
        request,
        "hall/floor.html",
        {
            "centre": centre,
            "rows": rows,
            "categories": [{"c": c, "waiting": counts.get(c.pk, 0)} for c in cats if c.is_active],
            "active_categories": [c for c in cats if c.is_active],
            "suggestions": selectors.tidal_suggestions(centre=centre),
            "switches": list(switches.values()),
            "summary": selectors.today_summary(centre=centre),
            "priority_form": PriorityTicketForm(),
            "code_form": CodeForm(),
            "last_ticket": Ticket.objects.filter(pk=last, centre=centre).first()
            if isinstance(last, int)
            else None,
            "no_show": list(selectors.no_show_today(centre=centre)),
        },
    )


@web.staff_page
@require_POST
def floor_act(request):
    user = request.user
    centre = _centre(user)
    back = redirect("hall:floor")
    action = request.POST.get("action", "")
    try:
        if action == "switch":
            form = SwitchForm(request.POST)
            if not form.is_valid():
                messages.error(request, "请选择窗口和业务类别，并填写切换理由")
                return back
            w = Window.objects.filter(pk=form.cleaned_data["window"], centre=centre).first()
            c = Category.objects.filter(pk=form.cleaned_data["category"], centre=centre).first()
            if w is None or c is None:
                messages.error(request, "窗口或业务类别不正确")
                return back
            services.switch_window(
                actor=user, window=w, category=c, reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"{w.number}号窗口今天改办「{c.name}」")
        elif action == "end_switch":
            w = Window.objects.filter(
                pk=web.query_int(request.POST.get("window")) or 0, centre=centre
            ).first()
            if w is None:
                messages.error(request, "窗口不正确")
                return back
            services.end_switch(
                actor=user, window=w, reason=(request.POST.get("reason") or "")[:200]
            )
            messages.success(request, f"{w.number}号窗口已恢复原服务类别")
        elif action == "issue":
            form = PriorityTicketForm(request.POST)
            c = form.is_valid() and selectors.category(
                centre=centre, pk=form.cleaned_data["category"]
            )
            if not c:
                messages.error(request, "请选择业务类别和绿色通道类型")
                return back
            data = form.cleaned_data
            t = services.issue_ticket(
                actor=user,
                category=c,
                priority=data["priority"],
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
            )
            request.session["hall_staff_ticket"] = t.pk
            ids = [i for i in request.session.get("hall_tickets", []) if isinstance(i, int)][-19:]
            request.session["hall_tickets"] = [*ids, t.pk]
            messages.success(request, f"已发放{t.get_priority_display()}号 {t.code}")
        elif action == "requeue":
            form = CodeForm(request.POST)
            t = form.is_valid() and selectors.ticket_by_code(
                centre=centre, code=form.cleaned_data["code"]
            )
            if not t:
                messages.error(request, "今天没有该排队号，请核对（如 A023）")
                return back
            t = services.requeue(actor=user, ticket=t)
            messages.success(request, f"{t.code} 号已重新排队")
        else:
            messages.error(request, "未知操作")
    except DomainError as exc:
        _refused(request, exc)
    return back


# --------------------------------------------------------------------------- settings


@web.staff_page
def settings_page(request):
    user = request.user
    centre = _manager_centre(user)
    editing = Category.objects.filter(
        centre=centre, pk=web.query_int(request.GET.get("edit")) or 0
    ).first()
    initial = (
        {
            "prefix": editing.prefix,
            "name": editing.name,
            "kind": editing.kind,
            "description": editing.description,
            "order": editing.order,
            "is_active": editing.is_active,
            "department": editing.department_id,
            "life_event": editing.life_event_id,
            "items": list(editing.items.values_list("pk", flat=True)),
        }
        if editing
        else {"is_active": True}
    )
    form = CategoryForm(
        request.POST if request.POST.get("action") == "category" else None,
        initial=initial,
        centre=centre,
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "category":
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    c = services.save_category(
                        actor=user, centre=centre, data=data, category=editing
                    )
                    messages.success(request, f"已保存业务类别 {c}")
                    return redirect("hall:settings")
            elif action == "window":
                w = Window.objects.filter(
                    pk=web.query_int(request.POST.get("window")) or 0, centre=centre
                ).first()
                ids = [web.query_int(v) for v in request.POST.getlist("categories")[:30]]
                cats = list(Category.objects.filter(centre=centre, pk__in=[i for i in ids if i]))
                if w is None:
                    messages.error(request, "窗口不正确")
                else:
                    services.set_window_categories(
                        actor=user,
                        window=w,
                        categories=cats,
                        reason=(request.POST.get("reason") or "")[:200],
                    )
                    messages.success(request, f"已设置{w.number}号窗口的服务类别")
                return redirect("hall:settings")
        except DomainError as exc:
            if exc.http_status in (403, 404):
                raise
            errors = web.apply_errors(exc, form=form)
            if action != "category":
                messages.error(request, exc.message)
                return redirect("hall:settings")
            if not errors and not exc.fields:
                form.add_error(None, exc.message)
    cats = list(selectors.categories(centre=centre, active_only=False))
    windows = []
    for w in Window.objects.filter(centre=centre).order_by("number"):
        chosen = set(
            Category.objects.filter(window_settings__window=w).values_list("pk", flat=True)
        )
        windows.append({"w": w, "chosen": chosen})
    return _render(
        request,
        "hall/settings.html",
        {
            "centre": centre,
            "categories": cats,
            "form": form,
            "editing": editing,
            "windows": windows,
            "policy": selectors.policy_values(),
        },
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- appointments


@web.staff_page
def appointments(request):
    user = request.user
    _require_use(user)
    centre = _centre(user)
    errors: list[str] = []
    day = web.query_date(request.GET.get("day"), errors=errors) or clock.today()
    manager = roles.is_floor_manager(user, centre)
    back = reverse("hall:appointments") + "?" + urlencode({"day": day.isoformat()})
    phone_form = PhoneBookingForm(request.POST if request.POST.get("action") == "phone" else None)
    open_form = OpenSlotsForm(
        request.POST if request.POST.get("action") == "open" else None,
        initial={"start": day, "end": day + dt.timedelta(days=13)},
    )
    extra_form = ExtraSlotForm(
        request.POST if request.POST.get("action") == "extra" else None, initial={"day": day}
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = {"phone": phone_form, "open": open_form, "extra": extra_form}.get(action)
        try:
            if action == "close":
                slot = Slot.objects.filter(
                    centre=centre, pk=web.query_int(request.POST.get("slot")) or 0
                ).first()
                if slot is None:
                    messages.error(request, "时段不正确")
                else:
                    services.close_slot(
                        actor=user, slot=slot, reason=(request.POST.get("reason") or "")[:200]
                    )
                    messages.success(request, f"已关闭时段 {slot}")
                return redirect(back)
            if action == "cancel":
                a = services.cancel_appointment(
                    actor=user,
                    code=(request.POST.get("code") or "")[:6],
                    reason=(request.POST.get("reason") or "")[:200],
                )
                messages.success(request, f"已取消预约 {a.code}")
                return redirect(back)
            if form is not None and form.is_valid():
                data = form.cleaned_data
                if action == "phone":
                    slot = (
                        Slot.objects.filter(centre=centre, pk=data["slot"])
                        .select_related("category")
                        .first()
                    )
                    if slot is None:
                        form.add_error("slot", "时段不正确")
                    else:
                        a = services.book(
                            actor=user,
                            slot=slot,
                            name=data["name"],
                            id_number=data["id_number"],
                            phone=data["phone"],
                            note=data["note"],
                            channel=AppointmentChannel.PHONE,
                        )
                        messages.success(request, f"电话预约成功，预约码 {a.code}（已短信通知）")
                        return redirect(back)
                else:
                    c = Category.objects.filter(centre=centre, pk=data["category"]).first()
                    if c is None:
                        form.add_error("category", "业务类别不正确")
                    elif action == "open":
                        n = services.open_slots(
                            actor=user,
                            category=c,
                            start=data["start"],
                            end=data["end"],
                            times=data["times"],
                            capacity=data["capacity"],
                        )
                        messages.success(request, f"已开放 {n} 个预约时段（仅工作日）")
                        return redirect(back)
                    else:
                        s = services.open_extra_slot(
                            actor=user,
                            category=c,
                            day=data["day"],
                            starts_at=data["starts_at"],
                            ends_at=data["ends_at"],
                            capacity=data["capacity"],
                            kind=data["kind"],
                        )
                        messages.success(request, f"已开放{s.get_kind_display()}时段 {s}")
                        return redirect(back)
        except DomainError as exc:
            if exc.http_status in (403, 404) and action not in ("cancel",):
                raise
            if form is not None:
                left = web.apply_errors(exc, form=form)
                if not exc.fields:
                    form.add_error(None, exc.message)
                errors.extend(left)
            else:
                messages.error(request, exc.message)
                return redirect(back)
    slots = list(selectors.slots_of_day(centre=centre, day=day))
    status = 400 if any(f.errors for f in (phone_form, open_form, extra_form)) else 200
    return _render(
        request,
        "hall/appointments.html",
        {
            "centre": centre,
            "day": day,
            "prev": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "slots": slots,
            "open_slots": [s for s in slots if s.is_open and s.left],
            "appointments": list(selectors.appointments(centre=centre, day=day)),
            "extra": list(selectors.extra_slots(centre=centre)[:30]),
            "categories": list(selectors.categories(centre=centre)),
            "manager": manager,
            "phone_form": phone_form,
            "open_form": open_form,
            "extra_form": extra_form,
            "errors": errors,
        },
        status=status,
    )


# --------------------------------------------------------------------------- statistics

GROUP_LABELS = [("category", "按业务类别"), ("window", "按窗口"), ("hour", "按取号时段")]


def _range(request) -> tuple[dt.date, dt.date, list[str]]:
    errors: list[str] = []
    today = clock.today()
    end = web.query_date(request.GET.get("end"), errors=errors, label="截止日期") or today
    start = web.query_date(
        request.GET.get("start"), errors=errors, label="起始日期"
    ) or end - dt.timedelta(days=6)
    if start > end:
        start, end = end, start
    if (end - start).days >= MAX_STAT_DAYS:
        start = end - dt.timedelta(days=MAX_STAT_DAYS - 1)
        errors.append(f"统计范围最长 {MAX_STAT_DAYS} 天")
    return start, end, errors


def _stats_centre(user) -> Centre:
    if not roles.may_view_statistics(user):
        raise PermissionDenied("只有中心管理员、电子监察人员和首席代表可以查看排队统计")
    return _centre(user)


@web.staff_page
def statistics(request):
    user = request.user
    centre = _stats_centre(user)
    start, end, errors = _range(request)
    data = selectors.statistics(centre=centre, start=start, end=end)
    groups = [(key, label, data[key]) for key, label in GROUP_LABELS]
    chart = {
        f"chart-{key}-data": {
            "names": list(rows),
            "wait": [r["wait_avg"] for r in rows.values()],
            "service": [r["service_avg"] for r in rows.values()],
        }
        for key, _label, rows in groups
    }
    return _render(
        request,
        "hall/statistics.html",
        {
            "centre": centre,
            "start": start,
            "end": end,
            "errors": errors,
            "groups": groups,
            "total": data["all"].get("合计"),
            "chart": chart,
            "long_wait": selectors.long_wait_minutes(),
            "query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
        },
    )


STAT_COLUMNS = [
    ("取号", "tickets"),
    ("已叫号", "called"),
    ("已办结", "served"),
    ("过号", "no_show"),
    ("平均等候(分)", "wait_avg"),
    ("90%等候(分)", "wait_p90"),
    ("最长等候(分)", "wait_max"),
    ("平均办理(分)", "service_avg"),
    ("超时等候", "long_waits"),
]


@web.staff_page
def statistics_export(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    user = request.user
    centre = _stats_centre(user)
    start, end, _ = _range(request)
    data = selectors.statistics(centre=centre, start=start, end=end)
    wb = Workbook()
    wb.remove(wb.active)
    for key, label in [*GROUP_LABELS, ("all", "合计")]:
        ws = wb.create_sheet(label)
        ws.append(["分组", *[c for c, _ in STAT_COLUMNS]])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 24
        ws.freeze_panes = "A2"
        for name, row in data[key].items():
            ws.append([name, *[row[k] for _, k in STAT_COLUMNS]])
    meta = wb.create_sheet("说明")
    meta.append(["中心", centre.name])
    meta.append(["统计范围", f"{start.isoformat()} 至 {end.isoformat()}"])
    meta.append(["说明", "等候时长 = 首次叫号 − 取号；办理时长 = 办结 − 开始办理（分钟）"])
    meta.column_dimensions["B"].width = 60
    return web.xlsx_response(wb, filename=f"hall-statistics-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
