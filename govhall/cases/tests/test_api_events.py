"""GET /api/v1/cases/{number}/events/ (issue 8 §4): the 办理记录 as on the staff site —
副卷 entries only for the roles that see them there, each event with its Chinese
label, the applicant's name masked."""

from __future__ import annotations

from govhall.cases import services
from govhall.testing import factories

from .conftest import api, submit


def _events(user, case, query=""):
    return api(user).get(f"/api/v1/cases/{case.number}/events/{query}")


def test_events_list_the_history_with_chinese_labels(env):
    case = submit(env)
    chief = env.s.market_chief.user
    services.transition(actor=chief, case=case, action="accept", expected_version=case.version)
    response = _events(chief, case)
    assert response.status_code == 200, response.content
    rows = response.json()
    assert [r["action"] for r in rows] == ["submit", "accept"]
    assert [r["label"] for r in rows] == ["申请", "受理"]
    assert rows[1]["to_state"]["value"] == "in_review" and rows[1]["to_state"]["label"]
    assert rows[1]["actor"] == "市场首代"


def test_restricted_entries_only_for_permitted_roles(env):
    case = submit(env)
    chief = env.s.market_chief.user
    services.transition(
        actor=chief, case=case, action="accept", expected_version=case.version, restricted=True
    )
    seen_by_chief = [r["action"] for r in _events(chief, case).json()]
    seen_by_supervisor = [r["action"] for r in _events(env.s.supervisor.user, case).json()]
    seen_by_approver = [r["action"] for r in _events(env.s.market_approver.user, case).json()]
    assert seen_by_chief == seen_by_supervisor == ["submit", "accept"]
    assert seen_by_approver == ["submit"]


def test_the_applicant_is_masked(env):
    case = services.apply_online(
        item=env.c.market_item,
        applicant={
            "kind": "person",
            "name": "张三丰",
            "id_number": factories.make_id_number(5),
            "phone": "13904771234",
        },
        materials=[{"material": m} for m in env.c.market_item.versions.get().materials.all()],
    )
    rows = _events(env.s.market_chief.user, case).json()
    assert rows[0]["actor"] == "申请人 张**"
    assert "张三丰" not in str(rows)


def test_other_department_and_unknown_case_and_unknown_parameter(env, health_item):
    case = submit(env)
    assert _events(env.s.health_chief.user, case).status_code == 403
    missing = api(env.s.market_chief.user).get("/api/v1/cases/NOPE/events/")
    assert missing.status_code == 404 and missing.json()["code"] == "case_not_found"
    bad = _events(env.s.market_chief.user, case, "?page=2")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_filter"
    assert "page" in bad.json()["fields"]
