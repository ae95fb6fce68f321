"""取号: numbering per category and day without gaps, the 老年人 绿色通道 from the ID
number, staff-only priorities, a closed hall on a holiday."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.hall import selectors, services
from govhall.hall.models import CallKind, Priority
from govhall.testing.factories import make_id_number

PERSON = Applicant("取号人")


def test_numbers_count_per_category_and_restart_each_day(hall):
    a1 = services.issue_ticket(actor=PERSON, category=hall.general)
    a2 = services.issue_ticket(actor=PERSON, category=hall.general)
    b1 = services.issue_ticket(actor=PERSON, category=hall.market)
    assert [a1.code, a2.code, b1.code] == ["A001", "A002", "B001"]
    assert selectors.waiting_ahead(ticket=a2) == 1
    assert selectors.waiting_ahead(ticket=b1) == 0
    with clock.frozen(dt.datetime(2026, 11, 24, 8, 30)):
        assert services.issue_ticket(actor=PERSON, category=hall.general).code == "A001"
    assert list(a1.events.values_list("kind", flat=True)) == [CallKind.ISSUE]


def test_a_rolled_back_issue_gives_its_number_back(hall):
    services.issue_ticket(actor=PERSON, category=hall.general)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.issue_ticket(actor=PERSON, category=hall.general)
        raise RuntimeError("printer jammed")
    assert services.issue_ticket(actor=PERSON, category=hall.general).code == "A002"


def test_an_id_number_of_a_person_over_60_gets_the_elderly_lane(hall):
    old = make_id_number(3, birth="19600101")
    young = make_id_number(5, birth="19900101")
    assert services.issue_ticket(actor=PERSON, category=hall.general, id_number=old).priority == (
        Priority.ELDERLY
    )
    assert (
        services.issue_ticket(actor=PERSON, category=hall.general, id_number=young).priority == ""
    )
    with pytest.raises(ValidationFailed) as exc:
        services.issue_ticket(
            actor=PERSON, category=hall.general, id_number=young, priority=Priority.ELDERLY
        )
    assert exc.value.code == "not_elderly"


def test_disabled_priority_is_given_by_staff_not_at_the_machine(hall):
    with pytest.raises(PermissionDenied):
        services.issue_ticket(actor=PERSON, category=hall.general, priority=Priority.DISABLED)
    ticket = services.issue_ticket(
        actor=hall.clerk, category=hall.general, priority=Priority.DISABLED
    )
    assert ticket.priority == Priority.DISABLED


def test_bad_id_and_phone_are_refused_with_their_field(hall):
    with pytest.raises(ValidationFailed) as exc:
        services.issue_ticket(actor=PERSON, category=hall.general, id_number="150626198513010011")
    assert exc.value.code == "invalid_id_number" and "id_number" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.issue_ticket(actor=PERSON, category=hall.general, phone="12345")
    assert exc.value.code == "invalid_phone"


def test_no_tickets_on_a_public_holiday(hall):
    with clock.frozen(dt.datetime(2026, 10, 2, 9, 0)), pytest.raises(Conflict) as exc:
        services.issue_ticket(actor=PERSON, category=hall.general)
    assert exc.value.code == "hall_closed"
    # a make-up Saturday (2026-10-10) is a working day: the hall takes tickets
    with clock.frozen(dt.datetime(2026, 10, 10, 9, 0)):
        assert services.issue_ticket(actor=PERSON, category=hall.general).code == "A001"


def test_the_morning_closes_what_yesterday_left_open(hall):
    waiting = services.issue_ticket(actor=PERSON, category=hall.general)
    called = services.issue_ticket(actor=PERSON, category=hall.market)
    services.call_next(actor=hall.market_clerk, window=hall.market_window)
    out = services.close_day(day=dt.date(2026, 11, 24))
    assert out["cancelled"] == 1 and out["no_show"] == 1
    waiting.refresh_from_db()
    called.refresh_from_db()
    assert (waiting.state, called.state) == ("cancelled", "no_show")
