"""The hall in a real browser: a person takes a ticket on the kiosk (portrait
1080×1920), the calling screen (1920×1080, a second browser) is open, a window clerk
calls the ticket from the window console, and the calling screen shows it — live,
through the event stream, without reloading."""

from __future__ import annotations

import pytest

from govhall.hall.models import Ticket
from govhall.testing.browser import browser_page  # noqa: F401


@pytest.mark.browser
def test_kiosk_ticket_is_called_and_shown_on_the_calling_screen(browser_page, hall):  # noqa: F811
    page = browser_page
    browser = page.context.browser
    code = hall.centre.code

    # the calling screen, opened first (it listens from now on)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"/hall/screens/{code}/")
    assert page.locator("#now-empty").is_visible()

    # the kiosk, in its own browser context (no shared cookies)
    live = page.evaluate("location.origin")
    kctx = browser.new_context(
        base_url=live, locale="zh-CN", viewport={"width": 1080, "height": 1920}
    )
    kiosk = kctx.new_page()
    kiosk.goto(f"/hall/kiosk/{code}/")
    kiosk.locator("button.kiosk-cat[data-prefix=B]").click()
    kiosk.wait_for_url("**/ticket/**")
    assert kiosk.locator("#ticket-code").inner_text() == "B001"
    assert kiosk.locator("#ticket-ahead").inner_text() == "0"

    # the window clerk calls it
    cctx = browser.new_context(
        base_url=live, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    clerk = cctx.new_page()
    clerk.goto("/staff/login/")
    clerk.fill("input[name=username]", "market_clerk")
    clerk.fill("input[name=password]", "govhall-test")
    clerk.get_by_role("button", name="登录").click()
    clerk.wait_for_url("**/staff/**")
    clerk.goto("/staff/hall/window/")
    clerk.locator("#call-next").click()
    assert clerk.locator("#current-code").inner_text() == "B001"
    assert Ticket.objects.get().state == "called"

    # … and the calling screen shows it without a reload
    page.locator("#recent li", has_text="B001").wait_for()
    assert page.locator("#now [data-code]").inner_text() == "B001"
    assert page.locator("#now [data-window]").inner_text() == "05"
    assert not page.locator("#now-empty").is_visible()
    kctx.close()
    cctx.close()


@pytest.mark.browser
def test_screens_show_the_servers_time_not_their_own(browser_page, hall):  # noqa: F811
    """A TV's clock is rarely right: the calling screen and the kiosk show the time of
    the one clock (here frozen at 6 June 2026 14:05 in the centre), whatever the
    browser's own clock and time zone say (this one reads the real time of today)."""
    import datetime as dt

    from govhall.core import clock

    page = browser_page
    code = hall.centre.code
    when = dt.datetime(2026, 6, 6, 14, 5, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with clock.frozen(when):
        page.goto(f"/hall/screens/{code}/")
        page.wait_for_function("document.getElementById('clock').textContent.length > 0")
        assert page.locator("#clock").inner_text().startswith("6月6日 14:0")
        page.goto(f"/hall/kiosk/{code}/")
        page.wait_for_function("document.getElementById('clock').textContent.length > 0")
        assert page.locator("#clock").inner_text().startswith("14:0")
