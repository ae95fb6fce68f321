"""The fee rule (``rules.fee_not_listed``, 收费不在收费清单内, issue 11 §1): raised,
not raised, cleared when the off-list record is cancelled."""

from __future__ import annotations

import pytest

from govhall.cases import services as case_services
from govhall.core.models import AuditEntry
from govhall.notifications.models import Notification
from govhall.supervision import rules, services
from govhall.supervision.models import Kind, Level, Warning

from .helpers import D, act, cleared, evaluate, open_kinds, submit
from .test_fees_cases import line, publish_fee_item

TODAY = D(2026, 11, 23)


@pytest.fixture
def fee_item(env):
    return publish_fee_item(env)


@pytest.fixture
def case(env, fee_item):
    return act(submit(env, fee_item), "accept", env.s.clerk.user)


def record(env, case, **kw):
    return case_services.record_fee(actor=env.s.market_chief.user, case=case, **kw)


def test_a_fee_off_the_list_raises_a_red_warning_and_tells_the_department(env, case):
    record(env, case, name="加急服务费", amount=20000)
    out = evaluate(case, TODAY)
    (w,) = out.raised
    assert (w.kind, w.level) == (Kind.FEE_NOT_LISTED, Level.RED)
    assert w.detail == "登记收费“加急服务费”200.00 元，不在本事项收费清单内"
    assert w.department == case.department
    assert AuditEntry.objects.filter(action="supervision.warning.raise", object_id=str(w.pk))
    assert Notification.objects.filter(
        ref=f"supervision.warning:{w.pk}", recipient_user_id=env.s.market_chief.user_id
    ).exists()
    assert evaluate(case, TODAY).raised == []  # idempotent


def test_any_fee_on_a_guide_that_says_free_is_raised(env):
    free = act(submit(env), "accept", env.s.clerk.user)  # 食品经营许可: 不收费
    record(env, free, name="工本费", amount=1000)
    (w,) = evaluate(free, TODAY).raised
    assert w.kind == Kind.FEE_NOT_LISTED
    assert w.detail == "办事指南为不收费，却登记收费“工本费”10.00 元"


def test_a_fee_guide_without_a_list_flags_any_fee(env):
    item = publish_fee_item(env, basic_code="000111222090", name="只有收费说明", lines=[])
    case = act(submit(env, item), "accept", env.s.clerk.user)
    record(env, case, name="工本费", amount=1000)
    (w,) = evaluate(case, TODAY).raised
    assert w.detail == "登记收费“工本费”10.00 元，本事项办事指南未列收费清单"


def test_fees_on_the_list_raise_nothing(env, fee_item, case):
    record(env, case, amount=1000, fee_line=line(fee_item, "工本费"))
    record(env, case, name=" 检测 费", amount=3550)  # by name (spaces not counted)
    assert rules.fee_not_listed(case, TODAY) is None
    assert evaluate(case, TODAY).raised == []
    assert Kind.FEE_NOT_LISTED not in open_kinds(case)


def test_a_case_without_fees_raises_nothing(case):
    assert rules.fee_not_listed(case, TODAY) is None
    assert Kind.FEE_NOT_LISTED not in open_kinds(case)


def test_cancelling_the_off_list_records_clears_it_once_none_stands(env, case):
    one = record(env, case, name="加急服务费", amount=20000)
    two = record(env, case, name="咨询费", amount=500)
    (w,) = evaluate(case, TODAY).raised
    assert "“加急服务费”200.00 元、“咨询费”5.00 元" in w.detail
    case_services.cancel_fee(actor=env.s.market_chief.user, fee=one, reason="误收，已退还")
    assert evaluate(case, TODAY).cleared == []  # 咨询费 still stands
    assert Kind.FEE_NOT_LISTED in open_kinds(case)
    case_services.cancel_fee(actor=env.s.market_chief.user, fee=two, reason="误收，已退还")
    out = evaluate(case, TODAY)
    assert [c.kind for c in out.cleared] == [Kind.FEE_NOT_LISTED]
    w = cleared(case, Kind.FEE_NOT_LISTED)
    assert w.clear_reason == "清单外收费记录已撤销"
    assert Kind.FEE_NOT_LISTED not in open_kinds(case)


def test_a_completed_case_keeps_its_warning_until_the_record_is_cancelled(env, case):
    record(env, case, name="加急服务费", amount=20000)
    case.state = "completed"
    case.save(update_fields=["state"])
    assert Kind.FEE_NOT_LISTED in {w.kind for w in evaluate(case, TODAY).raised}
    fee = case.fees.get()
    case_services.cancel_fee(actor=env.s.market_chief.user, fee=fee, reason="误录")
    evaluate(case, TODAY)
    assert cleared(case, Kind.FEE_NOT_LISTED).clear_reason == "清单外收费记录已撤销"


def test_the_daily_run_finds_it_and_reads_fees_per_batch_not_per_case(env, fee_item):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = act(submit(env, fee_item), "accept", env.s.clerk.user)
    record(env, first, name="加急服务费", amount=20000)
    assert services.daily_run(today=TODAY)["raised"] >= 1
    assert Warning.objects.filter(case=first, kind=Kind.FEE_NOT_LISTED, cleared_at=None).exists()
    with CaptureQueriesContext(connection) as one:
        services.daily_run(today=TODAY)
    for _ in range(3):
        other = act(submit(env, fee_item), "accept", env.s.clerk.user)
        record(env, other, name="加急服务费", amount=100)
    services.daily_run(today=TODAY)
    with CaptureQueriesContext(connection) as four:
        assert services.daily_run(today=TODAY)["cases"] == 4
    assert len(four.captured_queries) == len(one.captured_queries)
    assert Warning.objects.filter(kind=Kind.FEE_NOT_LISTED, cleared_at=None).count() == 4


def test_recording_a_fee_is_looked_at_after_commit(env, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(env, case, name="加急服务费", amount=20000)
    assert Warning.objects.filter(case=case, kind=Kind.FEE_NOT_LISTED, cleared_at=None).exists()
    fee = case.fees.get()
    with django_capture_on_commit_callbacks(execute=True):
        case_services.cancel_fee(actor=env.s.market_chief.user, fee=fee, reason="误录")
    assert cleared(case, Kind.FEE_NOT_LISTED) is not None
