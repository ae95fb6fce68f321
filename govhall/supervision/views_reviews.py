"""卷宗评查, 现场巡查 / 窗口自查 and 第三方评估 staff pages (issue 11 §3), mounted at
/staff/supervision/ by ``urls_reviews``. Thin: the rules are in ``reviews``.

The supervision office (and the centre administrator) draws, reviews and records; a
department's staff read their own department's rows, and its 首席代表 replies 整改 on
its inspection problems."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from govhall.core import clock, web
from govhall.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from govhall.org.models import Department, Window

from . import reviews, selectors
from .models import (
    Check,
    InspectionKind,
    InspectionState,
    QuotaKind,
    ReviewDraw,
    ReviewState,
)

PAGE_SIZE = 50
DENIED = "只有电子监察人员、中心管理员和部门工作人员可以查看评查和巡查记录"


def _require_see(user) -> None:
    if not reviews.may_see(user):
        raise PermissionDenied(DENIED)


def _choice(value: str, choices) -> str:
    return value if value in {c[0] for c in choices} else ""


def _department(user, raw: str) -> int | None:
    departments = {d.pk for d in selectors.departments_for(user=user)}
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    return int(raw) if int(raw) in departments else None


def _date(raw: str, name: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        raise ValidationFailed(
            f"{label}格式不正确，应为 YYYY-MM-DD",
            code="invalid_date",
            fields={name: ["格式不正确"]},
        ) from None


def _last_month() -> dt.date:
    return reviews.month_start(reviews.month_start(clock.today()) - dt.timedelta(days=1))


def _fail(exc: DomainError) -> str:
    if exc.http_status in (403, 404):
        raise exc
    return exc.message


# --------------------------------------------------------------------------- 卷宗评查


@web.staff_page
def review_list(request):
    """One month's sample: scores per department, special-step abuse, the files."""
    user = request.user
    _require_see(user)
    months = list(ReviewDraw.objects.order_by("-month").values_list("month", flat=True)[:36])
    raw = request.GET.get("month", "")
    try:
        month = reviews.parse_month(raw) if raw else (months[0] if months else _last_month())
    except ValidationFailed:
        month = months[0] if months else _last_month()
    draw = ReviewDraw.objects.filter(month=month).select_related("checklist", "drawn_by").first()
    qs = reviews.visible_reviews(user=user).filter(draw__month=month)
    dept = _department(user, request.GET.get("department", ""))
    state = _choice(request.GET.get("state", ""), ReviewState.choices)
    rows = qs
    if dept:
        rows = rows.filter(department_id=dept)
    if state:
        rows = rows.filter(state=state)
    page = Paginator(rows.order_by("department__name", "case__number"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    keep = "&".join(
        f"{k}={v}"
        for k, v in (("month", f"{month:%Y-%m}"), ("department", dept or ""), ("state", state))
        if v
    )
    return render(
        request,
        "supervision/reviews/list.html",
        {
            "month": month,
            "months": months,
            "draw": draw,
            "scores": reviews.month_scores(reviews=qs),
            "abuse": reviews.special_abuse(reviews=qs),
            "page": page,
            "keep": keep,
            "departments": list(selectors.departments_for(user=user)),
            "states": ReviewState.choices,
            "chosen": {"department": dept, "state": state},
            "may_manage": reviews.may_manage(user),
            "sees_all": selectors.sees_all(user),
        },
    )


@web.staff_page
def review_draw(request):
    """抽取: the month, the seed (optional) and per department a count or percentage."""
    user = request.user
    if not reviews.may_manage(user):
        raise PermissionDenied("只有电子监察人员和中心管理员可以抽取评查卷宗")
    departments = list(Department.objects.order_by("pk"))
    data = request.POST if request.method == "POST" else request.GET
    month_text = data.get("month", "") or f"{_last_month():%Y-%m}"
    rows = [
        {
            "department": d,
            "kind": _choice(data.get(f"kind-{d.pk}", ""), QuotaKind.choices) or QuotaKind.COUNT,
            "value": data.get(f"value-{d.pk}", "3")[:6],
        }
        for d in departments
    ]
    error, fields = "", {}
    if request.method == "POST":
        try:
            month = reviews.parse_month(month_text)
            seed_text = data.get("seed", "").strip()[:20]
            quotas = [
                {"department": r["department"], "kind": r["kind"], "value": r["value"]}
                for r in rows
                if r["value"].strip() not in ("", "0")
            ]
            draw = reviews.draw_sample(
                actor=user, month=month, quotas=quotas, seed=seed_text if seed_text else None
            )
        except DomainError as exc:
            error, fields = _fail(exc), exc.fields
        else:
            messages.success(
                request,
                f"已抽取 {draw.month:%Y年%m月} 的评查卷宗 {draw.reviews.count()} 件（随机种子 {draw.seed}）",
            )
            return redirect(reverse("supervision:reviews") + f"?month={draw.month:%Y-%m}")
    return render(
        request,
        "supervision/reviews/draw.html",
        {
            "month": month_text[:7],
            "seed": data.get("seed", "")[:20],
            "rows": rows,
            "kinds": QuotaKind.choices,
            "error": error,
            "fields": fields,
        },
        status=400 if error else 200,
    )


def _findings_from(post, review) -> list[dict]:
    out = []
    for f in review.findings.all():
        if f"awarded-{f.item_id}" in post:
            out.append(
                {
                    "item": f.item_id,
                    "awarded": post.get(f"awarded-{f.item_id}", ""),
                    "note": post.get(f"note-{f.item_id}", ""),
                }
            )
    return out


@web.staff_page
def review_detail(request, pk: int):
    user = request.user
    _require_see(user)
    review = reviews.get_review(user=user, pk=pk)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        args = {
            "actor": user,
            "review": review,
            "findings": _findings_from(request.POST, review),
            "summary": request.POST.get("summary", ""),
        }
        try:
            if action == "finish":
                review = reviews.finish_review(**args)
                done = f"评查完成，得分 {review.score}"
            else:
                review = reviews.save_review(**args)
                done = "已保存评查记录"
        except DomainError as exc:
            error = _fail(exc)
        else:
            messages.success(request, done)
            return redirect("supervision:review", pk=review.pk)
    findings = list(review.findings.select_related("item").order_by("item__order", "item_id"))
    return render(
        request,
        "supervision/reviews/review.html",
        {
            "review": review,
            "case": review.case,
            "findings": findings,
            "possible": sum(f.item.points for f in findings),
            "awarded": sum(f.awarded for f in findings),
            "editable": review.state == ReviewState.OPEN and reviews.may_manage(user),
            "error": error,
        },
        status=400 if error else 200,
    )


@web.staff_page
def checklist(request):
    """评查标准: the current version; the office publishes a new one."""
    user = request.user
    _require_see(user)
    current = reviews.current_checklist()
    items = list(current.items.all())
    error = ""
    if request.method == "POST":
        if not reviews.may_manage(user):
            raise PermissionDenied("只有电子监察人员和中心管理员可以修订评查标准")
        rows = []
        for i in range(reviews.MAX_ITEMS):
            title = request.POST.get(f"title-{i}", "").strip()
            if not title and not request.POST.get(f"points-{i}", "").strip():
                continue
            rows.append(
                {
                    "title": title,
                    "points": request.POST.get(f"points-{i}", ""),
                    "prefill": request.POST.get(f"prefill-{i}", ""),
                }
            )
        try:
            new = reviews.publish_checklist(
                actor=user, items=rows, note=request.POST.get("note", "")
            )
        except DomainError as exc:
            error = _fail(exc)
        else:
            messages.success(request, f"已发布评查标准第 {new.version} 版")
            return redirect("supervision:review_checklist")
    blanks = range(len(items), len(items) + 3)
    return render(
        request,
        "supervision/reviews/checklist.html",
        {
            "checklist": current,
            "items": items,
            "blanks": blanks,
            "total": sum(i.points for i in items),
            "checks": Check.choices,
            "may_manage": reviews.may_manage(user),
            "error": error,
        },
        status=400 if error else 200,
    )


# --------------------------------------------------------------------------- 巡查 / 自查


@web.staff_page
def inspection_list(request):
    user = request.user
    _require_see(user)
    q = request.GET
    kind = _choice(q.get("kind", ""), InspectionKind.choices)
    state = _choice(q.get("state", ""), InspectionState.choices)
    dept = _department(user, q.get("department", ""))
    qs = reviews.visible_inspections(user=user)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if dept:
        qs = qs.filter(department_id=dept)
    page = Paginator(qs, PAGE_SIZE).get_page(q.get("page"))
    keep = "&".join(
        f"{k}={v}" for k, v in (("kind", kind), ("state", state), ("department", dept or "")) if v
    )
    return render(
        request,
        "supervision/reviews/inspections.html",
        {
            "page": page,
            "keep": keep,
            "kinds": InspectionKind.choices,
            "states": InspectionState.choices,
            "departments": list(selectors.departments_for(user=user)),
            "chosen": {"kind": kind, "state": state, "department": dept},
            "may_record": reviews.may_record(user),
            "sees_all": selectors.sees_all(user),
        },
    )


@web.staff_page
def inspection_new(request):
    user = request.user
    if not reviews.may_record(user):
        raise PermissionDenied("只有电子监察人员、中心管理员和部门首席代表可以登记巡查和自查")
    office = reviews.may_manage(user)
    departments = list(
        Department.objects.order_by("pk") if office else selectors.departments_for(user=user)
    )
    windows = list(Window.objects.filter(is_active=True).order_by("centre_id", "number"))
    if not office:  # a department records its own 窗口自查 (reviews.may_record)
        windows = [w for w in windows if w.department_id in {d.pk for d in departments}]
    kinds = (
        InspectionKind.choices
        if office
        else [(v, label) for v, label in InspectionKind.choices if v == InspectionKind.SELF_CHECK]
    )
    data = request.POST if request.method == "POST" else request.GET
    error, fields = "", {}
    if request.method == "POST":
        try:
            dept_raw = data.get("department", "")
            department = next((d for d in departments if str(d.pk) == dept_raw), None)
            if department is None:
                raise ValidationFailed(
                    "请选择被检查部门", code="required", fields={"department": ["必填"]}
                )
            win_raw = data.get("window", "")
            window = next((w for w in windows if str(w.pk) == win_raw), None)
            inspection = reviews.record_inspection(
                actor=user,
                kind=data.get("kind", ""),
                department=department,
                window=window,
                inspected_on=_date(data.get("inspected_on", ""), "inspected_on", "检查日期"),
                inspector=data.get("inspector", ""),
                findings=data.get("findings", ""),
                problem=data.get("problem", ""),
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as exc:
            error, fields = _fail(exc), exc.fields
        else:
            messages.success(request, "已登记")
            return redirect("supervision:inspection", pk=inspection.pk)
    staff = getattr(user, "staff", None)
    return render(
        request,
        "supervision/reviews/inspection_new.html",
        {
            "departments": departments,
            "windows": windows,
            "kinds": kinds,
            "form": {
                "kind": data.get("kind", kinds[0][0]),
                "department": data.get("department", ""),
                "window": data.get("window", ""),
                "inspected_on": data.get("inspected_on", "") or f"{clock.today():%Y-%m-%d}",
                "inspector": data.get("inspector", "") or (staff.name if staff else ""),
                "findings": data.get("findings", ""),
                "problem": data.get("problem", ""),
            },
            "error": error,
            "fields": fields,
        },
        status=400 if error else 200,
    )


@web.staff_page
def inspection_detail(request, pk: int):
    user = request.user
    _require_see(user)
    inspection = reviews.get_inspection(user=user, pk=pk)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "fix":
                inspection = reviews.fix_inspection(
                    actor=user,
                    inspection=inspection,
                    fix=request.POST.get("fix", ""),
                    photos=request.FILES.getlist("photos"),
                )
                done = "已提交整改情况"
            elif action in ("pass", "reject"):
                inspection = reviews.check_inspection(
                    actor=user,
                    inspection=inspection,
                    passed=action == "pass",
                    opinion=request.POST.get("opinion", ""),
                )
                done = "复查通过" if action == "pass" else "复查未通过，已退回整改"
            else:
                return redirect("supervision:inspection", pk=inspection.pk)
        except DomainError as exc:
            error = _fail(exc)
        else:
            messages.success(request, done)
            return redirect("supervision:inspection", pk=inspection.pk)
    return render(
        request,
        "supervision/reviews/inspection.html",
        {
            "inspection": inspection,
            "photos": list(inspection.photos.all()),
            "may_fix": inspection.state == InspectionState.OPEN
            and reviews.may_fix(user, inspection),
            "may_check": inspection.state == InspectionState.FIXED and reviews.may_manage(user),
            "error": error,
        },
        status=400 if error else 200,
    )


@web.staff_page
def inspection_photo(request, pk: int, photo: int):
    """A photo of an inspection the user may see (not a public media URL)."""
    _require_see(request.user)
    inspection = reviews.get_inspection(user=request.user, pk=pk)
    row = inspection.photos.filter(pk=photo).first()
    if row is None:
        raise NotFound("没有该照片")
    try:
        handle = row.file.open("rb")
    except OSError:
        raise NotFound("照片文件已丢失") from None
    return FileResponse(handle, filename=row.name.rsplit("/", 1)[-1])


# --------------------------------------------------------------------------- 第三方评估


@web.staff_page
def third_party(request):
    user = request.user
    _require_see(user)
    departments = list(Department.objects.order_by("pk"))
    error, fields = "", {}
    data = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        if not reviews.may_manage(user):
            raise PermissionDenied("只有电子监察人员和中心管理员可以录入第三方评估")
        try:
            department = next(
                (d for d in departments if str(d.pk) == data.get("department", "")), None
            )
            if department is None:
                raise ValidationFailed(
                    "请选择部门", code="required", fields={"department": ["必填"]}
                )
            reviews.record_third_party(
                actor=user,
                department=department,
                period_start=_date(data.get("period_start", ""), "period_start", "评估期起"),
                period_end=_date(data.get("period_end", ""), "period_end", "评估期止"),
                score=data.get("score", "")[:10],
                source=data.get("source", ""),
                note=data.get("note", ""),
            )
        except DomainError as exc:
            error, fields = _fail(exc), exc.fields
        else:
            messages.success(request, "已录入第三方评估")
            return redirect("supervision:third_party")
    page = Paginator(reviews.visible_third_party(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supervision/reviews/third_party.html",
        {
            "page": page,
            "keep": "",
            "departments": departments,
            "form": data,
            "may_manage": reviews.may_manage(user),
            "error": error,
            "fields": fields,
        },
        status=400 if error else 200,
    )
