"""One throttle for the hall's public writes (取号, 预约签到, 网上预约, 取消预约) on the
pages and the API alike: per client address, ``GOVHALL_HALL_PUBLIC_RATE_PER_ADDRESS``
(default 60 in 10 minutes). Not counted: a signed-in user (the 导服台, a ticket machine
signed in as an API client) and the hall's own ticket machines listed by address in
``GOVHALL_HALL_KIOSK_ADDRESSES`` — a busy kiosk issues hundreds of tickets a morning
from one address."""

from __future__ import annotations

from django.conf import settings

from govhall.core import security

DEFAULT_RATE = "60/10m"


def exceeded(request) -> bool:
    """Counts one attempt; whether this address is over the rate."""
    return security.anonymous_over_rate(
        request,
        group="hall.public.address",
        rate=getattr(settings, "GOVHALL_HALL_PUBLIC_RATE_PER_ADDRESS", DEFAULT_RATE),
        exempt=getattr(settings, "GOVHALL_HALL_KIOSK_ADDRESSES", ()),
    )
