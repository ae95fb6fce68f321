"""Staff pages of the working-day calendar (/staff/calendar/).

Everyone signed in may read the year view; only the centre administrator sees the
edit links, and the services refuse everyone else (403 page). Views stay thin: parse
a form, call ``calendar.services``, show the Chinese errors beside the form.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from govhall.core import clock, web
from govhall.core.errors import ValidationFailed

from . import rules, selectors, services
from .forms import EditDayForm, ScheduleForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year_or_404(year: int) -> int:
    limit = clock.today().year + selectors.MAX_YEARS_AHEAD
    if not rules.FIRST_YEAR <= year <= limit:
        raise Http404("超出工作日历范围")
    return year


def _months(year: int) -> list[dict]:
    """Twelve month grids (weeks of 7 cells, Monday first) for the year page."""
    days = {d.date: d for d in selectors.year_days(year=year)}
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            weeks.append([days[d] if d.month == month else None for d in week])
        months.append({"month": month, "weeks": weeks})
    return months


@web.dashboard_panel(order=25)
def _schedule_panel(request):
    """工作台, centre administrator: a year whose 放假安排 is due and still 推算 — how
    many of its days are 待定 (counted as working days) and where to enter it."""
    if not services.can_edit(request.user):
        return None
    years = selectors.schedules_to_enter()
    if not years:
        return None
    return {
        "title": "工作日历 · 待录入放假安排",
        "counts": [
            (
                f"{year}年待定日（按工作日计）",
                len(selectors.uncertain_days(year=year)),
                reverse("calendar:year", args=[year]),
            )
            for year in years
        ],
        "links": [
            (f"录入{year}年放假安排", reverse("calendar:enter_schedule", args=[year]))
            for year in years
        ],
    }


@web.staff_page
def index(request):
    year = request.GET.get("year", "")
    return redirect("calendar:year", year=int(year) if year.isdigit() else clock.today().year)


@web.staff_page
def year_view(request, year: int):
    year = _year_or_404(year)
    days = selectors.year_days(year=year)
    uncertain = selectors.uncertain_days(year=year)
    schedule = selectors.year_schedule(year=year)
    context = {
        "year": year,
        "months": _months(year),
        "schedule": schedule,
        "provisional": selectors.is_provisional_year(year=year),
        "holidays": [d for d in days if d.kind == rules.HOLIDAY],
        "makeups": [d for d in days if d.kind == rules.MAKEUP],
        "uncertain": uncertain,
        "uncertain_days": [d for d in days if d.date in uncertain],
        "workday_count": sum(1 for d in days if d.is_workday),
        "years": selectors.covered_years(),
        "can_edit": services.can_edit(request.user),
        "today": clock.today(),
        "kinds": rules.KIND_LABELS,
    }
    return render(request, "calendar/year.html", context)


@web.staff_page
def edit_day(request, day: str):
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404("日期格式不正确") from None
    services.require_editor(actor=request.user)
    current = next(d for d in selectors.year_days(year=_year_or_404(date.year)) if d.date == date)
    form = EditDayForm(request.POST or None, initial={"kind": current.kind, "name": current.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_day(actor=request.user, day=date, **form.cleaned_data)
        except ValidationFailed as exc:
            web.apply_errors(exc, form=form)
        else:
            messages.success(request, f"已调整 {date:%Y-%m-%d}，相关期限将重新计算")
            return redirect("calendar:year", year=date.year)
    return render(request, "calendar/edit_day.html", {"form": form, "day": current})


@web.staff_page
def enter_schedule(request, year: int):
    year = _year_or_404(year)
    services.require_editor(actor=request.user)
    current = "\n".join(
        f"{d.date:%Y-%m-%d} {d.label} {d.name}".strip()
        for d in selectors.year_days(year=year)
        if d.kind in (rules.HOLIDAY, rules.MAKEUP)
    )
    form = ScheduleForm(request.POST or None, request.FILES or None, initial={"lines": current})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if form.cleaned_data.get("file"):
                services.import_year_schedule_excel(
                    actor=request.user, year=year, file=form.cleaned_data["file"], source_note=note
                )
            else:
                services.enter_year_schedule(
                    actor=request.user, year=year, days=form.rows(), source_note=note
                )
        except ValidationFailed as exc:
            errors = [m for ms in (exc.fields or {}).values() for m in ms]
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{year}年放假安排已保存，暂定期限将按新安排重新计算")
            return redirect("calendar:year", year=year)
    return render(
        request,
        "calendar/enter_schedule.html",
        {
            "form": form,
            "year": year,
            "errors": errors,
            "schedule": selectors.year_schedule(year=year),
        },
    )


@web.staff_page
def template(request, year: int):
    content = services.schedule_template(year=_year_or_404(year))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="schedule-{year}.xlsx"'
    return response
