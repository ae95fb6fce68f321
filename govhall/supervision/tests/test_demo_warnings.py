"""The demo's 电子监察 (issue 11: "demo data that shows every state"): a warning of
every kind open, some cleared with why, orders in every state — each warning raised
(and cleared) by the rules, with its audit row, never written by the demo — and every
demo case's 办理记录 in order, none dated after the load."""

from __future__ import annotations

import pytest

from govhall.cases.models import Case, CaseEvent, State
from govhall.core import clock
from govhall.core.models import AuditEntry
from govhall.demo.tests.test_load_demo import demo, output  # noqa: F401
from govhall.supervision.models import Kind, OrderState, SupervisionOrder, Warning

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("output")
def test_the_demo_shows_every_kind_open_some_cleared_and_orders_in_every_state(client):
    from django.contrib.auth import get_user_model

    open_rows = Warning.objects.filter(cleared_at__isnull=True)
    assert set(open_rows.values_list("kind", flat=True)) == set(Kind.values)
    cleared = Warning.objects.filter(cleared_at__isnull=False)
    reasons = dict(cleared.values_list("kind", "clear_reason"))
    assert reasons[Kind.REVIEW_STEP_OVERDUE] == "预警条件已消除"  # its step was done
    assert reasons[Kind.RED_LIGHT] == "办件已办结"  # finished on its due day (a Monday)
    assert all(w.cleared_at >= w.raised_at for w in cleared)
    # By the rules: one audit row per warning raised and per warning cleared.
    assert AuditEntry.objects.filter(action="supervision.warning.raise").count() == (
        Warning.objects.count()
    )
    assert AuditEntry.objects.filter(action="supervision.warning.clear").count() == (
        cleared.count()
    )
    # §32: a live case deemed accepted by the daily job, not by staff.
    (deemed,) = open_rows.filter(kind=Kind.DEEMED_ACCEPTANCE).select_related("case")
    assert deemed.case.deemed_accepted_s32
    event = deemed.case.events.get(action="deemed_acceptance")
    assert event.actor_id is None and event.at < clock.now()
    # 办结无送达记录: migrated files the former system closed without a 送达 record.
    unserved = open_rows.filter(kind=Kind.NO_SERVICE_RECORD).select_related("case")
    assert unserved.count() >= 1
    for w in unserved:
        assert w.case.state == State.ARCHIVED
        assert not w.case.events.filter(action="deliver").exists()

    assert set(SupervisionOrder.objects.values_list("state", flat=True)) == set(OrderState.values)

    client.force_login(get_user_model().objects.get(username="supervisor"))
    for kind, label in Kind.choices:
        page = client.get(f"/staff/supervision/warnings/?kind={kind}").content.decode()
        assert label in page and "未解除" in page, kind
    page = client.get("/staff/supervision/warnings/?status=cleared").content.decode()
    assert "预警条件已消除" in page and "办件已办结" in page


@pytest.mark.usefixtures("output")
def test_the_demo_case_records_read_in_order_and_none_after_the_load():
    """Each case's events by id: none earlier than the one before (a load in the
    morning once dated the day's planned steps in the afternoon, and the showcase's
    refusal, done at load time, came before its own 补正 notice), none in the future."""
    now = clock.now()
    last: dict[int, object] = {}
    wrong = []
    for case_id, action, at in CaseEvent.objects.order_by("case_id", "id").values_list(
        "case_id", "action", "at"
    ):
        if at > now or (case_id in last and at < last[case_id]):
            wrong.append((case_id, action, at))
        last[case_id] = at
    numbers = dict(Case.objects.filter(pk__in=[w[0] for w in wrong]).values_list("pk", "number"))
    assert not wrong, [(numbers[c], a, str(t)) for c, a, t in wrong[:10]]
