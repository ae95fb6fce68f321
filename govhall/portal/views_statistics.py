"""政务公开: the public statistics of the service centre (issue 11 §4) — per month
of the last twelve, the cases received and completed and the on-time rate, for the
county and per department (``supervision.dashboard.public_statistics``, from the
daily rollups). Counts only, no personal data; cached for an hour."""

from __future__ import annotations

from django.core.cache import cache
from django.shortcuts import render

from govhall.core import clock
from govhall.supervision import dashboard

CACHE_SECONDS = 3600


def statistics(request):
    today = clock.today()
    key = f"portal:statistics:{today.isoformat()}"
    data = cache.get(key)
    if data is None:
        data = dashboard.public_statistics(today=today)
        cache.set(key, data, CACHE_SECONDS)
    return render(request, "portal/statistics.html", {"s": data, "today": today})
