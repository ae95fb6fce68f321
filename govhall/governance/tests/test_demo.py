"""The demo's adjustment requests (issue 13 "Done when"): every state and every kind,
a 划转 that moved an item with its open cases, 负面清单 entries added and removed with
the county's approval; made by real people (audited); loading again creates nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from govhall.cases.models import Case
from govhall.core.models import AuditEntry
from govhall.demo.tests.test_load_demo import demo, output  # noqa: F401
from govhall.governance import selectors
from govhall.governance.models import AdjustmentRequest, Kind, State

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("output")
def test_the_demo_holds_every_state_and_kind_and_a_transfer_with_cases():
    requests = AdjustmentRequest.objects.all()
    assert {r.state for r in requests} == set(State.values)
    assert {r.kind for r in requests} == set(Kind.values)
    transfer = requests.get(kind=Kind.TRANSFER, state=State.APPLIED)
    assert transfer.handed_over and transfer.item.department == transfer.target_department
    moved = Case.objects.filter(number__in=transfer.handed_over)
    assert {c.department_id for c in moved} == {transfer.target_department_id}
    assert all(c.events.filter(action="hand_over").exists() for c in moved)
    added = requests.get(kind=Kind.NEGATIVE_ADD, state=State.APPLIED)
    assert added.county_document and added.item.on_negative_list
    removed = requests.get(kind=Kind.NEGATIVE_REMOVE, state=State.APPLIED)
    assert not removed.item.on_negative_list and removed.item.is_stationed
    assert requests.filter(late=True).exists()
    assert selectors.stopped_items_with_open_cases()  # the 取消 one's open cases go on
    assert AuditEntry.objects.filter(action="governance.request.approve").count() >= 8


@pytest.mark.usefixtures("output")
def test_loading_the_demo_again_files_nothing():
    before = AdjustmentRequest.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert AdjustmentRequest.objects.count() == before
