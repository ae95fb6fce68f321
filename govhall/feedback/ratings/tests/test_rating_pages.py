"""评价列表 and 满意度统计 (issue 12 §1): who sees what, the filters, masking, 已剔除,
the query budget of the list, the statistics' figures and chart (vendored ECharts with
the CSP nonce), the nav links, and the case page's 好差评 section."""

from __future__ import annotations

import re

import pytest

from govhall.feedback.ratings import services
from govhall.feedback.ratings.models import Rating

from .conftest import submit
from .helpers import loop_to_feedback, rate

BASE = "/staff/feedback/ratings/"


def _as(client, staff):
    client.force_login(staff.user)
    return client


def _get(client, url, status=200):
    r = client.get(url)
    assert r.status_code == status, r.content.decode()[:500]
    return r.content.decode()


@pytest.fixture
def rated(env, done):
    """Three ratings of ``done``: 网上 5 (实名), 扫码 3, and a 实名 电话 差评."""
    rate(done, level=5, channel="portal", real_name=True)
    rate(done, level=3, channel="qr")
    bad = services.rate_as_staff(
        actor=env.s.market_chief.user,
        case=done,
        channel="phone",
        level=1,
        reasons=["slow"],
        real_name=True,
    )
    return bad


# --------------------------------------------------------------------------- 评价列表


def test_the_list_shows_the_ratings_masked_newest_first_with_the_bad_review_link(
    client, env, done, rated
):
    page = _get(_as(client, env.s.market_chief), BASE)
    assert page.count('class="rating-row') == 3
    assert done.number in page and "食品经营许可" in page
    # masked as everywhere (张** / 138****1234), never in full
    assert done.applicant_name not in page and done.applicant_phone not in page
    assert "138****1234" in page
    assert f'href="{BASE}bad-reviews/{rated.bad_review.pk}/"' in page and "待回访" in page
    # newest first: the 差评 (entered last) heads the table
    body = page[page.index("<tbody>") :]
    assert body.index("电话") < body.index("扫码") < body.index("网上")


def test_the_list_is_the_users_visible_ratings(client, env, rated):
    assert "没有评价" in _get(_as(client, env.s.health_chief), BASE)
    assert _get(_as(client, env.s.supervisor), BASE).count('class="rating-row') == 3
    assert _get(_as(client, env.s.admin), BASE).count('class="rating-row') == 3


def test_the_list_filters(client, env, done, rated):
    c = _as(client, env.s.supervisor)

    def rows(query):
        return _get(c, BASE + "?" + query).count('class="rating-row')

    assert rows("bad=1") == 1 and rows("bad=0") == 2
    assert rows("channel=qr") == 1 and rows("level=5") == 1 and rows("level=2") == 0
    assert rows(f"department={env.c.market.pk}") == 3
    assert rows(f"department={env.c.health.pk}") == 0
    assert rows(f"number={done.number}") == 3 and rows("number=NOPE") == 0
    assert rows("start=2026-11-23&end=2026-11-23") == 3
    assert rows("start=2026-11-24") == 0 and rows("end=2026-11-22") == 0
    # values that do not parse are left out, not an error
    assert rows("level=9&channel=fax&bad=x&start=yesterday&department=abc") == 3


def test_an_upheld_appeal_is_marked_excluded(client, env, rated):
    appeal = services.file_appeal(actor=env.s.market_approver.user, rating=rated, reason="录像为证")
    services.decide_appeal(actor=env.s.supervisor.user, appeal=appeal, upheld=True, opinion="属实")
    page = _get(_as(client, env.s.market_chief), BASE)
    assert page.count("已剔除") == 1 and "申诉成立" in page


def test_the_list_pages_by_30_in_a_constant_number_of_queries(
    client, env, done, rated, django_assert_max_num_queries
):
    c = _as(client, env.s.market_chief)
    with django_assert_max_num_queries(12) as few:
        _get(c, BASE)
    budget = len(few.captured_queries)
    # more rounds of the same case: 3 + 40 rows (copies, so the page is full)
    template = Rating.objects.get(channel="phone")
    for n in range(2, 42):
        Rating.objects.create(
            **{
                f.attname: getattr(template, f.attname)
                for f in Rating._meta.concrete_fields
                if f.attname not in ("id", "round", "token_nonce")
            },
            round=n,
        )
    with django_assert_max_num_queries(budget):
        page = _get(c, BASE)
    assert page.count('class="rating-row') == 30 and "1 / 2" in page
    assert "第41轮" in page  # newest first (same time: the highest id)
    with django_assert_max_num_queries(budget):
        page = _get(c, BASE + "?bad=1&page=2")
    assert page.count('class="rating-row') == 11 and "bad=1&amp;page=1" in page


# --------------------------------------------------------------------------- 满意度统计


def test_statistics_totals_and_the_rectification_rate_red_until_all_are_done(client, env, rated):
    c = _as(client, env.s.supervisor)
    page = _get(c, BASE + "statistics/")
    assert re.search(r'id="total-count">3<', page)
    assert re.search(r'id="satisfied-rate">66.7%<', page)
    assert re.search(r'id="bad-count">1<', page)
    assert re.search(r'class="fs-4 text-danger" id="rectification-rate">0.0%<', page)
    assert "0 / 1 件已回访整改，应达 100%" in page
    user = env.s.market_chief.user
    services.advance(
        actor=user, bad_review=loop_to_feedback(rated.bad_review, user), action="close"
    )
    page = _get(c, BASE + "statistics/")
    assert re.search(r'class="fs-4" id="rectification-rate">100.0%<', page)
    assert "1 / 1 件已回访整改" in page and "应达 100%" not in page


