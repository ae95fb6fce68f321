"""``services.transition``: one case through the whole table, a transition not in the
table, the optimistic lock, and the lock order of a 一件事."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases.models import Case, CaseDocument, CaseEvent, DocumentKind, State
from govhall.core.errors import Conflict
from govhall.core.models import AuditEntry

from ..conftest import act, bundle_case, submit


def test_full_happy_path_records_every_step(env):
    s = env.s
    case = submit(env)
    case = act(case, "accept", s.clerk.user)
    assert case.state == State.IN_REVIEW and case.accepted_on == dt.date(2026, 11, 23)
    assert case.due_date == dt.date(2026, 11, 30)  # 5 working days, acceptance day not counted
    case = act(case, "review", s.market_approver.user, opinion="材料齐全，符合条件")
    assert case.current_step == 1
    case = act(case, "decide", s.market_approver.user, result="approved", opinion="同意")
    case = act(case, "certify", s.market_chief.user, result_number=f"JY1150626{case.pk:07d}")
    case = act(case, "deliver", s.clerk.user, method="post", tracking_number="SF1234567890")
    case = act(case, "complete", s.clerk.user)
    case = act(case, "archive", s.market_chief.user)
    assert case.state == State.ARCHIVED and case.version == 8
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "submit", "accept", "review", "decide", "certify", "deliver", "complete", "archive"
    ]  # fmt: skip
    event = case.events.get(action="review")
    assert event.actor_name == "市场审批" and event.opinion == "材料齐全，符合条件"
    kinds = set(CaseDocument.objects.filter(case=case).values_list("kind", flat=True))
    assert {DocumentKind.ACCEPTANCE, DocumentKind.DECISION, DocumentKind.SERVICE_RECEIPT} <= kinds
    notice = case.documents.get(kind=DocumentKind.ACCEPTANCE)
    assert notice.data["due_date"] == "2026-11-30" and notice.number.startswith(case.number)
    assert AuditEntry.objects.filter(object_type="cases.case", action="cases.case.decide").exists()


def test_wrong_state_is_refused_and_nothing_changes(env):
    case = submit(env)
    with pytest.raises(Conflict) as exc:
        act(case, "decide", env.s.market_approver.user, result="approved", opinion="同意")
    assert exc.value.code == "invalid_transition" and "已申请" in exc.value.message
    case = act(case, "accept", env.s.clerk.user)
    with pytest.raises(Conflict):
        act(case, "accept", env.s.clerk.user)
    assert CaseEvent.objects.filter(case=case).count() == 2


def test_stale_version_is_a_conflict(env):
    case = submit(env)
    same_case_other_screen = Case.objects.get(pk=case.pk)
    act(case, "accept", env.s.clerk.user)
    with pytest.raises(Conflict) as exc:
        act(same_case_other_screen, "refuse", env.s.clerk.user, reason="材料不全")
    assert exc.value.code == "stale_case"
    assert Case.objects.get(pk=case.pk).state == State.IN_REVIEW


def test_a_child_action_locks_the_parent_before_the_child(env, bundle_rows):
    """Lock order parent → child everywhere, so two windows acting on one 一件事 (one
    on the parent, one on a child) wait for each other instead of deadlocking."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    parent = act(bundle_case(env, bundle_rows), "accept", env.s.clerk.user)
    child = parent.children.get(department=env.c.market)
    with CaptureQueriesContext(connection) as ctx:
        act(child, "review", env.s.market_chief.user, opinion="符合")
    case_reads = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "cases_case"."id"')
    ]
    assert case_reads, [q["sql"] for q in ctx.captured_queries][:5]
    assert f"= {parent.pk}" in case_reads[0] or f"= {parent.pk} " in case_reads[0]
