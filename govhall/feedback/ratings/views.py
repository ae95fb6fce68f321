"""Staff pages of 好差评 (/staff/feedback/ratings/): the 评价列表 and 满意度统计, the
window's evaluator screen (窗口评价器), the 差评 list and page (each step of the loop
as a form, 整改台账销号, 申诉), and the appeal page (复核). Thin: every rule is in
``services`` and every read in ``selectors``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from govhall.cases.models import Case
from govhall.cases.selectors import mask_name
from govhall.core import clock, web
from govhall.core.errors import DomainError, NotFound, PermissionDenied
from govhall.org import permissions

from . import loop, selectors, services
from .models import (
    BAD_LEVELS,
    OPEN_BAD_REVIEW_STATES,
    Appeal,
    AppealState,
    BadReview,
    ContactMethod,
    LedgerEntry,
    Level,
    RatingChannel,
)

PAGE_SIZE = 50
LIST_PAGE_SIZE = 30

# The fields each step's form posts (the names of ``services.advance``'s inputs).
STEP_FIELDS = {
    "callback": ("method", "contact", "content", "at"),
    "verify": ("finding",),
    "rectify": ("measures",),
    "ledger": ("problem", "measures", "due_on"),
    "explain": ("explanation",),
    "feedback": ("method", "content"),
    "close": (),
}


@web.staff_page
def bad_reviews(request):
    """差评整改 list: the user's visible ones, open first by deadline."""
    qs = selectors.visible_bad_reviews(user=request.user)
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.filter(state__in=OPEN_BAD_REVIEW_STATES)
    elif status == "overdue":
        qs = qs.filter(state__in=OPEN_BAD_REVIEW_STATES, due_on__lt=clock.today())
    page = Paginator(qs.order_by("due_on", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ratings/bad_reviews.html",
        {
            "page": page,
            "status": status,
            "today": clock.today(),
            "statuses": [("open", "未办结"), ("overdue", "已逾期"), ("all", "全部")],
        },
    )


def _list_filters(query) -> dict:
    """The 评价列表's filters from the query string; a value that does not parse is
    left out (the form shows it empty)."""
    channel = query.get("channel", "")
    bad = query.get("bad", "")
    return {
        "department": web.query_int(query.get("department")),
        "channel": channel if channel in RatingChannel.values else "",
        "level": web.query_int(query.get("level"), maximum=5),
        "bad": {"1": True, "0": False}.get(bad),
        "number": (query.get("number") or "").strip()[:40],
        "start": web.query_date(query.get("start")),
        "end": web.query_date(query.get("end")),
    }


@web.staff_page
def rating_list(request):
    """评价列表: the ratings the user may see, filtered, 30 a page, newest first."""
    filters = _list_filters(request.GET)
    page = Paginator(selectors.rating_list(user=request.user, **filters), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "rating": r,
            "item": selectors.item_name(r),
            "rater": selectors.shown_name(r),
            "rater_phone": selectors.shown_phone(r),
            "reasons": selectors.reason_labels(r),
            "bad": getattr(r, "bad_review", None) if r.is_bad else None,
        }
        for r in page
    ]
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "ratings/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "keep": keep.urlencode(),
            "departments": selectors.rating_departments(user=request.user),
            "channels": RatingChannel.choices,
            "levels": Level.choices,
            "may_see_statistics": selectors.may_see_statistics(request.user),
        },
    )


