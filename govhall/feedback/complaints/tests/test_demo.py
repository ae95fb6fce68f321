"""The demo's complaints (issue 12 "Done when"): every state of the loop, 退单, 督办 late
ones, a reopened one, a complaint about a staff member held by the centre, 直接办结
from the 知识库, a published 知识库 and the imported 12345 sample file; all made by
real people (audited); loading again creates nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from govhall.core.models import AuditEntry
from govhall.demo.tests.test_load_demo import demo, output  # noqa: F401
from govhall.feedback.complaints.models import (
    Channel,
    Complaint,
    ExchangeImport,
    KnowledgeEntry,
    State,
)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("output")
def test_the_demo_holds_every_state_the_knowledge_base_and_the_import(client):
    complaints = Complaint.objects.all()
    assert {c.state for c in complaints} == set(State.values)
    assert complaints.filter(returned_count=1).exists()
    assert complaints.filter(supervised_at__isnull=False).count() >= 2
    assert complaints.filter(reopened_count=1, state=State.IN_PROGRESS).exists()
    about = complaints.get(about_staff__isnull=False)
    # the centre's own: closed with its 核查结论 (it counts in the person's appraisal)
    assert about.department_id is None and about.state == State.CLOSED
    assert about.finding == "upheld"
    direct = complaints.get(knowledge_entry__isnull=False)
    assert direct.state == State.CLOSED and direct.reply == direct.knowledge_entry.answer
    assert KnowledgeEntry.objects.filter(published=True).count() >= 10
    record = ExchangeImport.objects.get()
    assert record.file_name == "12345-sample.json" and record.created == 6
    assert complaints.filter(channel=Channel.HOTLINE).count() == 6
    assert set(complaints.values_list("channel", flat=True)) >= {"portal", "window", "hotline12345"}
    # every step by a named person (or 系统 for the 督办 run), audited
    steps = AuditEntry.objects.filter(action__startswith="complaints.complaint.")
    assert steps.count() >= sum(c.events.count() for c in complaints) - 6  # 6 imports: one each
    assert not steps.filter(actor_name="").exists()
    # the clerk's list shows them, red lights for the late ones
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="clerk"))
    body = client.get("/staff/feedback/complaints/", {"overdue": "1"}).content.decode()
    assert 'data-light="red"' in body
    counts = (complaints.count(), KnowledgeEntry.objects.count(), ExchangeImport.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert counts == (
        Complaint.objects.count(),
        KnowledgeEntry.objects.count(),
        ExchangeImport.objects.count(),
    )
