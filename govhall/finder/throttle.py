"""One throttle for anonymous searches (the portal's box, the kiosk's, the API): per
client address, ``GOVHALL_FINDER_RATE_PER_ADDRESS`` (default 300 in 10 minutes — a
hall's public Wi-Fi puts many phones behind one address). Not counted: a signed-in
user (the window desk, an API client of the centre) and the hall's ticket machines
(``GOVHALL_HALL_KIOSK_ADDRESSES``). Every search writes a log row, so an address that
searches without pause is refused before it fills the log."""

from __future__ import annotations

from django.conf import settings

from govhall.core import security

DEFAULT_RATE = "300/10m"
CODE = "finder_throttled"
MESSAGE = "查询过于频繁，请稍后再试。"


def exceeded(request) -> bool:
    """Counts one search; whether this address is over the rate."""
    return security.anonymous_over_rate(
        request,
        group="finder.search.address",
        rate=getattr(settings, "GOVHALL_FINDER_RATE_PER_ADDRESS", DEFAULT_RATE),
        exempt=getattr(settings, "GOVHALL_HALL_KIOSK_ADDRESSES", ()),
    )
