"""预约: slots on working days only, capacity, a day that became a holiday, 周末服务,
check-in for a priority ticket within its time."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.calendar import services as calendar_services
from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.core.errors import Conflict, PermissionDenied
from govhall.hall import services
from govhall.hall.models import AppointmentState, Priority, Slot, SlotKind
from govhall.testing.factories import make_id_number

T = dt.time


def open_day(hall, category, day, start, end, capacity):
    services.open_slots(
        actor=hall.admin,
        category=category,
        start=day,
        end=day,
        times=[(start, end)],
        capacity=capacity,
    )
    return Slot.objects.get(category=category, day=day, starts_at=start)


def who(serial):
    return {
        "name": f"预约人{serial}",
        "id_number": make_id_number(serial),
        "phone": f"1390000{serial:04d}",
    }


def test_regular_slots_open_on_working_days_only(hall):
    opened = services.open_slots(
        actor=hall.admin,
        category=hall.general,
        start=dt.date(2026, 9, 28),
        end=dt.date(2026, 10, 11),
        times=[(T(9), T(10))],
        capacity=5,
    )
    days = sorted(Slot.objects.values_list("day", flat=True))
    # 9/28–9/30, the make-up Saturday 10/10 and 10/8–10/9; not 国庆 10/1–10/7 nor Sunday 10/11
    assert days == [dt.date(2026, 9, d) for d in (28, 29, 30)] + [
        dt.date(2026, 10, d) for d in (8, 9, 10)
    ]
    assert opened == 6


def test_capacity_is_held(hall):
    open_day(hall, hall.general, dt.date(2026, 11, 24), T(10), T(11), 2)
    slot = Slot.objects.get()
    services.book(actor=Applicant("a"), slot=slot, **who(1))
    services.book(actor=Applicant("b"), slot=slot, **who(2))
    with pytest.raises(Conflict) as exc:
        services.book(actor=Applicant("c"), slot=slot, **who(3))
    assert exc.value.code == "slot_full"
    slot.refresh_from_db()
    assert slot.booked == 2
    # a cancellation frees the place
    first = slot.appointments.first()
    services.cancel_appointment(actor=Applicant("a"), code=first.code, phone_tail=first.phone[-4:])
    services.book(actor=Applicant("c"), slot=slot, **who(3))
    with pytest.raises(Conflict) as exc:
        services.book(actor=Applicant("c"), slot=slot, **who(3))
    assert exc.value.code in ("already_booked", "slot_full")


def test_a_slot_on_a_day_the_centre_made_a_holiday_takes_no_booking(hall):
    open_day(hall, hall.general, dt.date(2026, 11, 26), T(9), T(10), 3)
    calendar_services.edit_day(
        actor=hall.admin, day=dt.date(2026, 11, 26), kind="holiday", name="临时放假", reason="测试"
    )
    with pytest.raises(Conflict) as exc:
        services.book(actor=Applicant("a"), slot=Slot.objects.get(), **who(1))
    assert exc.value.code == "slot_not_working_day"


def test_weekend_service_is_opened_on_rest_days_and_opens_the_hall(hall):
    saturday = dt.date(2026, 11, 28)
    with pytest.raises(Exception) as exc:
        services.open_extra_slot(
            actor=hall.admin,
            category=hall.general,
            day=dt.date(2026, 11, 27),
            starts_at=T(9),
            ends_at=T(11),
            capacity=5,
            kind=SlotKind.WEEKEND,
        )
    assert exc.value.code == "not_rest_day"
    slot = services.open_extra_slot(
        actor=hall.admin,
        category=hall.general,
        day=saturday,
        starts_at=T(9),
        ends_at=T(11),
        capacity=5,
        kind=SlotKind.WEEKEND,
    )
    services.book(actor=Applicant("a"), slot=slot, **who(1))
    with clock.frozen(dt.datetime(2026, 11, 28, 9, 5)):
        assert services.issue_ticket(actor=Applicant("x"), category=hall.general).code == "A001"


def test_check_in_gives_a_priority_ticket_within_its_time(hall):
    open_day(hall, hall.market, dt.date(2026, 11, 24), T(10), T(11), 2)
    appointment = services.book(
        actor=Applicant("a"), slot=Slot.objects.get(), item=hall.org.market_item, **who(1)
    )
    with clock.frozen(dt.datetime(2026, 11, 24, 9, 0)), pytest.raises(Conflict) as exc:
        services.check_in(actor=Applicant("a"), code=appointment.code)
    assert exc.value.code == "check_in_closed"
    with clock.frozen(dt.datetime(2026, 11, 24, 9, 40)):
        services.issue_ticket(actor=Applicant("x"), category=hall.market)
        ticket = services.check_in(actor=Applicant("a"), code=appointment.code)
        assert ticket.priority == Priority.APPOINTMENT and ticket.code == "B002"
        assert ticket.name == "预约人1"
        appointment.refresh_from_db()
        assert appointment.state == AppointmentState.CHECKED_IN
        # the appointment holder is called before B001, who came earlier
        called = services.call_next(actor=hall.market_clerk, window=hall.market_window)
        assert called.code == "B002"


def test_phone_booking_is_for_staff(hall):
    open_day(hall, hall.general, dt.date(2026, 11, 24), T(10), T(11), 2)
    with pytest.raises(PermissionDenied):
        services.book(actor=Applicant("a"), slot=Slot.objects.get(), channel="phone", **who(1))
    made = services.book(actor=hall.clerk, slot=Slot.objects.get(), channel="phone", **who(1))
    assert made.booked_by == "综窗"


def test_past_slots_are_refused(hall):
    open_day(hall, hall.general, dt.date(2026, 11, 23), T(8, 30), T(9), 2)
    with pytest.raises(Conflict) as exc:
        services.book(actor=Applicant("a"), slot=Slot.objects.get(), **who(1))
    assert exc.value.code == "slot_past"
