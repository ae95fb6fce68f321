"""电子监察大屏 (issue 11 §4): the figures of the dashboard and the cases behind each.

Two sources:

* **today** (在办 / 黄灯 / 红灯 / 超期 / 暂停计时, per department and per window) is read
  live from the case table: one grouped query over the open cases (the partial index
  ``case_open_dept_due``), each case's light computed by the one rule of the cases app
  (``cases.deadlines.light_expression`` / ``light_filter``, R-LIGHT-1). A case's
  window is its 承办人's window (``Case.responsible.window``); a case with no 承办人
  or whose 承办人 has no window counts under 未指定窗口.
* **history** (收件 / 受理 / 办结 / 按时办结 per department, the trend per day, the
  ranking) is added up from the daily rollups (``rollups.totals``), never from the
  case table.

Open 督办单 come from ``selectors.visible_orders``.

:func:`figures` is everything the page and the API show; :func:`drill` the cases
behind any of its numbers (same rule, so a drill-down list has exactly as many rows
as the number it came from). 一件事 parents are not counted: their children (one per
department) are, as in the warnings and the rollups.

Who sees what: the supervision office, the centre administrator and the superuser
the whole county (any department, any window); a department's staff their own
department only (another department's id is refused, 403); anyone else nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from govhall.cases import deadlines
from govhall.cases import selectors as case_selectors
from govhall.cases.models import OPEN_STATES, Case, Channel, Light
from govhall.catalog.models import Item
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed
from govhall.org import permissions
from govhall.org.models import Department, Staff, Window

from . import selectors
from .models import OPEN_ORDER_STATES

DENIED = "只有电子监察人员、中心管理员和部门工作人员可以查看监察大屏"
OTHER_DEPARTMENT = "部门工作人员只能查看本部门的数据"

# The default period of the history part: the last 30 days up to today.
DEFAULT_DAYS = 30
# The longest period one request may ask for (three years and a day).
MAX_DAYS = 3 * 366
# The dates a period may name at all.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)

# Today's measures, read live (code → label); the light measures are the lights of
# cases.models.Light.
LIVE_MEASURES = {
    "open": "在办",
    Light.NORMAL.value: "正常",
    Light.YELLOW.value: "黄灯",
    Light.RED.value: "红灯（今日到期）",
    Light.OVERDUE.value: "超期",
    Light.PAUSED.value: "暂停计时",
}
# The period's measures, from the rollups (code → label).
HISTORY_MEASURES = {
    "received": "收件",
    "accepted": "受理",
    "completed": "办结",
    "on_time": "按时办结",
    "late": "超时办结",
}
MEASURES = {**LIVE_MEASURES, **HISTORY_MEASURES}
LIGHTS = (Light.NORMAL, Light.YELLOW, Light.RED, Light.OVERDUE, Light.PAUSED)
NO_WINDOW = "未指定窗口"
# ``window_id=0``: the cases of no window (no 承办人, or a 承办人 without a window).
NO_WINDOW_ID = 0


# --------------------------------------------------------------------------- scope


def may_see(user) -> bool:
    """May ``user`` open the dashboard at all (the staff nav link)?"""
    return selectors.may_see_warnings(user)


def _scope(user, department_id: int | None) -> int | None:
    """The department the figures are limited to (``None``: the whole county).

    Raises PermissionDenied for someone who may not see the dashboard or a
    department's staff asking for another department, NotFound for an unknown id."""
    if selectors.sees_all(user):
        if department_id is not None and not Department.objects.filter(pk=department_id).exists():
            raise NotFound("没有该部门", code="department_not_found")
        return department_id
    staff = permissions.active_staff(user)
    if staff is None or staff.department_id is None:
        raise PermissionDenied(DENIED)
    if department_id is not None and department_id != staff.department_id:
        raise PermissionDenied(OTHER_DEPARTMENT)
    return staff.department_id


def _check_window(window_id: int | None) -> None:
    if window_id in (None, NO_WINDOW_ID):
        return
    if not Window.objects.filter(pk=window_id).exists():
        raise NotFound("没有该窗口", code="window_not_found")


def _at_window(qs: QuerySet[Case], window_id: int | None) -> QuerySet[Case]:
    """The cases whose 承办人 sits at the window (:data:`NO_WINDOW_ID`: at none)."""
    if window_id is None:
        return qs
    if window_id == NO_WINDOW_ID:
        staff = Staff.objects.filter(window__isnull=True).values("pk")
        return qs.filter(Q(responsible__isnull=True) | Q(responsible__in=staff))
    return qs.filter(responsible__in=Staff.objects.filter(window_id=window_id).values("pk"))


