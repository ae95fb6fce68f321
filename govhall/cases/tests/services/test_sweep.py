"""The whole transition table, swept (as Signalen tests its workflow): every action from
every state, and every kind of person against every action. What is allowed succeeds;
everything else is refused with its stable error code and changes nothing.

The expectations below are written from the domain (who may do what, from which
state), not read from ``workflow.TRANSITIONS``: a change of a row's states or roles
makes this test fail until the expectation is changed with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import transaction

from govhall.cases import services, signals, workflow
from govhall.cases.models import Case, Result, State, SubmittedMaterial
from govhall.cases.roles import CaseRole
from govhall.catalog.models import AuthorisedItem, CaseType
from govhall.core.actors import SYSTEM, Applicant
from govhall.core.errors import DomainError
from govhall.core.models import AuditEntry
from govhall.org.models import Authorisation, Role
from govhall.testing import factories

S = State

# From which states each action may be taken (行政许可法 and docs/domain-rules.md).
OPEN = {S.SUBMITTED, S.AWAITING_CORRECTION, S.IN_REVIEW, S.SPECIAL_STEP, S.DECIDED, S.CERTIFIED,
        S.DELIVERED}  # fmt: skip
EXPECTED_SOURCES = {
    "accept": {S.SUBMITTED},
    "request_correction": {S.SUBMITTED},
    "resubmit": {S.AWAITING_CORRECTION},
    "refuse": {S.SUBMITTED, S.AWAITING_CORRECTION},
    "accept_with_tolerance": {S.SUBMITTED},
    "catch_up": {S.IN_REVIEW, S.SPECIAL_STEP, S.DECIDED},
    "review": {S.IN_REVIEW},
    "decide": {S.IN_REVIEW},
    "start_special_step": {S.IN_REVIEW},
    "end_special_step": {S.SPECIAL_STEP},
    "extend": {S.IN_REVIEW, S.SPECIAL_STEP},
    "certify": {S.DECIDED},
    "deliver": {S.DECIDED, S.CERTIFIED},
    "complete": {S.DELIVERED},
    "archive": {S.COMPLETED},
    "withdraw": {S.SUBMITTED, S.AWAITING_CORRECTION, S.IN_REVIEW, S.SPECIAL_STEP},
    "terminate": OPEN,
}

# Who may take which action on a case of the market department, applied at the county
# centre (an ordinary item, not a 即办件).
RECEIVE = {"accept", "request_correction", "resubmit", "refuse", "accept_with_tolerance",
           "catch_up", "withdraw"}  # fmt: skip
DEPT = RECEIVE | {"start_special_step", "end_special_step", "certify", "deliver", "complete",
                  "archive"}  # fmt: skip
EXPECTED_ACTORS = {
    "clerk": RECEIVE | {"deliver", "complete"},  # 综合受理 at the centre
    "dept_staff": DEPT,  # an approver of the department the 授权书 does not name
    "approver": DEPT | {"review", "decide"},  # named in the 授权书 for the item
    "chief": DEPT | {"review", "decide", "extend", "terminate"},  # 首席代表
    "admin": {"archive", "terminate"},
    "applicant": {"resubmit", "catch_up", "withdraw"},
    "system": {"accept", "refuse", "archive", "withdraw", "terminate"},
    "supervisor": set(),  # reads everything, changes nothing
    "other_chief": set(),  # another department's chief
    "deactivated": set(),  # a chief who has left (离岗)
}

# Where each action is tried in the role sweep.
ROLE_SWEEP_STATE = {
    "accept": S.SUBMITTED,
    "request_correction": S.SUBMITTED,
    "resubmit": S.AWAITING_CORRECTION,
    "refuse": S.SUBMITTED,
    "accept_with_tolerance": S.SUBMITTED,
    "catch_up": S.IN_REVIEW,
    "review": S.IN_REVIEW,
    "decide": S.IN_REVIEW,
    "start_special_step": S.IN_REVIEW,
    "end_special_step": S.SPECIAL_STEP,
    "extend": S.IN_REVIEW,
    "certify": S.DECIDED,
    "deliver": S.CERTIFIED,
    "complete": S.DELIVERED,
    "archive": S.COMPLETED,
    "withdraw": S.SUBMITTED,
    "terminate": S.IN_REVIEW,
}


class _Rollback(Exception):
    pass


@pytest.fixture
def world(db):
    org = factories.build_org()
    s = org.staff
    dept_staff = factories.make_staff(
        username="approver2", name="市场审批二", role=Role.APPROVER, centre=org.county,
        department=org.market,
    )  # fmt: skip
    deactivated = factories.make_staff(
        username="old_chief", name="原首代", role=Role.CHIEF_REP, centre=org.county,
        department=org.market,
    )  # fmt: skip
    deactivated.is_active = False
    deactivated.save()
    item = factories.publish_item(
        actor=org.root,
        department=org.market,
        basic_code="000111222009",
        name="食品生产许可",
        allows_tolerance=True,
        materials=[
            {"name": "申请书", "required": True},
            {"name": "健康证明", "required": True, "tolerance_allowed": True},
        ],
        special_steps=[
            {
                "kind": "site_inspection",
                "name": "现场核查",
                "basis": "《食品生产许可管理办法》",
                "time_limit_days": 5,
                "counted_in_limit": False,
            },
        ],  # fmt: skip
    )
    authorisation = Authorisation.objects.create(
        department=org.market,
        chief_rep=s.market_chief,
        number="SQ-2026-09",
        signed_on=dt.date(2026, 1, 1),
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2027, 12, 31),
    )
    AuthorisedItem.objects.create(authorisation=authorisation, item=item).approvers.add(
        s.market_approver
    )
    version = item.versions.get()
    actors = {
        "clerk": s.clerk.user,
        "dept_staff": dept_staff.user,
        "approver": s.market_approver.user,
        "chief": s.market_chief.user,
        "admin": s.admin.user,
        "applicant": Applicant(),
        "system": SYSTEM,
        "supervisor": s.supervisor.user,
        "other_chief": s.health_chief.user,
        "deactivated": deactivated.user,
    }
    return dataclasses.make_dataclass("World", ["org", "item", "version", "actors"])(
        org, item, version, actors
    )


def _materials(world):
    return {m.name: m for m in world.version.materials.all()}


def _case_in(world, state: str) -> Case:
    """A case brought to ``state`` through the real transitions (the chief acts)."""
    org, chief = world.org, world.actors["chief"]
    case = services.submit_application(
        actor=world.actors["clerk"],
        item=world.item,
        centre=org.county,
        channel="window",
        applicant={
            "kind": "person",
            "name": "张三丰",
            "id_number": factories.make_id_number(7),
            "phone": "13800001234",
        },  # fmt: skip
        materials=[{"material": m} for m in world.version.materials.all()],
    )

    def go(action, **inputs):
        nonlocal case
        case = services.transition(
            actor=chief, case=case, action=action, expected_version=case.version, **inputs
        )

    path = {
        S.SUBMITTED: [],
        S.AWAITING_CORRECTION: ["request_correction"],
        S.REFUSED: ["refuse"],
        S.WITHDRAWN: ["withdraw"],
        S.IN_REVIEW: ["accept"],
        S.TERMINATED: ["accept", "terminate"],
        S.SPECIAL_STEP: ["accept", "start_special_step"],
        S.DECIDED: ["accept", "review", "decide"],
        S.CERTIFIED: ["accept", "review", "decide", "certify"],
        S.DELIVERED: ["accept", "review", "decide", "certify", "deliver"],
        S.COMPLETED: ["accept", "review", "decide", "certify", "deliver", "complete"],
        S.ARCHIVED: ["accept", "review", "decide", "certify", "deliver", "complete", "archive"],
    }[state]
    for action in path:
        go(action, **_inputs(world, case, action))
    assert case.state == state
    return case


def _inputs(world, case, action: str) -> dict:
    """Valid inputs of ``action`` for ``case``, after the test setup it needs (inside
    the attempt's savepoint, so it is rolled back with it)."""
    m = _materials(world)
    if action == "catch_up":  # a tolerated material still outstanding
        SubmittedMaterial.objects.filter(case=case, material=m["健康证明"]).update(
            tolerated=True, caught_up_at=None
        )
        Case.objects.filter(pk=case.pk).update(tolerance_due=dt.date(2026, 11, 30))
    if action == "decide":  # the review step is done
        Case.objects.filter(pk=case.pk).update(current_step=1)
    if action == "deliver" and case.state == S.DECIDED:  # a denial needs no 制证
        Case.objects.filter(pk=case.pk).update(result=Result.DENIED)
    return {
        "request_correction": {"corrections": [{"material": m["申请书"], "problem": "未签字"}]},
        "resubmit": {"materials": [{"material": m["申请书"]}]},
        "refuse": {"reason": "不符合法定形式"},
        "accept_with_tolerance": {
            "tolerated": [m["健康证明"]],
            "commitment": "三日内补齐",
            "catch_up_days": 3,
        },  # fmt: skip
        "catch_up": {"materials": [{"material": m["健康证明"]}]},
        "review": {"opinion": "材料齐全"},
        "decide": {"result": Result.APPROVED, "opinion": "符合法定条件"},
        "start_special_step": {
            "special_step": world.version.special_steps.get(),
            "notice": {"time": "另行通知"},
        },  # fmt: skip
        "end_special_step": {"record": "核查合格"},
        "extend": {"days": 3, "reason": "情况复杂"},
        "certify": {"result_number": f"SC{case.pk:07d}"},
        "deliver": {"method": "window"},
        "withdraw": {"reason": "申请人撤回"},
        "terminate": {"reason": "申请人死亡"},
    }.get(action, {})


def _footprint(case) -> tuple:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.state,
        fresh.version,
        fresh.events.count(),
        fresh.documents.count(),
        AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).count(),
    )


