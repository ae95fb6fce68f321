"""Public pages of 好差评 (/feedback/ratings/): the SMS link's rating form and the
portal / QR form.

The SMS link carries the signed token (``tokens``); the page needs no login. A forged,
expired or used link shows why, and nothing is recorded. The portal and QR form asks
for the progress query's pair (受理编号 + 手机号后四位)."""

from __future__ import annotations

from django.shortcuts import render

from govhall.core.errors import DomainError

from . import services, tokens
from .api import RatingPostThrottle
from .models import Level, RatingChannel

THROTTLED_MESSAGE = "提交过于频繁，请稍后再试。"


def token(request, token: str):
    error, rating = "", None
    try:
        parsed = tokens.read(token)
    except DomainError as exc:
        return render(request, "ratings/public_token.html", {"error": exc.message}, status=400)
    status = 200
    if request.method == "POST" and not RatingPostThrottle().allow_request(request, None):
        error, status = THROTTLED_MESSAGE, 429
    elif request.method == "POST":
        try:
            rating = services.rate_with_token(
                token=token,
                level=_level(request.POST.get("level", "")),
                reasons=request.POST.getlist("reasons")[:20],
                text=request.POST.get("text", ""),
                real_name=request.POST.get("real_name") == "1",
            )
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "ratings/public_token.html",
        {
            "token": token,
            "case_id": parsed.case_id,
            "levels": Level.choices,
            "reasons": services.reason_choices().items(),
            "rating": rating,
            "error": error,
        },
        status=status,
    )


def _level(value: str) -> int:
    return int(value) if value in {"1", "2", "3", "4", "5"} else 0


def rate(request):
    """网上评价 from the progress page, or 扫码 (``?via=qr``, the QR code on the
    受理通知书 and the result notice): the progress query's pair proves the case is
    the applicant's. Posts count against the same per-address budget as the API's
    (``RATINGS_POST_RATE``); past it nothing is looked up."""
    via = RatingChannel.QR if request.GET.get("via") == "qr" else RatingChannel.PORTAL
    values = {
        "number": (request.POST.get("number") or request.GET.get("number") or "").strip()[:40],
        "via": via,
    }
    error, rating, status = "", None, 200
    if request.method == "POST":
        if not RatingPostThrottle().allow_request(request, None):
            error, status = THROTTLED_MESSAGE, 429
        else:
            try:
                rating = services.rate_with_progress(
                    number=values["number"],
                    phone_tail=(request.POST.get("phone_tail") or "")[:4],
                    channel=via,
                    level=_level(request.POST.get("level", "")),
                    reasons=request.POST.getlist("reasons")[:20],
                    text=(request.POST.get("text") or "")[: services.TEXT_MAX + 1],
                    real_name=request.POST.get("real_name") == "1",
                )
            except DomainError as exc:
                error, status = exc.message, 400
    return render(
        request,
        "ratings/public_rate.html",
        {
            **values,
            "levels": Level.choices,
            "reasons": services.reason_choices().items(),
            "rating": rating,
            "error": error,
        },
        status=status,
    )
