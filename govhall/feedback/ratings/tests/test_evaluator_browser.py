"""The evaluator screen in a real browser on an upright 800×1280 tablet: the applicant
taps 不满意, picks reasons; the department's 首席代表 then takes the 差评 through
回访, 核实, 立行立改, 反馈 and 办结 on its page (screenshots in
/tmp/govhall_ratings_shots for review)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govhall.feedback.ratings.models import BadReviewState, Rating
from govhall.testing.browser import browser_page  # noqa: F401

SHOTS = Path("/tmp/govhall_ratings_shots")
WIDTH, HEIGHT = 800, 1280


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "govhall-test")
    page.locator("form button[type=submit], form input[type=submit]").last.click()


@pytest.mark.browser
def test_rate_on_the_tablet_and_follow_the_bad_rating_to_its_closure(browser_page, env, done):  # noqa: F811
    page = browser_page
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    SHOTS.mkdir(exist_ok=True)
    _login(page, "clerk")
    page.goto("/staff/feedback/ratings/evaluator/")
    page.fill("#ev-number", done.number)
    page.get_by_role("button", name="开启评价器").click()
    page.get_by_text("请您对本次服务进行评价").wait_for()
    page.screenshot(path=str(SHOTS / "evaluator_levels.png"))
    buttons = page.locator(".evaluator-level")
    assert buttons.count() == 5
    for i in range(5):  # big enough for a finger, all on the first screen
        box = buttons.nth(i).bounding_box()
        assert box["height"] >= 120 and box["y"] + box["height"] <= HEIGHT
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    page.get_by_role("button", name="不满意", exact=True).click()
    page.get_by_text("请告诉我们原因").wait_for()
    page.get_by_text("服务态度差").click()
    page.get_by_text("办理时间长或超时").click()
    page.get_by_text("实名评价，同意回访").click()
    page.screenshot(path=str(SHOTS / "evaluator_reasons.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.get_by_role("button", name="提交评价").click()
    page.get_by_text("感谢您的评价").wait_for()
    page.screenshot(path=str(SHOTS / "evaluator_thanks.png"))

    rating = Rating.objects.get()
    assert rating.channel == "window" and rating.level == 2 and rating.real_name
    assert sorted(rating.reasons) == ["attitude", "slow"]
    bad = rating.bad_review
    _login(page, "market_chief")
    page.goto("/staff/feedback/ratings/bad-reviews/")
    page.get_by_role("link", name=done.number).click()
    page.get_by_text("尚无回访记录").wait_for()
    page.select_option("#callback-method", "phone")
    page.fill("#callback-contact", "申请人张先生")
    page.fill("#callback-content", "已电话联系申请人，了解等候过久的情况")
    page.get_by_role("button", name="回访").click()
    page.get_by_text("已回访", exact=True).first.wait_for()
    page.fill("#verify-finding", "当日窗口人手不足，等候超过一小时")
    page.get_by_role("button", name="核实").click()
    page.fill("#rectify-measures", "高峰时段增开潮汐窗口")
    page.get_by_role("button", name="立行立改").click()
    page.fill("#feedback-content", "已告知申请人整改措施")
    page.get_by_role("button", name="反馈").click()
    page.get_by_role("button", name="办结").click()
    page.get_by_text("已办结").first.wait_for()
    page.screenshot(path=str(SHOTS / "bad_review_closed.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    bad.refresh_from_db()
    assert bad.state == BadReviewState.CLOSED and bad.callbacks.get().contact == "申请人张先生"
    assert bad.closed_by == env.s.market_chief