def _attempt(world, case, action, actor) -> str | None:
    """Take ``action``; ``None`` if it succeeded (then rolled back), else the refusal's
    code — and then nothing may have changed."""
    before = _footprint(case)
    try:
        with transaction.atomic():
            fresh = Case.objects.get(pk=case.pk)
            inputs = _inputs(world, fresh, action)
            fresh = Case.objects.get(pk=case.pk)
            done = services.transition(
                actor=actor, case=fresh, action=action, expected_version=fresh.version, **inputs
            )
            assert done.version == fresh.version + 1
            row = workflow.TABLE[action]
            assert done.state == (row.target or fresh.state)
            raise _Rollback
    except _Rollback:
        return None
    except DomainError as exc:
        assert _footprint(case) == before, f"{action} refused ({exc.code}) but changed the case"
        return exc.code


def _state_mismatches(world, actions=EXPECTED_SOURCES) -> list[str]:
    cases = {state: _case_in(world, state) for state in State.values}
    wrong = []
    for action in actions:
        sources = EXPECTED_SOURCES[action]
        for state, case in cases.items():
            code = _attempt(world, case, action, world.actors["chief"])
            expected = None if state in sources else "invalid_transition"
            if code != expected:
                wrong.append(f"{action} from {state}: {code or 'succeeded'}, expected {expected}")
    return wrong


