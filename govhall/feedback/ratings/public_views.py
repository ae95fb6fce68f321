"""Public pages of 好差评 (/feedback/ratings/): the SMS link's rating form.

The link carries the signed token (``tokens``); the page needs no login. A forged,
expired or used link shows why, and nothing is recorded."""

from __future__ import annotations

from django.shortcuts import render

from govhall.core.errors import DomainError

from . import services, tokens
from .models import Level


def token(request, token: str):
    error, rating = "", None
    try:
        parsed = tokens.read(token)
    except DomainError as exc:
        return render(request, "ratings/public_token.html", {"error": exc.message}, status=400)
    if request.method == "POST":
        try:
            level = int(request.POST.get("level", "0") or 0)
        except ValueError:
            level = 0
        try:
            rating = services.rate_with_token(
                token=token,
                level=level,
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
    )