def period(
    *, today: dt.date, start: dt.date | None = None, end: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The history period: ``start``..``end`` (both included), by default the last
    :data:`DEFAULT_DAYS` days up to ``today``; at most :data:`MAX_DAYS` days."""
    for value, name in ((start, "start"), (end, "end")):
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValidationFailed(
                f"日期应在 {FIRST_DAY} 至 {LAST_DAY} 之间",
                code="invalid_period",
                fields={name: ["超出范围"]},
            )
    end = end or today
    start = start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ValidationFailed(
            "开始日期不能晚于结束日期", code="invalid_period", fields={"start": ["晚于结束日期"]}
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(
            f"统计期间不能超过 {MAX_DAYS} 天",
            code="invalid_period",
            fields={"start": [f"期间超过 {MAX_DAYS} 天"]},
        )
    return start, end


def _day_start(day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in the centre's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _not_parent(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Without 一件事 parents (their children carry the counts)."""
    return qs.exclude(bundle__isnull=False, parent__isnull=True)


# --------------------------------------------------------------------------- figures


def _zero_live() -> dict:
    return {"open": 0, **{light.value: 0 for light in LIGHTS}, "not_accepted": 0}


def _live(*, today: dt.date, department_id: int | None, window_id: int | None) -> list[dict]:
    """(department, 承办人's window, light, n) of the open cases: one grouped query on
    the case table alone (no join: the light from the row, grouped by the 承办人), then
    the 承办人's windows from the staff table (a few rows)."""
    qs = _not_parent(Case.objects.filter(state__in_literals=OPEN_STATES))
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    qs = _at_window(qs, window_id)
    rows = list(
        qs.annotate(light=deadlines.light_expression(today))
        .values("department_id", "responsible_id", "light")
        .annotate(n=Count("*"))  # no column: an index of the open cases can answer alone
        .order_by()
    )
    staff = {r["responsible_id"] for r in rows} - {None}
    windows = (
        dict(Staff.objects.filter(pk__in=staff).values_list("pk", "window_id")) if staff else {}
    )
    for row in rows:
        row["window_id"] = windows.get(row["responsible_id"])
    return rows


def _add_live(total: dict, light: str, n: int) -> None:
    total["open"] += n
    if light:
        total[light] += n
    else:  # no clock yet: 已申请 / 待补正
        total["not_accepted"] += n


def _rate(on_time: int, completed: int) -> float | None:
    """按时办结率 in per cent (one decimal), ``None`` when nothing was completed."""
    return round(100.0 * on_time / completed, 1) if completed else None


HISTORY_FIELDS = ("received", "accepted", "completed", "completed_on_time")


def _history_row(row: dict | None) -> dict:
    row = row or {}
    data = {name: int(row.get(name) or 0) for name in HISTORY_FIELDS}
    data["on_time"] = data.pop("completed_on_time")
    data["late"] = data["completed"] - data["on_time"]
    data["on_time_rate"] = _rate(data["on_time"], data["completed"])
    return data


def _history(
    *, start: dt.date, end: dt.date, department_id: int | None, window_id: int | None
) -> tuple[dict[int, dict], list[dict]]:
    """Per department and per day, from the rollups."""
    from . import rollups

    department_ids = [department_id] if department_id is not None else None
    no_window = window_id == NO_WINDOW_ID

    def read(group: str) -> list[dict]:
        if not no_window:
            return rollups.totals(
                start=start,
                end=end,
                group_by=(group,),
                department_ids=department_ids,
                window_ids=[window_id] if window_id is not None else None,
            )
        # the rows of no window: by window too, the rows of window None kept
        rows = rollups.totals(
            start=start, end=end, group_by=(group, "window"), department_ids=department_ids
        )
        return [row for row in rows if row["window"] is None]

    per_department, per_day = read("department"), read("day")
    by_department = {row["department"]: _history_row(row) for row in per_department}
    days = {row["day"]: row for row in per_day}
    trend = []
    day = start
    while day <= end:
        trend.append({"day": day, **_history_row(days.get(day))})
        day += dt.timedelta(days=1)
    return by_department, trend


def _orders(*, user, department_id: int | None) -> dict:
    qs = selectors.visible_orders(user=user).filter(state__in=OPEN_ORDER_STATES)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    counts = list(
        qs.values("department_id")
        .annotate(n=Count("id"), escalated=Count("id", filter=Q(escalated_at__isnull=False)))
        .order_by()
    )
    latest = [
        {
            "number": o.number,
            "case_number": o.case.number,
            "department": o.department_id,
            "department_name": o.department.short_name or o.department.name,
            "reply_due": o.reply_due,
            "escalated": o.escalated,
            "state_label": o.get_state_display(),
        }
        for o in qs.order_by("reply_due", "id")[:10]
    ]
    return {
        "open": sum(r["n"] for r in counts),
        "escalated": sum(r["escalated"] for r in counts),
        "by_department": {r["department_id"]: r for r in counts},
        "latest": latest,
    }


def figures(
    *,
    user,
    today: dt.date,
    department_id: int | None = None,
    window_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict:
    """Everything the dashboard shows, for what ``user`` may see.

    ``current``: today's 在办 (``open``), ``not_accepted`` (在办 not yet accepted: no
    clock), and per light ``normal`` / ``yellow`` / ``red`` / ``overdue`` / ``paused``;
    ``departments`` and ``windows``: the same per department / window, each department
    with its history of the period (``received``, ``accepted``, ``completed``,
    ``on_time``, ``late``, ``on_time_rate`` in per cent) and its open 督办单;
    ``history``: the period's totals; ``trend``: one row per day of the period;
    ``ranking``: the departments with completions by on-time rate (then completions);
    ``orders``: open 督办单 (待回复 / 退回重办), escalated ones, the ten due first.
    A handful of queries whatever the number of cases."""
    department_id = _scope(user, department_id)
    _check_window(window_id)
    start, end = period(today=today, start=start, end=end)

    live_rows = _live(today=today, department_id=department_id, window_id=window_id)
    current = _zero_live()
    live_by_department: dict[int, dict] = defaultdict(_zero_live)
    live_by_window: dict[int | None, dict] = defaultdict(_zero_live)
    for row in live_rows:
        _add_live(current, row["light"], row["n"])
        _add_live(live_by_department[row["department_id"]], row["light"], row["n"])
        _add_live(live_by_window[row["window_id"]], row["light"], row["n"])

    history_by_department, trend = _history(
        start=start, end=end, department_id=department_id, window_id=window_id
    )
    orders = _orders(user=user, department_id=department_id)

    if department_id is not None:
        depts = Department.objects.filter(pk=department_id)
    else:
        ids = set(live_by_department) | set(history_by_department) | set(orders["by_department"])
        depts = Department.objects.filter(Q(is_active=True) | Q(pk__in=ids))
    departments = []
    for d in depts.order_by("name").only("id", "name", "short_name"):
        order_row = orders["by_department"].get(d.pk, {})
        departments.append(
            {
                "id": d.pk,
                "name": d.short_name or d.name,
                **live_by_department.get(d.pk, _zero_live()),
                **(history_by_department.get(d.pk) or _history_row(None)),
                "orders_open": order_row.get("n", 0),
                "orders_escalated": order_row.get("escalated", 0),
            }
        )

    window_names = {
        w.pk: f"{w.number} {w.name}"
        for w in Window.objects.filter(pk__in=[k for k in live_by_window if k is not None])
    }
    windows = sorted(
        (
            {
                "id": NO_WINDOW_ID if k is None else k,
                "name": NO_WINDOW if k is None else window_names.get(k, NO_WINDOW),
                **v,
            }
            for k, v in live_by_window.items()
        ),
        key=lambda w: (w["id"] == NO_WINDOW_ID, w["name"]),
    )

    history = _history_row(None)
    for row in history_by_department.values():
        for name in ("received", "accepted", "completed", "on_time", "late"):
            history[name] += row[name]
    history["on_time_rate"] = _rate(history["on_time"], history["completed"])

    ranked = sorted(
        (d for d in departments if d["completed"]),
        key=lambda d: (-d["on_time_rate"], -d["completed"], d["name"]),
    )
    ranking = [
        {
            "rank": i,
            "id": d["id"],
            "name": d["name"],
            "completed": d["completed"],
            "on_time": d["on_time"],
            "on_time_rate": d["on_time_rate"],
        }
        for i, d in enumerate(ranked, 1)
    ]
    return {
        "today": today,
        "start": start,
        "end": end,
        "department": department_id,
        "window": window_id,
        "sees_all": department_id is None and selectors.sees_all(user),
        "current": current,
        "departments": departments,
        "windows": windows,
        "history": history,
        "trend": trend,
        "ranking": ranking,
        "orders": {
            "open": orders["open"],
            "escalated": orders["escalated"],
            "latest": orders["latest"],
        },
    }


# --------------------------------------------------------------------------- drill-down


def _history_filter(measure: str, start: dt.date, end: dt.date) -> Q:
    since, until = _day_start(start), _day_start(end + dt.timedelta(days=1))
    if measure == "received":
        return Q(received_at__gte=since, received_at__lt=until)
    if measure == "accepted":
        return Q(accepted_on__gte=start, accepted_on__lte=end)
    done = Q(completed_at__gte=since, completed_at__lt=until)
    # as the rollups count it: a case without a due date counts as on time
    if measure == "on_time":
        return done & (Q(due_date__isnull=True) | Q(completed_at__date__lte=F("due_date")))
    if measure == "late":
        return done & Q(due_date__isnull=False, completed_at__date__gt=F("due_date"))
    return done  # completed


HISTORY_ORDER = {
    "received": ("-received_at", "-id"),
    "accepted": ("-accepted_on", "-id"),
}


def drill(
    *,
    user,
    today: dt.date,
    measure: str,
    department_id: int | None = None,
    window_id: int | None = None,
    item_id: int | None = None,
    channel: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Case]:
    """The cases behind a number of :func:`figures` (``measure``: a key of
    :data:`MEASURES`), with ``light`` annotated, for what ``user`` may see.

    Today's measures (``open`` and the lights) take the cases open today; ``start``/
    ``end`` then narrow them to those received in the period. The period's measures
    take the cases received (``received``), accepted (``accepted``) or completed
    (``completed``; ``on_time``: on or before the due date, or without one;
    ``late``: after it) in the period
    (default the last :data:`DEFAULT_DAYS` days), as the rollups count them.
    ``item_id`` and ``channel`` (申请渠道) narrow either kind."""
    if measure not in MEASURES:
        raise ValidationFailed(
            f"未知的统计口径：{measure[:30]}", code="invalid_measure", fields={"measure": ["未知"]}
        )
    department_id = _scope(user, department_id)
    _check_window(window_id)
    if channel and channel not in Channel.values:
        raise ValidationFailed(
            "未知的申请渠道", code="invalid_filter", fields={"channel": ["未知"]}
        )
    if item_id is not None and not Item.objects.filter(pk=item_id).exists():
        raise NotFound("没有该事项", code="item_not_found")

    if measure in LIVE_MEASURES:
        light = None if measure == "open" else measure
        qs = case_selectors.case_list(
            user=user,
            today=today,
            department=department_id,
            states=list(OPEN_STATES) if light is None else None,
            light=light,
        )
        if start or end:
            since, until = period(today=today, start=start, end=end)
            qs = qs.filter(
                received_at__gte=_day_start(since),
                received_at__lt=_day_start(until + dt.timedelta(days=1)),
            )
    else:
        since, until = period(today=today, start=start, end=end)
        qs = case_selectors.case_list(user=user, today=today, department=department_id)
        qs = qs.filter(_history_filter(measure, since, until)).order_by(
            *HISTORY_ORDER.get(measure, ("-completed_at", "-id"))
        )
    qs = _at_window(_not_parent(qs), window_id)
    if item_id is not None:
        qs = qs.filter(item_id=item_id)
    if channel:
        qs = qs.filter(channel=channel)
    return qs


# --------------------------------------------------------------------------- 公开


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of ``day``'s month, ``back`` months earlier."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _monthly_row(month: dt.date, row: dict | None) -> dict:
    row = row or {}
    received, completed = int(row.get("received") or 0), int(row.get("completed") or 0)
    on_time = int(row.get("completed_on_time") or 0)
    return {
        "month": month,
        "received": received,
        "completed": completed,
        "on_time": on_time,
        "on_time_rate": _rate(on_time, completed),
    }


def _summed(month, rows) -> dict:
    total = {"received": 0, "completed": 0, "completed_on_time": 0}
    for row in rows:
        for name in total:
            total[name] += row.get(name) or 0
    return _monthly_row(month, total)


def public_statistics(*, today: dt.date, months: int = 12) -> dict:
    """政务公开 (the portal's statistics): per month of the last ``months`` months (the
    current one up to ``today``) the cases received (收件) and completed (办结) and the
    on-time rate (按时办结率, per cent), for the county and per department, from the
    rollups (one grouped query). Counts and department names only: no personal data.

    ``{"start", "end", "months": [first days], "county": [row per month], "total",
    "departments": [{"id", "name", "months": [row per month], "total"}]}``; a
    department appears when it received or completed something in the period."""
    from . import rollups

    start = _month_start(today, months - 1)
    firsts = [_month_start(today, back) for back in range(months - 1, -1, -1)]
    rows = rollups.totals(start=start, end=today, group_by=("department", "month"))
    by_department: dict[int, dict[dt.date, dict]] = defaultdict(dict)
    for row in rows:
        by_department[row["department"]][row["month"]] = row
    names = {
        d.pk: d.name
        for d in Department.objects.filter(pk__in=list(by_department)).only("id", "name")
    }
    departments = []
    for pk, per_month in by_department.items():
        departments.append(
            {
                "id": pk,
                "name": names.get(pk, ""),
                "months": [_monthly_row(m, per_month.get(m)) for m in firsts],
                "total": _summed(None, per_month.values()),
            }
        )
    departments.sort(key=lambda d: d["name"])
    county = [_summed(m, [by_department[pk].get(m) or {} for pk in by_department]) for m in firsts]
    return {
        "start": start,
        "end": today,
        "months": firsts,
        "county": county,
        "total": _summed(None, rows),
        "departments": departments,
    }
