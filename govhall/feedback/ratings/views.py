"""Staff pages of 好差评 (/staff/feedback/ratings/): the window's evaluator screen
(窗口评价器), one 差评 and one appeal, read only for now (the loop's forms and lists
are the next part: docs/ratings.md "未完成"); the API does every action."""

from __future__ import annotations

from django.shortcuts import redirect, render

from govhall.cases.models import Case
from govhall.cases.selectors import mask_name
from govhall.core import web
from govhall.core.errors import DomainError, NotFound, PermissionDenied

from . import loop, selectors, services
from .models import BAD_LEVELS, Level, RatingChannel


@web.staff_page
def bad_review(request, pk: int):
    bad = selectors.visible_bad_reviews(user=request.user).filter(pk=pk).first()
    if bad is None:
        raise NotFound("没有该差评，或您无权查看")
    return render(
        request,
        "ratings/bad_review.html",
        {
            "bad": bad,
            "rating": bad.rating,
            "rater": selectors.shown_name(bad.rating),
            "reasons": selectors.reason_labels(bad.rating),
            "callbacks": bad.callbacks.select_related("by"),
            "actions": loop.offered(bad.state),
        },
    )


@web.staff_page
def appeal(request, pk: int):
    found = selectors.visible_appeals(user=request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound("没有该申诉，或您无权查看")
    return render(
        request,
        "ratings/appeal.html",
        {"appeal": found, "rating": found.rating, "attachments": found.attachments.all()},
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