def _role_mismatches(world, actions=ROLE_SWEEP_STATE) -> list[str]:
    states = {ROLE_SWEEP_STATE[action] for action in actions}
    cases = {state: _case_in(world, state) for state in states}
    wrong = []
    for action in actions:
        state = ROLE_SWEEP_STATE[action]
        for who, actor in world.actors.items():
            code = _attempt(world, cases[state], action, actor)
            expected = None if action in EXPECTED_ACTORS[who] else "permission_denied"
            if code != expected:
                wrong.append(f"{who} {action}: {code or 'succeeded'}, expected {expected}")
    return wrong


def test_every_action_from_every_state(world):
    assert _state_mismatches(world) == []


def test_every_person_against_every_action(world):
    assert _role_mismatches(world) == []


def test_the_sweep_sees_a_changed_row(world, monkeypatch):
    """Give 延期 to the window clerk in the table: the sweep must notice."""
    row = workflow.TABLE["extend"]
    wider = dataclasses.replace(row, roles=row.roles | {CaseRole.CLERK})
    monkeypatch.setitem(workflow.TABLE, "extend", wider)
    assert _role_mismatches(world, ["extend"]) == [
        "clerk extend: succeeded, expected permission_denied"
    ]


def test_the_sweep_sees_a_changed_state(world, monkeypatch):
    """Allow 制证 twice in the table: the sweep must notice. (The apps that hear of a
    制证 in its transaction are left out: the licences app would refuse a second
    licence for the case with a code of its own.)"""
    monkeypatch.setattr(signals.case_event_recorded, "receivers", [])
    row = workflow.TABLE["certify"]
    wider = dataclasses.replace(row, sources=(*row.sources, S.CERTIFIED))
    monkeypatch.setitem(workflow.TABLE, "certify", wider)
    assert _state_mismatches(world, ["certify"]) == [
        "certify from certified: succeeded, expected invalid_transition"
    ]


def test_the_sweep_covers_the_whole_table():
    automatic = {"complete_bundle"}  # the system's, on a 一件事 parent only (test_bundles)
    assert set(EXPECTED_SOURCES) == set(workflow.TABLE) - automatic
    assert set(ROLE_SWEEP_STATE) == set(EXPECTED_SOURCES)
    for action, sources in EXPECTED_SOURCES.items():
        assert set(workflow.TABLE[action].sources) == sources, action


def test_an_instant_item_is_decided_and_certified_at_the_window(world):
    """即办件: the window clerk decides and certifies on the spot; on an ordinary item
    the same clerk may not (see the role sweep)."""
    org, clerk = world.org, world.actors["clerk"]
    instant = factories.publish_item(
        actor=org.root, department=org.market, basic_code="000111222010", name="食品经营许可证补办",
        case_type=CaseType.INSTANT, promised_limit_days=0, legal_limit_days=None, steps=[],
    )  # fmt: skip
    case = services.submit_application(
        actor=clerk, item=instant, centre=org.county, channel="window",
        applicant={"kind": "person", "name": "李四", "id_number": factories.make_id_number(8),
                   "phone": "13800005678"},
        materials=[{"material": m} for m in instant.versions.get().materials.all()],
    )  # fmt: skip
    for action, inputs in (
        ("accept", {}),
        ("decide", {"result": Result.APPROVED, "opinion": "当场办结"}),
        ("certify", {"result_number": "BB2026001"}),
    ):
        case = services.transition(
            actor=clerk, case=case, action=action, expected_version=case.version, **inputs
        )
    assert case.state == S.CERTIFIED


def test_the_system_completes_only_a_bundle_parent(world):
    case = _case_in(world, S.SUBMITTED)
    assert _attempt(world, case, "complete_bundle", SYSTEM) == "not_bundle_parent"
    assert _attempt(world, case, "complete_bundle", world.actors["chief"]) == "permission_denied"
