"""Helpers of the governance tests: the hall of ``govhall/testing/factories.py`` (one
published market item, staff admin, market_chief, market_approver, health_chief,
clerk, supervisor) and a request filed, submitted and acted on through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.cases.tests.conftest import PDF
from govhall.governance import services
from govhall.governance.models import AdjustmentRequest
from govhall.testing import factories

__all__ = ["PDF", "act", "approved", "file_request", "pdf", "submitted"]


def pdf(name="书面申请.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def hall(db):
    return factories.build_hall()


def file_request(hall, kind, *, item=None, actor=None, files=None, **data) -> AdjustmentRequest:
    """A request (草稿) of ``kind`` by the market 首席代表 on the hall's market item."""
    fields = {
        "trigger": "law",
        "trigger_date": dt.date(2026, 11, 20),
        "reasons": "《食品经营许可和备案管理办法》修订",
    }
    fields.update(data)
    return services.create_request(
        actor=actor or hall.staff.market_chief.user,
        kind=kind,
        item=item if item is not None or kind == "add" else hall.market_item,
        files=[pdf()] if files is None else files,
        **fields,
    )


def act(request, action, staff_or_actor, **inputs) -> AdjustmentRequest:
    request.refresh_from_db()
    actor = getattr(staff_or_actor, "user", staff_or_actor)
    return services.transition(
        actor=actor, request=request, action=action, expected_version=request.version, **inputs
    )


def submitted(hall, kind, **data) -> AdjustmentRequest:
    return act(file_request(hall, kind, **data), "submit", hall.staff.market_chief)


def approved(hall, kind, **data) -> AdjustmentRequest:
    return act(submitted(hall, kind, **data), "approve", hall.staff.admin, opinion="同意")