def test_statistics_tables_by_department_channel_level_and_staff(client, env, rated):
    page = _get(_as(client, env.s.supervisor), BASE + "statistics/")
    by_department = page[page.index('id="by-department"') : page.index('id="by-level"')]
    assert env.c.market.name in by_department and env.c.health.name not in by_department
    by_channel = page[page.index('id="by-channel"') : page.index('id="by-staff"')]
    for label in ("网上", "扫码", "电话"):
        assert label in by_channel
    assert "短信" not in by_channel
    by_level = page[page.index('id="by-level"') : page.index('id="by-channel"')]
    assert "非常不满意" in by_level and "33.3%" in by_level
    by_staff = page[page.index('id="by-staff"') :]
    assert "市场审批" in by_staff and "01 综合受理" in by_staff


def test_statistics_default_to_this_month_and_take_a_range(client, env, rated):
    c = _as(client, env.s.supervisor)
    page = _get(c, BASE + "statistics/")
    assert 'value="2026-11-01"' in page and 'value="2026-11-23"' in page
    page = _get(c, BASE + "statistics/?start=2026-10-01&end=2026-10-31")
    assert re.search(r'id="total-count">0<', page) and "该期间没有评价" in page
    page = _get(c, BASE + "statistics/?start=2026-11-30&end=2026-11-01")
    assert "开始日期不能晚于结束日期" in page and re.search(r'id="total-count">3<', page)


def test_statistics_exclude_an_upheld_appeal(client, env, rated):
    appeal = services.file_appeal(actor=env.s.market_approver.user, rating=rated, reason="录像为证")
    services.decide_appeal(actor=env.s.supervisor.user, appeal=appeal, upheld=True, opinion="属实")
    page = _get(_as(client, env.s.supervisor), BASE + "statistics/")
    assert re.search(r'id="total-count">2<', page) and "另有 1 条申诉成立已剔除" in page
    assert re.search(r'id="satisfied-rate">100.0%<', page)


def test_who_may_open_the_statistics(client, env, rated):
    for staff in (env.s.supervisor, env.s.admin, env.s.market_chief, env.s.market_approver):
        assert re.search(r'id="total-count">3<', _get(_as(client, staff), BASE + "statistics/"))
    # another department's chief: their department only (nothing here)
    page = _get(_as(client, env.s.health_chief), BASE + "statistics/")
    assert re.search(r'id="total-count">0<', page) and env.c.market.name not in page
    assert "仅本部门" in page
    # a window clerk (no department) and a township clerk: the 403 page
    for staff in (env.s.clerk, env.township_clerk):
        page = _get(_as(client, staff), BASE + "statistics/", status=403)
        assert "满意度统计仅对" in page


def test_the_chart_is_the_vendored_echarts_with_the_csp_nonce(client, env, rated):
    r = _as(client, env.s.supervisor).get(BASE + "statistics/")
    page = r.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", r["Content-Security-Policy"]).group(1)
    assert f'<script src="/static/vendor/echarts/echarts.min.js" nonce="{nonce}">' in page
    scripts = re.findall(r"<script([^>]*)>", page)
    inline = [s for s in scripts if "src=" not in s and 'type="application/json"' not in s]
    assert inline and all(f'nonce="{nonce}"' in s for s in inline)
    assert all(s.startswith(' src="/static/') for s in scripts if "src=" in s)
    assert 'id="ratings-chart"' in page and 'id="ratings-chart-data"' in page
    assert "cdn" not in page.lower() and "http" not in "".join(scripts)
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers


# --------------------------------------------------------------------------- nav, case page


def _nav(page):
    return page[page.index("好差评与诉求") :]


def test_the_nav_links_the_pages_for_whom_may_open_them(client, env, done):
    nav = _nav(_get(_as(client, env.s.supervisor), "/staff/"))
    assert f'href="{BASE}"' in nav and f'href="{BASE}statistics/"' in nav
    nav = _nav(_get(_as(client, env.s.market_approver), "/staff/"))
    assert f'href="{BASE}statistics/"' in nav
    nav = _nav(_get(_as(client, env.s.clerk), "/staff/"))
    assert f'href="{BASE}"' in nav and f'href="{BASE}statistics/"' not in nav


def test_the_case_page_shows_the_ratings_and_the_entry_buttons(client, env, done, rated):
    c = _as(client, env.s.clerk)
    page = _get(c, f"/staff/cases/{done.number}/")
    section = page[page.index('id="ratings"') :]
    assert section.count('class="case-rating"') == 0  # the clerk sees no ratings …
    assert "尚无评价" in section
    assert f'href="{BASE}evaluator/{done.number}/"' in section  # … but may enter one
    assert f'href="{BASE}phone/?number={done.number}"' in section
    page = _get(_as(client, env.s.market_chief), f"/staff/cases/{done.number}/")
    section = page[page.index('id="ratings"') :]
    assert section.count('class="case-rating"') == 3 and "第1轮" in section
    assert "电话" in section and "非常不满意" in section and "打开窗口评价器" in section
    assert f'href="{BASE}bad-reviews/{rated.bad_review.pk}/"' in section


def test_the_case_page_has_no_ratings_section_before_completion(client, env):
    case = submit(env)
    page = _get(_as(client, env.s.clerk), f"/staff/cases/{case.number}/")
    assert 'id="ratings"' not in page and "打开窗口评价器" not in page


def test_no_entry_buttons_for_staff_of_another_centre(client, env, done):
    # the township clerk may not enter ratings of the county's case (whether or not
    # the case page itself is open to them)
    r = _as(client, env.township_clerk).get(f"/staff/cases/{done.number}/")
    assert "打开窗口评价器" not in r.content.decode()
