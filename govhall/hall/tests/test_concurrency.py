"""The queue under real concurrency (PostgreSQL): people take tickets in the same
category from several threads — each its own database connection and transaction —
while several windows call and serve at the same time. No two tickets share a number,
no ticket is called by two windows, every ticket issued is called exactly once; and
concurrent bookings of a slot never go past its capacity.

SQLite serialises every write on one file lock, so there is nothing to race there:
skipped on SQLite."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections

from govhall.core.actors import Applicant
from govhall.core.errors import Conflict
from govhall.hall import services
from govhall.hall.models import Appointment, Call, CallKind, Slot, Ticket, TicketState
from govhall.org.models import Role, Window
from govhall.testing import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="real concurrency needs PostgreSQL (SQLite serialises every write)",
    ),
]

ISSUERS = 6
PER_ISSUER = 25
WINDOWS = 4
BOOKERS = 12
CAPACITY = 5


def _run(workers, *, timeout: float = 120) -> list[BaseException]:
    """Run each callable in its own thread, started together; their exceptions."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def wrap(fn):
        try:
            barrier.wait()
            fn()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=wrap, args=(fn,)) for fn in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return errors


@pytest.fixture
def windows(hall):
    """``WINDOWS`` 综合受理 windows (they serve every category), one clerk at each."""
    out = []
    for i in range(WINDOWS):
        window = Window.objects.create(
            centre=hall.centre, number=f"{21 + i}", name=f"综合受理{i}", type="comprehensive"
        )
        clerk = factories.make_staff(
            username=f"w{i}",
            name=f"窗口{i}",
            role=Role.WINDOW_CLERK,
            centre=hall.centre,
            window=window,
        )
        out.append((window, clerk.user))
    return out


def test_concurrent_issuing_and_calling_never_duplicates_or_double_calls(hall, windows):
    category = hall.general
    issued: list[str] = []
    called: dict[str, list[str]] = {w.number: [] for w, _ in windows}
    issuing_done = threading.Event()
    remaining = [ISSUERS]
    lock = threading.Lock()

    def issuer(n):
        def work():
            try:
                for i in range(PER_ISSUER):
                    ticket = services.issue_ticket(
                        actor=Applicant(f"取号人{n}-{i}"), category=category
                    )
                    with lock:
                        issued.append(ticket.code)
            finally:
                with lock:
                    remaining[0] -= 1
                    if remaining[0] == 0:
                        issuing_done.set()

        return work

    def caller(window, user):
        def work():
            while True:
                try:
                    ticket = services.call_next(actor=user, window=window)
                except Conflict as exc:
                    if exc.code == "call_contention":
                        continue
                    raise
                if ticket is None:
                    if issuing_done.is_set():
                        # one more look: a ticket committed after the last empty pick
                        ticket = services.call_next(actor=user, window=window)
                        if ticket is None:
                            return
                    else:
                        time.sleep(0.005)
                        continue
                called[window.number].append(ticket.code)
                services.finish(actor=user, ticket=ticket)

        return work

    errors = _run([issuer(n) for n in range(ISSUERS)] + [caller(w, u) for w, u in windows])
    assert errors == []

    total = ISSUERS * PER_ISSUER
    assert len(issued) == total and len(set(issued)) == total  # no duplicate number
    numbers = sorted(Ticket.objects.filter(category=category).values_list("number", flat=True))
    assert numbers == list(range(1, total + 1))  # and no gap
    every_call = [code for codes in called.values() for code in codes]
    assert len(every_call) == len(set(every_call)) == total  # each called once, all called
    assert set(every_call) == set(issued)
    assert sum(1 for codes in called.values() if codes) >= 2  # the windows really shared the line
    calls = Counter(
        Call.objects.filter(kind=CallKind.CALL, ticket__category=category).values_list(
            "ticket_id", flat=True
        )
    )
    assert len(calls) == total and set(calls.values()) == {1}  # one CALL event per ticket
    by_window = Counter(
        Call.objects.filter(kind=CallKind.CALL).values_list("window_number", flat=True)
    )
    assert {k: v for k, v in by_window.items()} == {
        number: len(codes) for number, codes in called.items() if codes
    }
    assert set(Ticket.objects.values_list("state", flat=True)) == {TicketState.DONE}


def test_concurrent_bookings_never_exceed_the_slot_capacity(hall):
    day = dt.date(2026, 11, 24)
    services.open_slots(
        actor=hall.admin,
        category=hall.general,
        start=day,
        end=day,
        times=[(dt.time(9, 0), dt.time(10, 0))],
        capacity=CAPACITY,
    )
    slot = Slot.objects.get(category=hall.general, day=day)
    outcomes: list[str] = []
    lock = threading.Lock()

    def booker(n):
        def work():
            try:
                services.book(
                    actor=Applicant(f"预约人{n}"),
                    slot=Slot.objects.get(pk=slot.pk),
                    name=f"预约人{n}",
                    id_number=factories.make_id_number(100 + n),
                    phone=f"139{n:08d}",
                )
                result = "booked"
            except Conflict as exc:
                result = exc.code
            with lock:
                outcomes.append(result)

        return work

    assert _run([booker(n) for n in range(BOOKERS)]) == []
    assert Counter(outcomes) == {"booked": CAPACITY, "slot_full": BOOKERS - CAPACITY}
    slot.refresh_from_db()
    assert slot.booked == CAPACITY == Appointment.objects.filter(slot=slot).count()
