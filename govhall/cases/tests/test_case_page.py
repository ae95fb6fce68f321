"""The case page as staff read it (issue 10 §3): one line per material with its status,
即办 for an instant case, 超期 N rather than a negative remainder, an honest 承办人."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from govhall.cases import selectors
from govhall.core import clock
from govhall.core.actors import Applicant

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
