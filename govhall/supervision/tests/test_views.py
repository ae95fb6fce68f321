"""The warning page (/staff/supervision/warnings/) and API
(/api/v1/supervision/warnings): the supervision office and the centre administrator
see every department's warnings, a department its own only, a centre clerk none."""

from __future__ import annotations

import pytest

from govhall.cases.tests.conftest import api
from govhall.supervision import services
from govhall.supervision.models import Kind

from .helpers import D, act, submit

pytestmark = pytest.mark.django_db

PAGE = "/staff/supervision/warnings/"
API = "/api/v1/supervision/warnings/"


@pytest.fixture
def warned(env, health_item):
    market = act(submit(env), "refuse", env.s.clerk.user, reason="材料不全")
    health = act(submit(env, health_item), "refuse", env.s.clerk.user, reason="不符合条件")
    late = act(submit(env), "accept", env.s.clerk.user)
    for case in (market, health, late):
        services.evaluate_case(case=case, today=D(2026, 12, 1))
    return market, health, late


def _page(client, user, query=""):
    client.force_login(user)
    return client.get(PAGE + query)


def test_the_supervision_office_sees_every_department(client, env, warned):
    market, health, late = warned
    body = _page(client, env.s.supervisor.user).content.decode()
    assert "电子监察预警" in body and 'class="table table-sm table-cards' in body
    for case in warned:
        assert case.number in body
    assert "理由不充分" in body and "超期办理" in body


def test_a_department_sees_its_own_warnings_only(client, env, warned):
    market, health, late = warned
    body = _page(client, env.s.market_chief.user).content.decode()
    assert market.number in body and late.number in body and health.number not in body
    assert "仅显示本部门的预警" in body
    body = _page(client, env.s.health_chief.user, f"?department={env.c.market.pk}").content
    assert market.number not in body.decode() and health.number in body.decode()


def test_a_centre_clerk_may_not_open_the_page(client, env, warned):
    response = _page(client, env.s.clerk.user)
    assert response.status_code == 403 and "只有电子监察人员" in response.content.decode()


def test_page_filters(client, env, warned):
    market, health, late = warned
    body = _page(client, env.s.admin.user, "?kind=overdue").content.decode()
    assert late.number in body and market.number not in body
    body = _page(client, env.s.admin.user, f"?department={env.c.health.pk}").content.decode()
    assert health.number in body and market.number not in body
    body = _page(client, env.s.admin.user, "?status=cleared").content.decode()
    assert "暂无预警" in body


def test_the_nav_links_the_page_for_whom_it_is(client, env, warned):
    assert PAGE in _page(client, env.s.supervisor.user).content.decode()
    client.force_login(env.s.clerk.user)
    assert PAGE not in client.get("/staff/").content.decode()


def test_api_department_isolation(env, warned):
    market, health, late = warned
    everything = api(env.s.supervisor.user).get(API).json()
    assert {w["case_number"] for w in everything["results"]} >= {
        market.number,
        health.number,
        late.number,
    }
    own = api(env.s.market_chief.user).get(API).json()["results"]
    assert {w["department"] for w in own} == {env.c.market.pk}
    assert health.number not in {w["case_number"] for w in own}
    other = api(env.s.health_chief.user).get(API, {"case": market.number}).json()
    assert other["results"] == []
    denied = api(env.s.clerk.user).get(API)
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"


def test_api_filters_and_errors(env, warned):
    market, health, late = warned
    client = api(env.s.supervisor.user)
    rows = client.get(API, {"kind": Kind.WEAK_REASON, "status": "open"}).json()["results"]
    assert {w["case_number"] for w in rows} == {market.number, health.number}
    assert rows[0]["kind_label"] == "不予受理/不予许可/退件理由不充分"
    bad = client.get(API, {"kind": "nope"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_filter"
    assert client.get(API, {"department": "x"}).json()["code"] == "invalid_filter"
    assert client.get(API, {"colour": "red"}).json()["code"] == "invalid_filter"
