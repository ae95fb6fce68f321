"""The case page as staff read it (issue 10 §3): one line per material with its status,
即办 for an instant case, 超期 N rather than a negative remainder, an honest 承办人."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from govhall.cases import selectors
from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.core.errors import ValidationFailed

from .conftest import act, pdf, submit


def _page(client, user, case) -> str:
    client.force_login(user)
    return client.get(reverse("cases:detail", args=[case.number])).content.decode()


def _material_rows(html: str) -> list[str]:
    rows = re.findall(r'<tr class="material-line">(.*?)</tr>', html, re.S)
    return [re.sub(r"<[^>]+>", " ", row).split() for row in rows]


def test_after_correction_each_material_is_listed_once_with_its_status(client, env):
    s = env.s
    version = env.c.market_item.versions.get()
    first, second = version.materials.all()
    case = submit(env, materials=[{"material": first, "file": pdf()}])
    case = act(
        case,
        "request_correction",
        s.clerk.user,
        corrections=[
            {"material": first, "problem": "未签字"},
            {"material": second, "problem": "未提交"},
        ],
    )
    lines = {line.name: line.status for line in selectors.material_lines(case=case)}
    assert lines == {first.name: "待补正：未签字", second.name: "未提交（必要）"}
    with clock.frozen(dt.datetime(2026, 11, 25, 9)):
        case = act(
            case,
            "resubmit",
            Applicant(),
            materials=[{"material": m, "file": pdf()} for m in (first, second)],
        )
    rows = _material_rows(_page(client, s.market_chief.user, case))
    assert [r[0] for r in rows] == [first.name, second.name]  # each once, not twice
    assert rows[0][-1] == "已补正（2026-11-25）" and rows[1][-1] == "已收取"


def test_an_instant_case_says_so_and_an_overdue_one_counts_its_days(client, env, instant):
    s = env.s
    case = act(submit(env, env.instant), "accept", s.clerk.user)
    html = _page(client, s.market_chief.user, case)
    assert "即办（当场办结）" in html and "0个工作日" not in html

    case = act(submit(env), "accept", s.clerk.user)
    with clock.frozen(dt.datetime(2026, 12, 31, 9)):
        html = _page(client, s.market_chief.user, case)
    assert re.search(r"超期 \d+ 个工作日", html) and "剩余 -" not in html


def test_a_case_without_a_responsible_person_says_who_answers_for_it(client, env):
    s = env.s
    case = submit(env)
    assert "受理时确定" in _page(client, s.market_chief.user, case)


def _offered(client, user, case) -> set[str]:
    return set(re.findall(r'id="act-([a-z_]+)"', _page(client, user, case)))


def test_the_page_offers_only_what_can_succeed(client, env):
    """容缺补齐 on a case without 容缺, 容缺受理 for an item that allows none, 决定 before
    审查, 启动特殊环节 with no special step in the guide, 撤回 after 送达: none offered."""
    s = env.s
    chief = s.market_chief.user
    case = submit(env)
    assert not env.c.market_item.versions.get().allows_tolerance
    offered = _offered(client, chief, case)
    assert "accept" in offered and "accept_with_tolerance" not in offered

    case = act(case, "accept", s.clerk.user)
    offered = _offered(client, chief, case)
    assert "review" in offered
    assert not offered & {"catch_up", "decide", "start_special_step"}

    while "review" in _offered(client, chief, case):
        case = act(case, "review", chief, opinion="符合")
    offered = _offered(client, chief, case)
    assert "decide" in offered and "review" not in offered

    case = act(case, "decide", chief, result="approved", opinion="同意")
    assert "deliver" not in _offered(client, chief, case)  # 制证 first
    case = act(case, "certify", chief, result_number="SC-1")
    case = act(case, "deliver", chief, method="window")
    offered = _offered(client, chief, case)
    assert "complete" in offered and "withdraw" not in offered


def test_a_missing_material_names_tolerance_only_where_the_item_allows_it(env):
    from govhall.cases import guards

    case = submit(env, materials=[])
    assert not guards.may_tolerate(case)
    with pytest.raises(ValidationFailed) as exc:
        guards.materials_complete(case, {})
    assert exc.value.message.endswith("请选择一次性告知补正")


def test_the_supervisor_is_not_shown_the_window_desk(client, hall):
    """The desk was drawn for the 电子监察 supervisor and refused only on submit."""
    client.force_login(hall.staff.supervisor.user)
    assert client.get(reverse("cases:desk")).status_code == 403
    page = client.get(reverse("cases:desk_apply", args=[hall.market_item.pk]))
    assert page.status_code == 403 and "您无权" in page.content.decode()
    home = client.get(reverse("core:home")).content.decode()
    assert 'href="/staff/cases/desk/"' not in home  # nor offered in the navigation
    client.force_login(hall.staff.clerk.user)
    assert client.get(reverse("cases:desk_apply", args=[hall.market_item.pk])).status_code == 200


def _inbox_rows(client, user, **query) -> list[str]:
    client.force_login(user)
    html = client.get(reverse("cases:inbox"), query).content.decode()
    return re.findall(r'<tr class="case-row".*?</tr>', html, re.S)


def test_the_inbox_names_a_bundle_and_filters_to_my_cases(client, env, restaurant_bundle):
    from .conftest import bundle_case

    s = env.s
    parent = bundle_case(env, restaurant_bundle)
    mine = act(submit(env), "accept", s.market_chief.user)  # the chief is its 承办人
    other = act(submit(env), "accept", s.market_chief.user, responsible=s.market_approver)
    rows = _inbox_rows(client, s.market_chief.user)
    parent_row = next(r for r in rows if parent.number in r)
    assert restaurant_bundle.name in parent_row and "一件事" in parent_row
    rows = _inbox_rows(client, s.market_chief.user, mine="1")
    assert any(mine.number in r for r in rows) and not any(other.number in r for r in rows)


def _home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("core:home")).content.decode()


def test_each_role_finds_its_own_work_on_the_home_page(client, env):
    """工作台 showed catalogue counts to clerks and the supervisor."""
    s = env.s
    submit(env)
    overdue = act(submit(env), "accept", s.market_chief.user)
    clerk = _home(client, s.clerk.user)
    assert "综合受理 · " in clerk and "待受理" in clerk and "今日收件" in clerk
    assert "待发布草稿" not in clerk  # the catalogue panel is not a clerk's work
    with clock.frozen(dt.datetime(2026, 12, 31, 9)):
        chief = _home(client, s.market_chief.user)
        supervisor = _home(client, s.supervisor.user)
    assert "本部门办件" in chief and "我承办的" in chief and "超期" in chief
    assert "电子监察 · 全中心预警" in supervisor and "待发布草稿" not in supervisor
    assert "待发布草稿" in chief  # the chief maintains the department's guides
    assert overdue.due_date < dt.date(2026, 12, 31)
    assert re.search(r"超期</div><div class=\"fs-4 fw-bold\">[1-9]", supervisor)
