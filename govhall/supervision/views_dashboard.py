"""电子监察大屏 pages, mounted at /staff/supervision/dashboard/: the dashboard and the
drill-down list of the cases behind any of its numbers (``dashboard.figures`` /
``dashboard.drill``). The views parse the query string and render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from govhall.cases import deadlines
from govhall.cases.models import Channel, Light
from govhall.catalog import selectors as catalog_selectors
from govhall.core import clock, web
from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.core.validators import mask_id_number
from govhall.org.models import Window

from . import dashboard, selectors

PAGE_SIZE = 50
LIGHT_BADGES = {
    Light.NORMAL: "bg-success",
    Light.YELLOW: "bg-warning text-dark",
    Light.RED: "bg-danger",
    Light.OVERDUE: "bg-dark",
    Light.PAUSED: "bg-secondary",
}


def _shown(window_id: int | None) -> str:
    """A window id in a query string ("0": 未指定窗口; "" for all)."""
    return "" if window_id is None else str(window_id)


def _filters(request) -> tuple[dict, list[str]]:
    """department, window, start, end from the query string, and the errors."""
    q, errors = request.GET, []
    chosen = {
        "department_id": web.query_int(q.get("department")),
        "window_id": web.query_int(q.get("window")),
        "start": web.query_date(q.get("start"), errors=errors, label="开始日期"),
        "end": web.query_date(q.get("end"), errors=errors, label="结束日期"),
    }
    return chosen, errors


def _figures(request, chosen: dict, errors: list[str]) -> dict:
    today = clock.today()
    try:
        return dashboard.figures(user=request.user, today=today, **chosen)
    except ValidationFailed as exc:  # a bad period: the default one, and say why
        errors.append(exc.message)
        return dashboard.figures(
            user=request.user,
            today=today,
            department_id=chosen["department_id"],
            window_id=chosen["window_id"],
        )


LIVE_COLUMNS = ("open", "yellow", "red", "overdue", "paused")
HISTORY_COLUMNS = ("received", "completed", "late")


def _cells(row: dict, columns, base: str, keep: dict, *, link: bool = True) -> list[dict]:
    """The numbers of a table row, each with the drill-down link of its cases."""
    cells = []
    for measure in columns:
        query = urlencode({"measure": measure, **{k: v for k, v in keep.items() if v}})
        cells.append(
            {
                "measure": measure,
                "label": dashboard.MEASURES[measure],
                "value": row[measure],
                "url": f"{base}?{query}" if link and row[measure] else "",
            }
        )
    return cells


def _windows() -> list[Window]:
    return list(Window.objects.filter(is_active=True).order_by("centre_id", "number"))


@web.staff_page
def dashboard_page(request):
    if not dashboard.may_see(request.user):
        raise PermissionDenied(dashboard.DENIED)
    chosen, errors = _filters(request)
    figures = _figures(request, chosen, errors)
    # the query string every drill-down link keeps (the scope and the period)
    scope = {"department": figures["department"] or "", "window": _shown(figures["window"])}
    period = {"start": figures["start"].isoformat(), "end": figures["end"].isoformat()}
    live_keep = urlencode({k: v for k, v in scope.items() if v})
    history_keep = urlencode({**{k: v for k, v in scope.items() if v}, **period})
    chart = {
        "departments": [
            {
                "id": d["id"],
                "name": d["name"],
                **{k: d[k] for k in ("open", "normal", "yellow", "red", "overdue", "paused")},
            }
            for d in figures["departments"]
        ],
        "trend": [
            {
                "day": row["day"].isoformat(),
                "received": row["received"],
                "completed": row["completed"],
                "on_time": row["on_time"],
            }
            for row in figures["trend"]
        ],
        "ranking": [
            {"id": r["id"], "name": r["name"], "on_time_rate": r["on_time_rate"]}
            for r in figures["ranking"]
        ],
        "drill": reverse("supervision:dashboard_cases"),
        "live_keep": live_keep,
        "history_keep": history_keep,
    }
    base = reverse("supervision:dashboard_cases")
    window = {"window": _shown(figures["window"])}
    dept_rows = [
        {
            **d,
            "live": _cells(d, LIVE_COLUMNS, base, {"department": d["id"], **window}),
            "history": _cells(
                d, HISTORY_COLUMNS, base, {"department": d["id"], **window, **period}
            ),
        }
        for d in figures["departments"]
    ]
    department = {"department": figures["department"] or ""}
    window_rows = [
        {**w, "live": _cells(w, LIVE_COLUMNS, base, {**department, "window": str(w["id"])})}
        for w in figures["windows"]
    ]  # fmt: skip
    totals = {
        "live": _cells(figures["current"], LIVE_COLUMNS, base, scope),
        "history": _cells(figures["history"], ("received", "accepted", "completed", "on_time",
                                                "late"), base, {**scope, **period}),
    }  # fmt: skip
    return render(
        request,
        "supervision/dashboard/dashboard.html",
        {
            "f": figures,
            "dept_rows": dept_rows,
            "window_rows": window_rows,
            "totals": totals,
            "chart": chart,
            "departments": list(selectors.departments_for(user=request.user)),
            "windows": _windows(),
            "live_keep": live_keep,
            "history_keep": history_keep,
            "errors": errors,
            "trend_rows": [row for row in figures["trend"] if row["received"] or row["completed"]],
        },
        status=400 if errors else 200,
    )


@web.staff_page
def drill_page(request):
    """The cases behind a number: ``measure`` and the filters (部门, 窗口, 事项, 渠道,
    日期), paged, applicant ID numbers masked."""
    if not dashboard.may_see(request.user):
        raise PermissionDenied(dashboard.DENIED)
    q = request.GET
    chosen, errors = _filters(request)
    measure = q.get("measure", "")
    if measure not in dashboard.MEASURES:
        measure = "open"
    item_id = web.query_int(q.get("item"))
    channel = q.get("channel", "")
    channel = channel if channel in Channel.values else ""
    today = clock.today()
    try:
        cases = dashboard.drill(
            user=request.user,
            today=today,
            measure=measure,
            item_id=item_id,
            channel=channel or None,
            **chosen,
        )
    except ValidationFailed as exc:
        errors.append(exc.message)
        chosen.update(start=None, end=None)
        cases = dashboard.drill(
            user=request.user,
            today=today,
            measure=measure,
            item_id=item_id,
            channel=channel or None,
            **chosen,
        )
    page = Paginator(cases, PAGE_SIZE).get_page(q.get("page"))
    for case in page:
        case.badge = LIGHT_BADGES.get(case.light, "")
        case.light_label = Light(case.light).label if case.light else ""
        case.masked_id = mask_id_number(case.applicant_id_number)
        case.remaining = deadlines.remaining_workdays(case, today) if case.light else None
    keep = {
        "measure": measure,
        "department": chosen["department_id"] or "",
        "window": _shown(chosen["window_id"]),
        "item": item_id or "",
        "channel": channel,
        "start": chosen["start"].isoformat() if chosen["start"] else "",
        "end": chosen["end"].isoformat() if chosen["end"] else "",
    }
    departments = list(selectors.departments_for(user=request.user))
    # the items to filter by: the versions in force, of the departments in scope
    items = catalog_selectors.current_versions(on=today).order_by("name")
    if not selectors.sees_all(request.user):
        items = items.filter(item__department_id__in=[d.pk for d in departments])
    elif chosen["department_id"]:
        items = items.filter(item__department_id=chosen["department_id"])
    return render(
        request,
        "supervision/dashboard/cases.html",
        {
            "page": page,
            "measure": measure,
            "measure_label": dashboard.MEASURES[measure],
            "today": today,
            "live": measure in dashboard.LIVE_MEASURES,
            "measures": list(dashboard.MEASURES.items()),
            "chosen": {
                **keep,
                "department": chosen["department_id"],
                "window": chosen["window_id"],
                "item": item_id,
            },
            "keep": urlencode({k: v for k, v in keep.items() if v}),
            "departments": departments,
            "windows": _windows(),
            "items": list(items.values_list("item_id", "name")[:500]),
            "channels": Channel.choices,
            "errors": errors,
            "back": urlencode(
                {k: keep[k] for k in ("department", "window", "start", "end") if keep[k]}
            ),
        },
        status=400 if errors else 200,
    )
