"""电子监察大屏 (issue 11 §4): the numbers equal what the cases are, each drill-down
list has as many cases as its number, a department sees its own only, the API.

The scene (:func:`build_scene`), seen on Tuesday 2026-12-01 (:data:`T`): market
cases accepted on 11-23 (A, due 11-30: 超期), 11-24 (B, due today: 红灯), 11-25 (C,
due 12-02: 黄灯), 11-26 (D, due 12-03: 正常), one received 11-30 and not accepted (E),
one in a 特殊环节 (P: 暂停计时), one completed on time on 11-26 (F) and one late on
12-01 (G); a health case accepted 11-23 (H: 超期). The market cases' 承办人 sits at
the county's window; E and H have none (未指定窗口)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from govhall.cases import guards
from govhall.cases.models import State
from govhall.core import clock
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed
from govhall.supervision import dashboard, rollups, services

from .helpers import D, act, at, submit

pytestmark = pytest.mark.django_db

T = D(2026, 12, 1)
DRILL = "/staff/supervision/dashboard/cases/"
PAGE = "/staff/supervision/dashboard/"
API = "/api/v1/supervision/dashboard/"


def _accept(env, day, item=None, *, responsible=True):
    s = env.s
    with clock.frozen(at(day)):
        case = submit(env, item)
        extra = {"responsible": s.market_approver} if responsible else {}
        return act(case, "accept", s.clerk.user, **extra)


def _finish(env, case, day):
    s = env.s
    with clock.frozen(at(day, 11)):
        while case.state == State.IN_REVIEW and case.current_step < len(guards.review_steps(case)):
            case = act(case, "review", s.market_approver.user, opinion="材料齐全，符合条件")
        case = act(case, "decide", s.market_approver.user, result="approved", opinion="同意")
        case = act(case, "certify", s.market_chief.user, result_number=f"JY1150626{case.pk:07d}")
        case = act(case, "deliver", s.clerk.user, method="window")
        return act(case, "complete", s.clerk.user)


def build_scene(env, special, health_item) -> SimpleNamespace:
    """The cases of the module docstring, the rollups rebuilt from them."""
    s = env.s
    s.market_approver.window = env.c.window
    s.market_approver.save(update_fields=["window"])
    a = _accept(env, D(2026, 11, 23))
    b = _accept(env, D(2026, 11, 24))
    c = _accept(env, D(2026, 11, 25))
    d = _accept(env, D(2026, 11, 26))
    with clock.frozen(at(D(2026, 11, 30))):
        e = submit(env)
    p = _accept(env, D(2026, 11, 23), special)
    with clock.frozen(at(D(2026, 11, 23), 14)):
        p = act(
            p,
            "start_special_step",
            s.market_approver.user,
            special_step=special.versions.get().special_steps.get(name="现场踏勘"),
            notice={"time": "2026-11-24 09:00", "place": "车间", "content": "核查", "persons": "市场审批", "method": "实地查看"},
        )  # fmt: skip
    f = _finish(env, _accept(env, D(2026, 11, 23)), D(2026, 11, 26))
    g = _finish(env, _accept(env, D(2026, 11, 23)), T)
    h = _accept(env, D(2026, 11, 23), health_item, responsible=False)
    rollups.rebuild()
    return SimpleNamespace(**{k: v for k, v in locals().items() if len(k) == 1})


@pytest.fixture
def scene(env, special, health_item):
    return build_scene(env, special, health_item)


def figures(user, **kw):
    return dashboard.figures(user=user, today=T, **kw)


def drill(user, measure, **kw):
    return dashboard.drill(user=user, today=T, measure=measure, **kw)


def numbers(qs) -> set[str]:
    return set(qs.values_list("number", flat=True))


def by_id(rows, pk):
    return next(r for r in rows if r["id"] == pk)


# --------------------------------------------------------------------------- the numbers


def test_the_numbers_are_what_the_cases_are(env, scene):
    f = figures(env.s.supervisor.user)
    assert f["current"] == {
        "open": 7,
        "normal": 1,
        "yellow": 1,
        "red": 1,
        "overdue": 2,
        "paused": 1,
        "not_accepted": 1,
    }
    market = by_id(f["departments"], env.c.market.pk)
    health = by_id(f["departments"], env.c.health.pk)
    assert (market["open"], market["overdue"], market["red"], market["paused"]) == (6, 1, 1, 1)
    assert (health["open"], health["overdue"], health["red"]) == (1, 1, 0)
    # the period (default: the 30 days up to today) from the rollups
    assert (f["start"], f["end"]) == (D(2026, 11, 2), T)
    assert f["history"] == {
        "received": 9,
        "accepted": 8,
        "completed": 2,
        "on_time": 1,
        "late": 1,
        "on_time_rate": 50.0,
    }
    assert (market["completed"], market["on_time_rate"]) == (2, 50.0)
    assert health["completed"] == 0 and health["on_time_rate"] is None
    assert [r["name"] for r in f["ranking"]] == ["市场监管局"]  # no completion: not ranked
    trend = {row["day"]: row for row in f["trend"]}
    assert len(f["trend"]) == 30
    assert (trend[D(2026, 11, 23)]["received"], trend[D(2026, 11, 26)]["on_time"]) == (5, 1)
    assert trend[T]["completed"] == 1 and trend[T]["late"] == 1


def test_per_window_the_window_of_the_case_handler(env, scene):
    f = figures(env.s.supervisor.user)
    window = by_id(f["windows"], env.c.window.pk)
    assert window["name"] == "01 综合受理"
    assert (window["open"], window["overdue"], window["paused"]) == (5, 1, 1)
    none = by_id(f["windows"], dashboard.NO_WINDOW_ID)
    assert none["name"] == "未指定窗口" and (none["open"], none["not_accepted"]) == (2, 1)
    only = figures(env.s.supervisor.user, window_id=env.c.window.pk)
    assert only["current"]["open"] == 5 and only["current"]["overdue"] == 1
    assert only["history"]["completed"] == 2  # F and G: handled at that window
    # 未指定窗口 (window 0): E (no 承办人) and H (accepted by the clerk, none either)
    nowhere = figures(env.s.supervisor.user, window_id=dashboard.NO_WINDOW_ID)
    assert nowhere["current"]["open"] == 2 and nowhere["current"]["overdue"] == 1
    assert (nowhere["history"]["received"], nowhere["history"]["completed"]) == (2, 0)
    assert numbers(drill(env.s.supervisor.user, "open", window_id=0)) == {
        scene.e.number,
        scene.h.number,
    }
    assert numbers(drill(env.s.supervisor.user, "received", window_id=0)) == {
        scene.e.number,
        scene.h.number,
    }


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("open", "abcdeph"),
        ("overdue", "ah"),
        ("red", "b"),
        ("yellow", "c"),
        ("normal", "d"),
        ("paused", "p"),
        ("received", "abcdepfgh"),
        ("accepted", "abcdpfgh"),
        ("completed", "fg"),
        ("on_time", "f"),
        ("late", "g"),
    ],
)
def test_each_drill_down_lists_the_cases_behind_its_number(env, scene, measure, expected):
    user = env.s.supervisor.user
    cases = drill(user, measure)
    assert numbers(cases) == {getattr(scene, x).number for x in expected}
    f = figures(user)
    total = f["current"] if measure in dashboard.LIVE_MEASURES else f["history"]
    assert cases.count() == total[measure]
    for dept in f["departments"]:
        assert drill(user, measure, department_id=dept["id"]).count() == dept[measure]


def test_drill_down_filters(env, scene, special):
    user = env.s.supervisor.user
    assert numbers(drill(user, "open", item_id=special.pk)) == {scene.p.number}
    assert drill(user, "open", channel="online").count() == 0
    assert drill(user, "open", channel="window").count() == 7
    assert numbers(drill(user, "open", window_id=env.c.window.pk)) == {
        x.number for x in (scene.a, scene.b, scene.c, scene.d, scene.p)
    }
    one_day = {"start": D(2026, 11, 30), "end": D(2026, 11, 30)}
    assert numbers(drill(user, "received", **one_day)) == {scene.e.number}
    assert figures(user, **one_day)["history"]["received"] == 1
    # today's measures narrowed to the cases received in a period
    assert numbers(drill(user, "overdue", start=D(2026, 11, 23), end=D(2026, 11, 23))) == {
        scene.a.number,
        scene.h.number,
    }
    assert drill(user, "completed", start=D(2026, 11, 27), end=T).count() == 1


def test_bad_filters_are_refused(env, scene):
    user = env.s.supervisor.user
    with pytest.raises(ValidationFailed):
        drill(user, "nonsense")
    with pytest.raises(ValidationFailed):
        figures(user, start=T, end=D(2026, 11, 1))
    with pytest.raises(ValidationFailed):
        figures(user, start=D(2020, 1, 1))  # longer than three years
    with pytest.raises(ValidationFailed):
        drill(user, "open", channel="fax")
    with pytest.raises(NotFound):
        figures(user, department_id=999_999)
    with pytest.raises(NotFound):
        figures(user, window_id=999_999)


def test_open_orders_counted_per_department(env, scene):
    services.issue_order(actor=env.s.supervisor.user, case=scene.a, subject="超期未办结，请说明")
    f = figures(env.s.supervisor.user)
    assert f["orders"]["open"] == 1 and f["orders"]["escalated"] == 0
    assert f["orders"]["latest"][0]["case_number"] == scene.a.number
    assert by_id(f["departments"], env.c.market.pk)["orders_open"] == 1
    assert by_id(f["departments"], env.c.health.pk)["orders_open"] == 0


def test_the_figures_take_a_few_queries_whatever_the_cases(
    env, scene, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        figures(env.s.supervisor.user)


# --------------------------------------------------------------------------- isolation


def test_a_department_sees_its_own_department_only(env, scene):
    chief = env.s.market_chief.user
    f = figures(chief)
    assert [d["id"] for d in f["departments"]] == [env.c.market.pk]
    assert f["current"]["open"] == 6 and f["current"]["overdue"] == 1
    assert f["history"]["received"] == 8
    assert numbers(drill(chief, "overdue")) == {scene.a.number}  # not the health case
    assert figures(chief, department_id=env.c.market.pk)["current"]["open"] == 6
    with pytest.raises(PermissionDenied):
        figures(chief, department_id=env.c.health.pk)
    with pytest.raises(PermissionDenied):
        drill(chief, "overdue", department_id=env.c.health.pk)
    with pytest.raises(PermissionDenied):
        figures(env.s.clerk.user)  # a 综合受理 clerk: no dashboard


def test_the_centre_administrator_sees_the_county(env, scene):
    assert figures(env.s.admin.user)["current"]["open"] == 7


# --------------------------------------------------------------------------- pages


def test_the_page_shows_the_numbers_and_links_each_to_its_cases(client, env, scene):
    client.force_login(env.s.supervisor.user)
    with clock.frozen(at(T)):
        html = client.get(PAGE).content.decode()
    assert 'id="dashboard-data"' in html and "echarts.min.js" in html
    assert f'href="{DRILL}?measure=red" aria-label="红灯（今日到期） 1 件"' in html
    assert f'{DRILL}?measure=overdue&amp;department={env.c.health.pk}"' in html
    assert "市场监管局" in html and "卫健委" in html and "01 综合受理" in html
    assert f'{DRILL}?measure=open&amp;window=0" data-measure="open">2<' in html  # 未指定窗口
    assert "50.0%" in html  # the market's on-time rate, in the table and the ranking
    assert 'href="/staff/supervision/dashboard/"' in html  # the staff nav link


def test_the_drill_down_page_lists_the_cases_masked(client, env, scene):
    client.force_login(env.s.supervisor.user)
    with clock.frozen(at(T)):
        response = client.get(DRILL, {"measure": "overdue"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "超期办件" in html and "共 2 件" in html
    assert html.count('class="case-row"') == 2
    assert f'href="/staff/cases/{scene.a.number}/"' in html
    assert scene.a.applicant_id_number not in html  # masked
    assert scene.a.applicant_id_number[:6] + "********" in html
    with clock.frozen(at(T)):
        html = client.get(DRILL, {"measure": "received", "start": "2026-11-30"}).content.decode()
    assert "共 1 件" in html and scene.e.number in html


def test_pages_keep_a_department_to_its_own(client, env, scene):
    client.force_login(env.s.market_chief.user)
    with clock.frozen(at(T)):
        assert client.get(PAGE).status_code == 200
        assert client.get(PAGE, {"department": env.c.health.pk}).status_code == 403
        response = client.get(DRILL, {"measure": "overdue", "department": env.c.health.pk})
        assert response.status_code == 403
        html = client.get(DRILL, {"measure": "overdue"}).content.decode()
    assert scene.a.number in html and scene.h.number not in html
    client.force_login(env.s.clerk.user)
    assert client.get(PAGE).status_code == 403
    assert 'href="/staff/supervision/dashboard/"' not in client.get("/staff/").content.decode()


def test_a_bad_date_on_the_page_is_said_in_chinese(client, env, scene):
    client.force_login(env.s.supervisor.user)
    response = client.get(PAGE, {"start": "2026-02-30"})
    assert response.status_code == 400
    assert "开始日期格式不正确" in response.content.decode()
    response = client.get(PAGE, {"start": "2026-12-01", "end": "2026-11-01"})
    assert response.status_code == 400 and "开始日期不能晚于结束日期" in response.content.decode()


# --------------------------------------------------------------------------- API


def test_api_figures_and_cases(env, scene):
    from govhall.cases.tests.conftest import api

    client = api(env.s.supervisor.user)
    with clock.frozen(at(T)):
        body = client.get(API).json()
        assert body["current"]["red"] == 1 and body["history"]["completed"] == 2
        assert body["start"] == "2026-11-02" and len(body["trend"]) == 30
        cases = client.get(API + "cases/", {"measure": "overdue", "limit": 1}).json()
    assert cases["count"] == 2 and len(cases["results"]) == 1 and cases["next"]
    row = cases["results"][0]
    assert row["light"] == "overdue" and "*" in row["applicant"]["id_number"]
    with clock.frozen(at(T)):
        late = client.get(API + "cases/", {"measure": "late"}).json()["results"]
    assert [r["number"] for r in late] == [scene.g.number] and late[0]["completed_at"]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({}, 400, "invalid_filter"),  # measure is required
        ({"measure": "nonsense"}, 400, "invalid_filter"),
        ({"measure": "open", "department": "abc"}, 400, "invalid_filter"),
        ({"measure": "open", "start": "2026-13-01"}, 400, "invalid_filter"),
        ({"measure": "open", "stat": "x"}, 400, "invalid_filter"),
        ({"measure": "open", "channel": "fax"}, 400, "invalid_filter"),
        ({"measure": "completed", "start": "2026-12-01", "end": "2026-11-01"}, 400, "invalid_period"),
        ({"measure": "completed", "end": "9999-12-31"}, 400, "invalid_period"),
        ({"measure": "open", "department": "999999"}, 404, "department_not_found"),
        ({"measure": "open", "item": "999999"}, 404, "item_not_found"),
    ],
)  # fmt: skip
def test_api_errors(env, scene, query, status, code):
    from govhall.cases.tests.conftest import api

    response = api(env.s.supervisor.user).get(API + "cases/", query)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code


def test_api_department_isolation(env, scene):
    from govhall.cases.tests.conftest import api

    chief = api(env.s.market_chief.user)
    with clock.frozen(at(T)):
        own = chief.get(API).json()
        assert [d["id"] for d in own["departments"]] == [env.c.market.pk]
        other = chief.get(API, {"department": env.c.health.pk})
        assert other.status_code == 403 and other.json()["code"] == "permission_denied"
        cases = chief.get(API + "cases/", {"measure": "overdue"}).json()
    assert [r["number"] for r in cases["results"]] == [scene.a.number]
    response = api(env.s.clerk.user).get(API)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