@web.staff_page
def statistics(request):
    """满意度统计 over a date range (default this month): totals, by department, by
    channel, by level, by window and 承办人, one chart."""
    if not selectors.may_see_statistics(request.user):
        raise PermissionDenied("满意度统计仅对电子监察人员、中心管理员和部门首席代表、审批人员开放")
    today = clock.today()
    start = web.query_date(request.GET.get("start")) or today.replace(day=1)
    end = web.query_date(request.GET.get("end")) or today
    error = ""
    if start > end:
        error, start, end = "开始日期不能晚于结束日期，已显示本月", today.replace(day=1), today
    totals = selectors.satisfaction(user=request.user, start=start, end=end)
    breakdown = selectors.satisfaction_breakdown(user=request.user, start=start, end=end)
    levels = [
        {"level": value, "label": label, "count": totals["by_level"].get(str(value), 0)}
        for value, label in Level.choices
    ]
    for row in levels:
        row["share"] = round(100.0 * row["count"] / totals["total"], 1) if totals["total"] else None
    rate = totals["real_name_rectification_rate"]
    chart = {
        "departments": [
            {"name": d["name"], "good": d["total"] - d["bad"], "bad": d["bad"]}
            for d in breakdown["departments"]
        ],
        "days": [
            {"day": d["day"].isoformat(), "total": d["total"], "bad": d["bad"]}
            for d in breakdown["days"]
        ],
    }
    return render(
        request,
        "ratings/statistics.html",
        {
            "start": start,
            "end": end,
            "error": error,
            "totals": totals,
            "rectification_short": rate is not None and rate < 100,
            "levels": levels,
            "departments": breakdown["departments"],
            "channels": breakdown["channels"],
            "staff_rows": selectors.satisfaction_by_staff(user=request.user, start=start, end=end),
            "chart": chart,
            "sees_all": selectors.sees_all(request.user),
        },
    )


def _step_inputs(post, action: str) -> dict:
    inputs = {}
    for name in STEP_FIELDS.get(action, ()):
        value = (post.get(name) or "").strip()
        if name == "at" and not value:
            continue
        inputs[name] = value
    return inputs


@web.staff_page
def bad_review(request, pk: int):
    bad = selectors.visible_bad_reviews(user=request.user).filter(pk=pk).first()
    if bad is None:
        raise NotFound("没有该差评，或您无权查看")
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in STEP_FIELDS:
                version = request.POST.get("version", "")
                services.advance(
                    actor=request.user,
                    bad_review=bad,
                    action=action,
                    expected_version=int(version) if version.isdigit() else None,
                    **_step_inputs(request.POST, action),
                )
                done = f"已{loop.ACTIONS[action]}"
            elif action == "ledger_done" and hasattr(bad, "ledger_entry"):
                services.complete_ledger(
                    actor=request.user,
                    entry=bad.ledger_entry,
                    result=request.POST.get("result", ""),
                )
                done = "整改台账已销号"
            elif action == "appeal":
                services.file_appeal(
                    actor=request.user,
                    rating=bad.rating,
                    reason=request.POST.get("reason", ""),
                    files=request.FILES.getlist("files"),
                )
                done = "已提交申诉"
            else:
                return redirect("ratings:bad_review", pk=bad.pk)
        except DomainError as exc:
            if exc.http_status in (403, 404):
                raise
            error = exc.message
        else:
            messages.success(request, done)
            return redirect("ratings:bad_review", pk=bad.pk)
        bad = selectors.visible_bad_reviews(user=request.user).get(pk=bad.pk)
    may_act = services.may_act(request.user, bad)
    rating = bad.rating
    return render(
        request,
        "ratings/bad_review.html",
        {
            "bad": bad,
            "rating": rating,
            "rater": selectors.shown_name(rating),
            "rater_phone": selectors.shown_phone(rating),
            "reasons": selectors.reason_labels(rating),
            "callbacks": bad.callbacks.select_related("by"),
            "ledger": LedgerEntry.objects.filter(bad_review=bad).first(),
            "actions": loop.offered(bad.state) if may_act else [],
            "may_act": may_act,
            "methods": ContactMethod.choices,
            "appeal": Appeal.objects.filter(rating=rating).first(),
            "may_appeal": services.may_appeal(request.user, rating),
            "overdue": bad.is_open and bad.due_on < clock.today(),
            "error": error,
        },
        status=400 if error else 200,
    )


