"""卷宗评查 and 巡查 in a real browser on a 390 px phone: the office finishes a sampled
file's review, the department's 首席代表 replies 整改 on an inspection problem, the
office passes the 复查 (no horizontal scroll; screenshots in
/tmp/govhall_supervision_shots)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govhall.supervision import reviews
from govhall.supervision.models import InspectionState, ReviewState
from govhall.testing.browser import browser_page  # noqa: F401

from .test_reviews import complete, draw
from .test_reviews_inspections import inspect, png

SHOTS = Path("/tmp/govhall_supervision_shots")


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "govhall-test")
    page.locator("form button[type=submit], form input[type=submit]").last.click()


def _no_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.browser
def test_review_and_inspection_on_a_phone(browser_page, env):  # noqa: F811
    complete(env, archive=True)
    review = draw(env, value=1).reviews.get()
    inspection = inspect(env.c, photos=[png()])
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    SHOTS.mkdir(exist_ok=True)
    _login(page, "supervisor")
    page.goto("/staff/supervision/reviews/?month=2026-11")
    _no_scroll(page)
    page.get_by_role("link", name=review.case.number).click()
    page.get_by_role("button", name="完成评查").click()
    page.get_by_text("评查完成，得分 100.0").wait_for()
    page.screenshot(path=str(SHOTS / "review_390.png"), full_page=True)
    _no_scroll(page)
    review.refresh_from_db()
    assert review.state == ReviewState.FINISHED and review.score == 100

    _login(page, "market_chief")
    page.goto(f"/staff/supervision/inspections/{inspection.pk}/")
    _no_scroll(page)
    page.fill("#f-fix", "已设置去向牌")
    page.get_by_role("button", name="提交整改").click()
    page.get_by_text("已提交整改情况").wait_for()
    _login(page, "supervisor")
    page.goto(f"/staff/supervision/inspections/{inspection.pk}/")
    page.get_by_role("button", name="复查通过").click()
    page.get_by_text("复查通过").first.wait_for()
    page.screenshot(path=str(SHOTS / "inspection_390.png"), full_page=True)
    _no_scroll(page)
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.CLOSED
    assert reviews.inspection_scores(start=inspection.inspected_on, end=inspection.inspected_on)
