"""绩效评估 staff pages (issue 11 §4), mounted at /staff/supervision/evaluation/: the
evaluation (period, level, table, formula and weights, chart), the ranking, a
department's own page, and the year-end reports (Excel, PDF). The supervision office
and the centre administrator see every unit; a department's staff their own
department's figures only (``evaluation.scope_for``)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import redirect, render

from govhall.core import web
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed
from govhall.org.models import Department

from . import evaluation, report, selectors
from .evaluation import INDICATORS, LEVELS, Period

DENIED = "只有电子监察人员、中心管理员和部门工作人员可以查看绩效评估"


def _period(request) -> tuple[Period, str]:
    """The ``period`` asked for (default: this year) and an error message."""
    value = request.GET.get("period", "").strip()
    if not value:
        return evaluation.default_period(), ""
    try:
        return Period.parse(value), ""
    except ValidationFailed as exc:
        return evaluation.default_period(), exc.message


def _department_param(request) -> int | None:
    value = request.GET.get("department", "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _chart(rows) -> dict:
    ranked = [r for r in rows if r.score is not None]
    return {
        "names": [r.name for r in ranked],
        "scores": [round(r.score, 1) for r in ranked],
    }


def _picker(period: Period) -> list[tuple[str, str]]:
    """The picker's periods, with the one shown even when it is older."""
    choices = evaluation.choices_of_periods()
    if period.code not in {code for code, _ in choices}:
        choices.append((period.code, period.label))
    return choices


def _common(request, period: Period, error: str) -> dict:
    return {
        "period": period,
        "periods": _picker(period),
        "error": error,
        "indicators": INDICATORS,
        "weighted_indicators": [(i, evaluation.weights()[i.key]) for i in INDICATORS],
        "sees_all": selectors.sees_all(request.user),
    }


@web.staff_page
def evaluation_page(request):
    if not evaluation.may_see(request.user):
        raise PermissionDenied(DENIED)
    period, error = _period(request)
    level = request.GET.get("level", "department")
    if level not in LEVELS:
        level, error = "department", error or "评估层级无效，已显示部门评估"
    departments = list(selectors.departments_for(user=request.user))
    asked = _department_param(request)
    if asked is not None and asked not in {d.pk for d in departments}:
        asked = None
    scope = evaluation.scope_for(request.user, asked)
    # a department's staff: their own department's row (ranked among all), or the
    # windows and staff of its cases
    rows = evaluation.evaluate(period=period, level=level, department_id=scope)
    context = _common(request, period, error) | {
        "level": level,
        "levels": list(LEVELS.items()),
        "level_label": LEVELS[level],
        "departments": departments,
        "department": asked,
        "rows": rows,
        "chart": _chart(rows),
    }
    return render(
        request, "supervision/evaluation/evaluation.html", context, status=400 if error else 200
    )


@web.staff_page
def ranking(request):
    """部门排名: the office sees every department; a department its own place."""
    if not evaluation.may_see(request.user):
        raise PermissionDenied(DENIED)
    period, error = _period(request)
    own = evaluation.own_department(request.user)
    rows = evaluation.evaluate(period=period, level="department", department_id=own)
    context = _common(request, period, error) | {"rows": rows, "chart": _chart(rows)}
    return render(
        request, "supervision/evaluation/ranking.html", context, status=400 if error else 200
    )


def _department(request, pk: int) -> Department:
    if not evaluation.may_see(request.user):
        raise PermissionDenied(DENIED)
    evaluation.scope_for(request.user, pk)
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise NotFound("没有该部门")
    return department


@web.staff_page
def my_department(request):
    """本部门绩效: a department's staff go to their department's page."""
    own = evaluation.own_department(request.user)
    if own is None:
        return redirect("supervision:evaluation")
    return redirect("supervision:evaluation_department", pk=own)


@web.staff_page
def department_page(request, pk: int):
    department = _department(request, pk)
    period, error = _period(request)
    rows = evaluation.evaluate(period=period, level="department", department_id=department.pk)
    months = [
        (m, r[0]) for m, r in evaluation.trend(period=period, department_id=department.pk) if r
    ]
    row = rows[0]
    context = _common(request, period, error) | {
        "department": department,
        "row": row,
        "months": months,
        "chart": {
            "indicators": [i.label for i in INDICATORS],
            "scores": [None if v.score is None else round(v.score, 1) for v in row.values],
            "months": [f"{m.number}月" for m, _ in months],
            "on_time": [
                None
                if r.value("on_time_rate").raw is None
                else round(100 * r.value("on_time_rate").raw, 1)
                for _, r in months
            ],
            "month_scores": [None if r.score is None else round(r.score, 1) for _, r in months],
        },
    }
    return render(
        request, "supervision/evaluation/department.html", context, status=400 if error else 200
    )


def _download(content: bytes, content_type: str, name: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    return response


def _report_period(request) -> Period:
    period, error = _period(request)
    if error:
        raise NotFound(error)
    return period


@web.staff_page
def department_xlsx(request, pk: int):
    department = _department(request, pk)
    period = _report_period(request)
    content = report.department_workbook(period=period, department_id=department.pk)
    name = report.filename(period, department.short_name or department.name, "xlsx")
    return _download(content, report.XLSX, name)


@web.staff_page
def department_pdf(request, pk: int):
    department = _department(request, pk)
    period = _report_period(request)
    content = report.department_pdf(period=period, department_id=department.pk)
    name = report.filename(period, department.short_name or department.name, "pdf")
    return _download(content, "application/pdf", name, inline=True)


@web.staff_page
def all_xlsx(request):
    """各部门汇总工作簿: the supervision office and the centre administrator only."""
    if not selectors.sees_all(request.user):
        raise PermissionDenied("只有电子监察人员和中心管理员可以导出各部门绩效评估")
    period = _report_period(request)
    content = report.all_departments_workbook(period=period)
    return _download(content, report.XLSX, report.filename(period, "各部门", "xlsx"))