@web.staff_page
def appeal(request, pk: int):
    found = selectors.visible_appeals(user=request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound("没有该申诉，或您无权查看")
    error = ""
    if request.method == "POST" and request.POST.get("action") in ("uphold", "reject"):
        try:
            services.decide_appeal(
                actor=request.user,
                appeal=found,
                upheld=request.POST["action"] == "uphold",
                opinion=request.POST.get("opinion", ""),
            )
        except DomainError as exc:
            if exc.http_status in (403, 404):
                raise
            error = exc.message
        else:
            messages.success(request, "已复核申诉")
            return redirect("ratings:appeal", pk=found.pk)
    bad = BadReview.objects.filter(rating=found.rating).first()
    return render(
        request,
        "ratings/appeal.html",
        {
            "appeal": found,
            "rating": found.rating,
            "bad": bad,
            "attachments": found.attachments.all(),
            "may_decide": found.state == AppealState.PENDING
            and selectors.is_reviewer(request.user)
            and getattr(permissions.staff_of(request.user), "pk", None) != found.appellant_id,
            "error": error,
        },
        status=400 if error else 200,
    )


# --------------------------------------------------------------------------- 窗口评价器

EVALUATOR_LEVELS = [
    (5, "非常满意", "very-satisfied"),
    (4, "满意", "satisfied"),
    (3, "基本满意", "fair"),
    (2, "不满意", "dissatisfied"),
    (1, "非常不满意", "very-dissatisfied"),
]


def _level(value: str) -> int | None:
    return int(value) if value in {"1", "2", "3", "4", "5"} else None


@web.staff_page
def evaluator_start(request):
    """The window opens the evaluator for the case in front of it (受理编号)."""
    number = (request.GET.get("number") or "").strip()[:40]
    if number:
        return redirect("ratings:evaluator", number=number)
    return render(request, "ratings/evaluator_start.html", {})


@web.staff_page
def evaluator(request, number: str):
    """窗口评价器 (800×1280 tablet): five big buttons; a 差评 asks for its reasons
    on a second screen; then thanks, and the window opens the next case. The rating
    is the window channel's (``services.rate_as_staff``: staff of the case's centre
    or department; the applicant presses the buttons)."""
    case = (
        Case.objects.select_related("item_version", "bundle", "responsible")
        .filter(number=number[:40])
        .first()
    )
    if case is None:
        raise NotFound("没有该受理编号的办件")
    if not services.may_enter(request.user, case):
        raise PermissionDenied("只有本中心或办理部门的工作人员可以为该办件开启评价器")
    context = {
        "case": case,
        "item": case.item_version.name if case.item_version_id else case.bundle.name,
        "applicant": mask_name(case.applicant_name),
        "staff": case.responsible,
        "levels": EVALUATOR_LEVELS,
        "reasons": list(services.reason_choices().items()),
        "step": "levels",
    }
    if request.method == "POST":
        level = _level(request.POST.get("level", ""))
        reasons = request.POST.getlist("reasons")[:20]
        if level is None:
            context["error"] = "请选择满意程度"
        elif level in BAD_LEVELS and request.POST.get("step") != "reasons":
            context.update(step="reasons", level=level, level_label=Level(level).label)
        else:
            try:
                rating = services.rate_as_staff(
                    actor=request.user,
                    case=case,
                    channel=RatingChannel.WINDOW,
                    level=level,
                    reasons=reasons,
                    real_name=request.POST.get("real_name") == "1",
                )
            except DomainError as exc:
                context["error"] = exc.message
                if exc.code in ("reasons_required", "unknown_reason"):
                    context.update(step="reasons", level=level, level_label=Level(level).label)
            else:
                context.update(step="thanks", rating=rating)
    return render(request, "ratings/evaluator.html", context)


@web.staff_page
def phone_entry(request):
    """电话评价: staff enter what the applicant said on the phone (not about a case
    they handled themselves: ``services.rate_as_staff``)."""
    values = {"number": (request.POST.get("number") or request.GET.get("number") or "")[:40]}
    error, rating, status = "", None, 200
    if request.method == "POST":
        case = Case.objects.filter(number=values["number"].strip()).first()
        try:
            if case is None:
                raise NotFound("没有该受理编号的办件", code="case_not_found")
            rating = services.rate_as_staff(
                actor=request.user,
                case=case,
                channel=RatingChannel.PHONE,
                level=_level(request.POST.get("level", "")),
                reasons=request.POST.getlist("reasons")[:20],
                text=request.POST.get("text", ""),
                real_name=request.POST.get("real_name") == "1",
            )
        except DomainError as exc:
            error, status = exc.message, exc.http_status
        else:
            messages.success(
                request, f"已录入办件 {case.number} 的电话评价：{rating.get_level_display()}"
            )
            return redirect("ratings:phone")
    return render(
        request,
        "ratings/phone.html",
        {
            **values,
            "levels": Level.choices,
            "reasons": list(services.reason_choices().items()),
            "error": error,
        },
        status=status,
    )
