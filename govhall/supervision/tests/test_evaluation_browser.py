"""绩效评估 in a real browser: the office's evaluation page draws its ECharts chart at
1280 px and turns into cards without horizontal scroll on a 390 px phone; a
department's chief opens their own page with its charts (screenshots in
/tmp/govhall_supervision_shots for review)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govhall.supervision import rollups
from govhall.testing.browser import browser_page  # noqa: F401

from .helpers import act, submit

SHOTS = Path("/tmp/govhall_supervision_shots")


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "govhall-test")
    page.locator("form button[type=submit], form input[type=submit]").last.click()


@pytest.mark.browser
def test_evaluation_pages_on_a_desk_and_a_phone(browser_page, env, health_item):  # noqa: F811
    chief = env.s.market_chief
    case = act(submit(env), "accept", env.s.clerk.user, responsible=chief)
    act(submit(env, health_item), "refuse", env.s.clerk.user, reason="材料不全")
    rollups.rebuild()
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    _login(page, "supervisor")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/staff/supervision/evaluation/")
        page.locator("#chart-scores canvas").first.wait_for()
        assert page.locator("tr.evaluation-row").count() == 2
        assert page.get_by_text("计分方法与权重").is_visible()
        page.screenshot(path=str(SHOTS / f"evaluation_{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto("/staff/supervision/evaluation/ranking/")
    page.locator("#chart-ranking canvas").first.wait_for()
    page.screenshot(path=str(SHOTS / "ranking_390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    _login(page, chief.user.username)
    page.goto("/staff/supervision/evaluation/mine/")
    page.locator("#chart-trend canvas").first.wait_for()
    page.locator("#chart-indicators canvas").first.wait_for()
    assert page.locator("#rank").inner_text().startswith("第")
    page.screenshot(path=str(SHOTS / "evaluation_department_390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert case.department.name in page.content()
