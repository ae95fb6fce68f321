"""What 好差评 adds to the cases' pages (``cases.sections``; cases imports nothing of
this app):

* on the public 办件进度 page, once the case is 办结, the link to rate it — 网上, or
  扫码 when the QR code of a notice brought the applicant. Whether the case may still
  be rated (the period, a rating already given on that channel) is the rating page's
  service's to say;
* on the staff case page of a 办结/归档 case, its ratings so far and the buttons
  打开窗口评价器 / 电话评价录入 (:func:`case_ratings`)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from govhall.cases import sections
from govhall.cases.models import State

RATABLE_STATES = (State.COMPLETED, State.ARCHIVED)


@sections.progress_page_section(order=100)
def rate_this_case(request, progress: dict) -> dict | None:
    if progress.get("state") not in RATABLE_STATES:
        return None
    query = {"number": progress["number"]}
    if request.GET.get("via") == "qr":
        query["via"] = "qr"
    return {
        "id": "rate",
        "title": "评价本次服务（好差评）",
        "template": "ratings/_progress_rate.html",
        "context": {"url": reverse("ratings_public:rate") + "?" + urlencode(query)},
    }


@sections.case_page_section(order=100)
def case_ratings(request, case) -> dict | None:
    """On the staff case page of a 办结/归档 case: its ratings so far that the user
    may see (channel, level, round) and, for whoever may enter one
    (``services.may_enter``), the buttons to the window's evaluator and the phone
    entry."""
    if case.state not in RATABLE_STATES:
        return None
    from . import selectors, services

    may_enter = services.may_enter(request.user, case)
    ratings = list(
        selectors.visible_ratings(user=request.user)
        .filter(case=case)
        .select_related(None)
        .select_related("bad_review")
        .order_by("round", "rated_at", "id")
    )
    if not ratings and not may_enter:
        return None
    return {
        "id": "ratings",
        "title": "好差评",
        "template": "ratings/_case_ratings.html",
        "context": {
            "ratings": [
                {
                    "rating": r,
                    "bad": getattr(r, "bad_review", None) if r.is_bad else None,
                }
                for r in ratings
            ],
            "may_enter": may_enter,
            "evaluator_url": reverse("ratings:evaluator", args=[case.number]),
            "phone_url": reverse("ratings:phone") + "?" + urlencode({"number": case.number}),
        },
    }
