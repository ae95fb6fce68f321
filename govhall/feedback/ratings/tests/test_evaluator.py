"""The window's evaluator screen (窗口评价器), opened by staff for a completed case."""

from __future__ import annotations

import pytest

from govhall.feedback.ratings.models import Rating

from .conftest import submit


@pytest.fixture
def window(client, env):
    client.force_login(env.s.clerk.user)
    return client


def _url(case):
    return f"/staff/feedback/ratings/evaluator/{case.number}/"


def test_the_window_opens_the_screen_and_a_good_rating_is_one_tap(window, env, done):
    start = window.get("/staff/feedback/ratings/evaluator/", {"number": done.number})
    assert start.status_code == 302 and start["Location"] == _url(done)
    page = window.get(_url(done)).content.decode()
    assert "请您对本次服务进行评价" in page and "非常满意" in page and "张**" in page
    assert "市场审批" in page  # the 承办人 being rated
    thanks = window.post(_url(done), {"level": "5"}).content.decode()
    assert "感谢您的评价" in thanks
    rating = Rating.objects.get()
    assert rating.channel == "window" and rating.level == 5
    assert rating.entered_by == env.s.clerk


def test_a_bad_rating_asks_for_reasons_first(window, done):
    page = window.post(_url(done), {"level": "1"}).content.decode()
    assert "请告诉我们原因" in page and "服务态度差" in page
    assert not Rating.objects.exists()
    again = window.post(_url(done), {"level": "1", "step": "reasons"}).content.decode()
    assert "至少选择一项原因" in again and not Rating.objects.exists()
    done_page = window.post(
        _url(done), {"level": "1", "step": "reasons", "reasons": ["slow"], "real_name": "1"}
    ).content.decode()
    assert "感谢您的评价" in done_page and "回访并整改" in done_page
    rating = Rating.objects.get()
    assert rating.is_bad and rating.real_name and rating.bad_review.state == "assigned"


def test_a_second_window_rating_and_an_open_case_are_refused_on_screen(window, env, done):
    window.post(_url(done), {"level": "4"})
    page = window.post(_url(done), {"level": "5"}).content.decode()
    assert "不能重复评价" in page and Rating.objects.count() == 1
    open_case = submit(env)
    page = window.post(_url(open_case), {"level": "5"}).content.decode()
    assert "办结后方可评价" in page


def test_only_staff_of_the_centre_or_department_open_it(client, env, done):
    client.force_login(env.township_clerk.user)
    assert client.get(_url(done)).status_code == 403
    client.force_login(env.s.clerk.user)
    assert client.get("/staff/feedback/ratings/evaluator/NOPE/").status_code == 404
