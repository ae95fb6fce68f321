"""Staff pages of 好差评 (/staff/feedback/ratings/): one 差评 and one appeal, read
only for now (the loop's forms, lists and the evaluator screen are the next part:
docs/ratings.md "未完成"); the API does every action."""

from __future__ import annotations

from django.shortcuts import render

from govhall.core import web
from govhall.core.errors import NotFound

from . import loop, selectors


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
