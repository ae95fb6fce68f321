"""The demo hall (issue 15): loaded on the demo county's organisation and catalogue (the
only loaders it needs; the whole demo takes minutes), on Monday 2026-11-23 09:00. Every
state a visitor should see exists, the floor page suggests a 潮汐窗口, clerk's window
01 serves a person whose desk opens pre-filled, and a second load changes nothing."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import RequestFactory
from django.test.utils import override_settings

from govhall.core import clock
from govhall.demo import loaders
from govhall.hall import desk_source, selectors
from govhall.hall.demo import load_demo_hall
from govhall.hall.models import (
    Appointment,
    AppointmentState,
    Call,
    CallKind,
    Category,
    Priority,
    Slot,
    SlotKind,
    Ticket,
    TicketState,
    TidalSwitch,
)
from govhall.org.models import Centre, Staff

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        clock.frozen(dt.datetime(2026, 11, 23, 9, 0)),
        transaction.atomic(),
    ):
        ctx = loaders.DemoContext()
        loaders.load_organisation(ctx)
        loaders.load_catalogue(ctx)
        yield SimpleNamespace(counts=load_demo_hall())
        transaction.set_rollback(True)


def test_every_state_of_the_hall_is_in_the_demo(demo):
    centre = Centre.objects.get(code="150626")
    assert set(Category.objects.filter(centre=centre).values_list("prefix", flat=True)) == set(
        "ABCDEFG"
    )
    assert Category.objects.get(prefix="F").kind == "life_event"
    assert Category.objects.get(prefix="B").items.exists()
    today = clock.today()
    tickets = Ticket.objects.filter(centre=centre, day=today)
    states = set(tickets.values_list("state", flat=True))
    assert {
        TicketState.WAITING,
        TicketState.SERVING,
        TicketState.DONE,
        TicketState.NO_SHOW,
    } <= states
    assert tickets.order_by("issued_at").first().issued_at >= timezone_at(today, 8, 30)
    assert {Priority.ELDERLY, Priority.DISABLED} <= set(tickets.values_list("priority", flat=True))
    assert tickets.filter(target_window__number="09", state=TicketState.WAITING).exists()  # 转窗口
    assert Call.objects.filter(kind=CallKind.TRANSFER, ticket__day=today).exists()
    assert set(Appointment.objects.values_list("state", flat=True)) == set(AppointmentState.values)
    kinds = set(Slot.objects.filter(centre=centre).values_list("kind", flat=True))
    assert kinds == set(SlotKind.values)
    assert not Slot.objects.filter(
        kind=SlotKind.REGULAR, day=dt.date(2026, 11, 28)
    ).exists()  # a Saturday: no regular slots
    past = Ticket.objects.filter(centre=centre, day__lt=today)
    assert past.values("day").distinct().count() >= 15
    stats = selectors.statistics(centre=centre, start=today - dt.timedelta(days=28), end=today)
    assert stats["all"]["合计"]["served"] > 50


def timezone_at(day, hour, minute):
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_clerk_serves_a_person_at_window_01_whose_desk_opens_prefilled(demo):
    clerk = Staff.objects.get(user__username="clerk")
    current = selectors.current_at(window=clerk.window)
    assert clerk.window.number == "01" and current is not None
    assert current.state == TicketState.SERVING and current.served_by == clerk
    request = RequestFactory().get("/")
    request.user = clerk.user
    prefill = desk_source.prefill(request, current.pk)
    assert prefill.applicant["name"] and prefill.applicant["id_number"]


def test_the_floor_suggests_a_tidal_window_and_window_15_is_switched(demo):
    centre = Centre.objects.get(code="150626")
    switch = TidalSwitch.objects.get(window__number="15", window__centre=centre)
    assert switch.category.prefix == "B" and switch.ended_at is None
    suggested = selectors.tidal_suggestions(centre=centre)
    assert [s["category"].prefix for s in suggested] == ["B"]
    assert any(w.number == "16" for w in suggested[0]["candidates"])
    assert selectors.current_at(window=switch.window).category.prefix == "B"


def test_loading_twice_changes_nothing(demo):
    before = (Ticket.objects.count(), Call.objects.count(), Appointment.objects.count())
    assert load_demo_hall() == {}
    assert (Ticket.objects.count(), Call.objects.count(), Appointment.objects.count()) == before
