"""Speed of case handling (issue 3 §7): a fixed, small number of queries per step.

Window clerks feel every round trip to the database: a 受理 that issues 15 queries
is three times slower than one that issues 5. These budgets are the numbers reached
by the performance work (see docs/cases.md "性能"); a change that adds a query to a
transition fails here instead of silently slowing every window. The counts include
the SAVEPOINT/RELEASE pair of each service call (tests run inside a transaction).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from govhall.calendar import selectors as calendar
from govhall.calendar import services as calendar_services
from govhall.cases import services
from govhall.cases.models import CaseDocument, CaseEvent, Channel, State
from govhall.core.errors import Conflict
from govhall.core.models import AuditEntry
from govhall.testing import factories

# One application through 申请 → 受理 → 审查 → 决定 → 制证 → 送达 → 办结.
# Before the work of issue 3 (PostgreSQL, chief acting): 17, 13, 8, 11, 6, 8, 7; before
# issue 9 §3: 10, 9, 8, 10, 6, 8, 6. On PostgreSQL a step's writes (case, event, audit
# entry, notice) are one statement (``services.writes``); elsewhere one per row. The
# counts include the notifications the step enqueues (``cases.messages``).
BUDGET = {
    "postgresql": {
        "submit": 5,  # version + item + 进驻, number, one write (case, materials, event, audit)
        "accept": 6,  # lock (+ calendar token), 必要材料 (R-INTAKE-1), one write, notification
        "review": 6,  # lock, 授权书, steps, one write
        "decide": 8,  # lock, 授权书, steps, one write (with 决定书), item type, notification
        # lock, one write, notification; + the 证照库 (issue 14, the licences app in the
        # same transaction): the item with its 联动设置, the number check, the
        # identifier's counter, the licence, its audit entry, the supervising departments
        "certify": 11,
        "deliver": 4,  # lock, one write (with 送达回证)
        "complete": 4,  # lock, one write
    },
    "other": {
        "submit": 9,
        "accept": 9,
        "review": 8,
        "decide": 11,
        "certify": 13,
        "deliver": 7,
        "complete": 6,
    },
}


def _applicant():
    return {
        "kind": "person",
        "name": "李四",
        "id_number": factories.make_id_number(3),
        "phone": "13900002222",
    }


def _life(env, counts: dict):
    """Run one case's life, recording the queries of each step in ``counts``."""
    item = env.c.market_item
    materials = [{"material": m} for m in item.versions.get().materials.all()]
    clerk, approver = env.s.clerk.user, env.s.market_approver.user

    def step(name, fn):
        with CaptureQueriesContext(connection) as ctx:
            result = fn()
        counts[name] = [q["sql"] for q in ctx.captured_queries]
        return result

    case = step(
        "submit",
        lambda: services.submit_application(
            actor=clerk,
            item=item,
            centre=env.c.county,
            channel=Channel.WINDOW,
            applicant=_applicant(),
            materials=materials,
        ),
    )
    case = step(
        "accept",
        lambda: services.transition(action="accept", actor=clerk, case=case, expected_version=1),
    )
    case = step(
        "review",
        lambda: services.transition(
            action="review", actor=approver, case=case, expected_version=2, opinion="符合"
        ),
    )
    case = step(
        "decide",
        lambda: services.transition(
            action="decide",
            actor=approver,
            case=case,
            expected_version=3,
            result="approved",
            opinion="同意",
        ),
    )
    case = step(
        "certify",
        lambda: services.transition(
            action="certify",
            actor=approver,
            case=case,
            expected_version=4,
            result_number=f"X{case.pk}",
        ),
    )
    case = step(
        "deliver",
        lambda: services.transition(
            action="deliver", actor=clerk, case=case, expected_version=5, method="window"
        ),
    )
    return step(
        "complete",
        lambda: services.transition(action="complete", actor=clerk, case=case, expected_version=6),
    )


def test_each_step_of_a_case_stays_within_its_query_budget(env):
    # Not the day's first case (that one also creates the day's number counter), and
    # the working-day copy is already in memory, as in a running server.
    _life(env, {})
    counts: dict = {}
    case = _life(env, counts)
    assert case.state == State.COMPLETED
    budget = BUDGET["postgresql" if connection.vendor == "postgresql" else "other"]
    over = {
        name: "\n".join(sql[:120] for sql in sqls)
        for name, sqls in counts.items()
        if len(sqls) > budget[name]
    }
    assert not over, f"over budget {budget}: {over}"
    # Nothing was skipped to get there: every step left its event and audit entry,
    # and the three notices (受理通知书, 决定书, 送达回证) were issued.
    assert CaseEvent.objects.filter(case=case).count() == 7
    assert AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).count() == 7
    assert list(case.documents.order_by("number").values_list("kind", flat=True)) == [
        "acceptance",
        "decision",
        "service_receipt",
    ]
    assert CaseDocument.objects.filter(case=case).count() == 3


