"""Helpers of the complaints tests: the organisation of ``govhall/conftest.py``
(``org``: admin, clerk, market_chief, market_approver, health_chief, supervisor)."""

from __future__ import annotations

import pytest

from govhall.feedback.complaints import services
from govhall.feedback.complaints.models import Complaint


def portal(category: str = "complaint", **overrides) -> Complaint:
    data = {
        "category": category,
        "subject": "窗口办事等候时间过长",
        "content": "上午在市场监管窗口等候两小时无人办理。",
        "name": "张三丰",
        "phone": "13904771234",
    }
    data.update(overrides)
    return services.submit_online(**data)


def act(complaint: Complaint, action: str, staff_or_actor, **inputs) -> Complaint:
    """Take ``action`` as a staff member (``Staff``) or another actor (User, SYSTEM,
    Applicant) on the complaint as it is now in the database."""
    complaint.refresh_from_db()
    actor = getattr(staff_or_actor, "user", staff_or_actor)
    return services.transition(
        actor=actor,
        complaint=complaint,
        action=action,
        expected_version=complaint.version,
        **inputs,
    )


@pytest.fixture
def accepted(org):
    c = portal()
    return act(c, "accept", org.staff.clerk)


@pytest.fixture
def assigned(org, accepted):
    return act(accepted, "assign", org.staff.clerk, handler=org.market)
