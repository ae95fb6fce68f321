"""What 好差评 adds to the cases' pages (``cases.sections``): on the public 办件进度
page, once the case is 办结, the link to rate it — 网上, or 扫码 when the QR code of
a notice brought the applicant. Whether the case may still be rated (the period, a
rating already given on that channel) is the rating page's service's to say."""

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