def test_the_working_day_table_is_checked_once_per_transaction(env):
    """受理 asks the calendar five times (§32 check, due date, yellow light); the
    version token is read at most once per transaction, not once per call."""
    case = services.submit_application(
        actor=env.s.clerk.user,
        item=env.c.market_item,
        centre=env.c.county,
        channel=Channel.WINDOW,
        applicant=_applicant(),
        materials=[{"material": m} for m in env.c.market_item.versions.get().materials.all()],
    )
    calendar.invalidate_cache()  # as after a schedule change: the copy must be reloaded
    with CaptureQueriesContext(connection) as ctx:
        services.transition(action="accept", actor=env.s.clerk.user, case=case, expected_version=1)
    token_reads = [q for q in ctx.captured_queries if "calendarversion" in q["sql"].lower()]
    assert len(token_reads) == 1


def test_a_rolled_back_schedule_change_leaves_no_stale_copy(org):
    """A holiday entered and then rolled back (e.g. the request failed) must not stay
    in the in-process copy: the next deadline counts the day as a working day."""
    monday = dt.date(2026, 11, 30)
    before = calendar.add_workdays(start=dt.date(2026, 11, 27), days=1).date
    assert before == monday
    with pytest.raises(RuntimeError), transaction.atomic():
        calendar_services.edit_day(
            actor=org.root, day=monday, kind="法定节假日", name="临时假日", reason="测试"
        )
        assert calendar.add_workdays(start=dt.date(2026, 11, 27), days=1).date != monday
        raise RuntimeError("rollback")
    assert calendar.add_workdays(start=dt.date(2026, 11, 27), days=1).date == monday


def _item_type_read(step: str, sql: str) -> bool:
    """决定's notification names the result in the words of the item's type
    (``cases.messages``): one read of the item by its key, nothing joined; 制证 reads the
    item with its 事项联动设置 once for the licence (``licences.services``). Joining the
    item in every locking read instead costs more (+5 % Python calls per case)."""
    if step == "certify":  # the licences app: the item and its 联动设置 (issue 14)
        return sql.startswith('SELECT "catalog_item"') and '"licences_itemlinkage"' in sql
    return step == "decide" and sql.startswith('SELECT "catalog_item"') and "JOIN" not in sql


def test_transitions_read_no_catalogue_table_they_do_not_need(env):
    """After 申请 the six transitions read the case with its version and department
    only: the 办理环节 are read by version (not through the model ordering, which
    joined the version and item tables), and the locking read joins no item."""
    counts: dict = {}
    case = _life(env, counts)
    assert case.state == State.COMPLETED
    joined = {
        name: sql
        for name, sqls in counts.items()
        if name != "submit"
        for sql in sqls
        if '"catalog_item"' in sql and not _item_type_read(name, sql)
    }
    assert not joined, joined
    steps = [sql for sql in counts["review"] + counts["decide"] if '"catalog_step"' in sql]
    assert len(steps) == 2
    assert all("JOIN" not in sql for sql in steps)


def test_the_lean_locking_read_still_refuses_a_stale_page(env):
    """The locking read joins only what a transition needs; it must still read the row
    as it is now — a second window acting on a stale page is refused, not overwritten."""
    clerk = env.s.clerk.user
    case = services.submit_application(
        actor=clerk,
        item=env.c.market_item,
        centre=env.c.county,
        channel=Channel.WINDOW,
        applicant=_applicant(),
        materials=[{"material": m} for m in env.c.market_item.versions.get().materials.all()],
    )
    accepted = services.transition(action="accept", actor=clerk, case=case, expected_version=1)
    assert accepted.due_date is not None and accepted.department.name == case.department.name
    with pytest.raises(Conflict) as err:
        services.transition(action="accept", actor=clerk, case=case, expected_version=1)
    assert err.value.code == "stale_case"
    reviewed = services.transition(
        action="review",
        actor=env.s.market_approver.user,
        case=case,
        expected_version=2,
        opinion="符合",
    )
    assert reviewed.current_step == 1 and reviewed.version == 3


def test_no_model_signal_is_skipped_by_the_one_statement_writes():
    """A transition writes the case, its event, audit entry and notice with its own
    statements (``services.writes``), not ``save()``: that is only the same as long as
    nobody listens to these models' save signals."""
    from django.db.models import signals

    from govhall.cases.models import Case

    for model in (Case, CaseEvent, AuditEntry, CaseDocument):
        for signal in (signals.pre_save, signals.post_save):
            assert not signal.has_listeners(model), f"{signal} has a receiver for {model}"


def test_a_published_versions_steps_are_read_once_per_process(
    env, django_capture_on_commit_callbacks
):
    """审查 and 决定 need the version's 办理环节. A published version's steps never
    change, so once a committed transaction has read them the next cases read none;
    steps read by a transaction that rolls back are not kept."""
    from govhall.cases import guards

    guards.forget_published_steps()
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            _life(env, {})  # reads the steps, then rolls back: nothing kept
            raise RuntimeError("rollback")
        counts: dict = {}
        _life(env, counts)
        assert any('"catalog_step"' in sql for sql in counts["review"])
        with django_capture_on_commit_callbacks(execute=True):
            _life(env, {})  # as if committed: the steps are kept
        counts = {}
        case = _life(env, counts)
        assert case.state == State.COMPLETED
        reads = [sql for sql in counts["review"] + counts["decide"] if '"catalog_step"' in sql]
        assert reads == []
        # The steps still decide: 审查 once (two steps: one review step, then 决定).
        assert list(case.events.values_list("action", flat=True)).count("review") == 1
    finally:
        guards.forget_published_steps()
