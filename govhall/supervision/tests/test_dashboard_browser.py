"""The dashboard in a real browser: the supervision office opens it, clicks the red
count, lands on the list of the cases behind it and opens one (issue 11 §4 "done
when"). Looked at on a 1280 px screen and a 390 px phone (no horizontal scroll);
screenshots in /tmp/govhall_supervision_shots for review."""

from __future__ import annotations

from pathlib import Path

import pytest

from govhall.core import clock
from govhall.testing.browser import browser_page  # noqa: F401

from .helpers import at
from .test_dashboard import T, build_scene

SHOTS = Path("/tmp/govhall_supervision_shots")


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "govhall-test")
    page.locator("form button[type=submit], form input[type=submit]").last.click()


@pytest.mark.browser
def test_drill_from_the_red_count_to_a_case(browser_page, env, special, health_item):  # noqa: F811
    scene = build_scene(env, special, health_item)
    SHOTS.mkdir(exist_ok=True)
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    with clock.frozen(at(T)):  # process-wide: the live server sees 2026-12-01 too
        _login(page, "supervisor")
        page.goto("/staff/supervision/dashboard/")
        page.locator("#chart-departments canvas").first.wait_for()  # ECharts drew
        page.screenshot(path=str(SHOTS / "dashboard_1280.png"), full_page=True)
        red = page.get_by_role("link", name="红灯（今日到期） 1 件")
        red.click()
        page.wait_for_url("**/dashboard/cases/?measure=red")
        page.get_by_text("共 1 件").wait_for()
        page.screenshot(path=str(SHOTS / "dashboard_cases_1280.png"), full_page=True)
        page.get_by_role("link", name=scene.b.number).click()
        page.wait_for_url(f"**/staff/cases/{scene.b.number}/")
        assert scene.b.number in page.content()

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/staff/supervision/dashboard/")
        page.locator("#chart-departments canvas").first.wait_for()
        page.screenshot(path=str(SHOTS / "dashboard_390.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("link", name="超期 2 件").click()
        page.get_by_text("共 2 件").wait_for()
        page.screenshot(path=str(SHOTS / "dashboard_cases_390.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
