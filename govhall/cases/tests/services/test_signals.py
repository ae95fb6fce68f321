"""What the apps above cases hear (``cases.signals``): every event of a case, once
its transaction commits, and nothing that was rolled back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from govhall.cases import services, signals
from govhall.cases.models import Result
from govhall.core import clock

from ..conftest import act, bundle_case, submit


@pytest.fixture
def heard():
    events = []

    def on_event(sender, case, action, event, **kwargs):
        events.append((case.number, action, event.action))

    def on_decision(sender, case, result, **kwargs):
        events.append((case.number, "decided", result))

    signals.case_transitioned.connect(on_event)
    signals.case_decided.connect(on_decision)
    yield events
    signals.case_transitioned.disconnect(on_event)
    signals.case_decided.disconnect(on_decision)


def test_submit_transitions_and_decision_are_heard_after_commit(
    env, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(env)
        assert heard == []  # not before the transaction commits
    chief = env.s.market_chief.user
    with django_capture_on_commit_callbacks(execute=True):
        case = act(case, "accept", env.s.clerk.user)
        case = act(case, "review", chief, opinion="符合")
        case = act(case, "decide", chief, result=Result.APPROVED, opinion="同意")
    n = case.number
    assert heard[:3] == [(n, "submit", "submit"), (n, "accept", "accept"), (n, "review", "review")]
    assert set(heard[3:]) == {(n, "decide", "decide"), (n, "decided", Result.APPROVED)}


def test_a_rolled_back_action_is_not_heard(env, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(env)
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            act(case, "accept", env.s.clerk.user)
            raise RuntimeError("rolled back")
    assert heard == [] and callbacks == []


def test_deemed_acceptance_and_every_bundle_child_are_heard(
    env, heard, restaurant_bundle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        late = submit(env)
        parent = bundle_case(env, restaurant_bundle)
    children = {c.number for c in parent.children.all()}
    assert {n for n, action, _ in heard if action == "submit"} == {late.number, parent.number,
                                                                     *children}  # fmt: skip
    heard.clear()
    with (
        clock.frozen(dt.datetime(2026, 12, 3, 9)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        deemed = services.apply_deemed_acceptance()
    assert late.number in deemed
    assert (late.number, "deemed_acceptance", "deemed_acceptance") in heard
