"""叫号: which ticket a window calls, 绿色通道 without starving the queue, 过号 after
the set number of calls, 转窗口, 潮汐窗口, and who may operate a window."""

from __future__ import annotations

import pytest

from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.core.errors import Conflict, PermissionDenied
from govhall.hall import selectors, services
from govhall.hall.models import CallKind, Priority, TicketState

PERSON = Applicant("取号人")


def issue(hall, category, **kw):
    return services.issue_ticket(actor=PERSON, category=category, **kw)


def serve(hall, window, actor):
    ticket = services.call_next(actor=actor, window=window)
    if ticket is not None:
        services.finish(actor=actor, ticket=ticket)
    return ticket


def test_a_department_window_calls_only_its_categories_and_comprehensive_all(hall):
    a = issue(hall, hall.general)
    b = issue(hall, hall.market)
    assert services.call_next(actor=hall.market_clerk, window=hall.market_window).code == b.code
    assert services.call_next(actor=hall.clerk, window=hall.comprehensive).code == a.code


def test_the_window_must_finish_before_it_calls_again(hall):
    issue(hall, hall.general)
    issue(hall, hall.general)
    services.call_next(actor=hall.clerk, window=hall.comprehensive)
    with pytest.raises(Conflict) as exc:
        services.call_next(actor=hall.clerk, window=hall.comprehensive)
    assert exc.value.code == "window_busy"


def test_nobody_waiting_calls_nobody(hall):
    assert services.call_next(actor=hall.clerk, window=hall.comprehensive) is None


def test_priority_first_but_one_ordinary_after_a_run_of_priorities(hall):
    ordinary = [issue(hall, hall.general) for _ in range(2)]
    priority = [
        services.issue_ticket(actor=hall.clerk, category=hall.general, priority=Priority.DISABLED)
        for _ in range(4)
    ]
    order = [serve(hall, hall.comprehensive, hall.clerk).code for _ in range(6)]
    p = [t.code for t in priority]
    o = [t.code for t in ordinary]
    # three priorities (HALL_PRIORITY_STREAK), then the oldest ordinary, then the last
    # priority, then the other ordinary
    assert order == [p[0], p[1], p[2], o[0], p[3], o[1]]


def test_no_show_only_after_three_calls(hall):
    issue(hall, hall.general)
    ticket = services.call_next(actor=hall.clerk, window=hall.comprehensive)
    with pytest.raises(Conflict) as exc:
        services.mark_no_show(actor=hall.clerk, ticket=ticket)
    assert exc.value.code == "not_called_enough"
    services.recall(actor=hall.clerk, ticket=ticket)
    ticket = services.recall(actor=hall.clerk, ticket=ticket)
    assert ticket.calls == 3
    ticket = services.mark_no_show(actor=hall.clerk, ticket=ticket)
    assert ticket.state == TicketState.NO_SHOW
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds == [
        CallKind.ISSUE,
        CallKind.CALL,
        CallKind.RECALL,
        CallKind.RECALL,
        CallKind.NO_SHOW,
    ]
    # the person comes back: the 导服台 puts them at the end of the line
    later = issue(hall, hall.general)
    clock.advance(minutes=1)
    again = services.requeue(actor=hall.clerk, ticket=ticket)
    assert again.state == TicketState.WAITING
    assert services.call_next(actor=hall.clerk, window=hall.comprehensive).code == later.code


def test_the_no_show_count_is_a_policy_value(hall, settings):
    settings.GOVHALL_POLICY = {"HALL_NO_SHOW_CALLS": 1}
    issue(hall, hall.general)
    ticket = services.call_next(actor=hall.clerk, window=hall.comprehensive)
    assert services.mark_no_show(actor=hall.clerk, ticket=ticket).state == TicketState.NO_SHOW


def test_transfer_goes_first_to_the_target_window_only(hall):
    first = issue(hall, hall.general)
    ticket = services.call_next(actor=hall.clerk, window=hall.comprehensive)
    assert ticket.code == first.code
    services.start(actor=hall.clerk, ticket=ticket)
    b = issue(hall, hall.market)  # B001 waits at the market window already
    services.transfer(
        actor=hall.clerk, ticket=ticket, to_window=hall.market_window, reason="需专窗办理"
    )
    # the market window calls it before B001 (it keeps its place); window 01 never does
    assert services.call_next(actor=hall.market_clerk, window=hall.market_window).code == first.code
    assert services.call_next(actor=hall.clerk, window=hall.comprehensive).code == b.code
    transfer = ticket.events.get(kind=CallKind.TRANSFER)
    assert "05号窗口" in transfer.note and transfer.window_number == "01"


def test_a_clerk_cannot_operate_another_window(hall):
    issue(hall, hall.market)
    with pytest.raises(PermissionDenied):
        services.call_next(actor=hall.clerk, window=hall.market_window)
    ticket = services.call_next(actor=hall.market_clerk, window=hall.market_window)
    with pytest.raises(PermissionDenied):
        services.finish(actor=hall.clerk, ticket=ticket)
    # the floor manager (centre administrator) may
    assert services.finish(actor=hall.admin, ticket=ticket).state == TicketState.DONE


def test_a_closed_tidal_window_switched_for_the_day_calls_the_busy_line(hall, settings):
    settings.GOVHALL_POLICY = {"HALL_TIDAL_WAITING": 3}
    for _ in range(4):
        issue(hall, hall.health)
    with pytest.raises(Conflict) as exc:
        services.call_next(actor=hall.admin, window=hall.tidal)
    assert exc.value.code == "window_closed"
    suggestion = selectors.tidal_suggestions(centre=hall.centre)
    assert [s["category"].prefix for s in suggestion] == ["C"]
    assert hall.tidal in suggestion[0]["candidates"]
    services.switch_window(
        actor=hall.admin, window=hall.tidal, category=hall.health, reason="卫健排队"
    )
    issue(hall, hall.general)
    assert services.call_next(actor=hall.admin, window=hall.tidal).category_id == hall.health.pk
    # tomorrow the switch is over
    clock.advance(days=1)
    assert services.window_categories(window=hall.tidal, day=clock.today()) == (False, [])


def test_the_board_shows_calls_and_the_stream_nothing_personal(hall):
    issue(hall, hall.general, name="张三", phone="13900001111")
    ticket = services.call_next(actor=hall.clerk, window=hall.comprehensive)
    board = selectors.board(centre=hall.centre)
    assert board["recent"][0]["code"] == ticket.code
    assert board["recent"][0]["window_number"] == "01"
    events = selectors.events_after(centre=hall.centre, after=0)
    assert [e["kind"] for e in events] == ["issue", "call"]
    assert "张三" not in str(events) and "13900001111" not in str(events)
    assert selectors.events_after(centre=hall.centre, after=events[-1]["id"]) == []


def test_statistics_count_waiting_and_service_minutes(hall):
    issue(hall, hall.general)
    clock.advance(minutes=12)
    ticket = services.call_next(actor=hall.clerk, window=hall.comprehensive)
    services.start(actor=hall.clerk, ticket=ticket)
    clock.advance(minutes=5)
    services.finish(actor=hall.clerk, ticket=ticket)
    day = clock.today()
    out = selectors.statistics(centre=hall.centre, start=day, end=day)
    row = out["category"]["A 综合业务"]
    assert (row["tickets"], row["wait_avg"], row["service_avg"]) == (1, 12.0, 5.0)
    assert out["window"]["01号窗口"]["served"] == 1
    assert out["hour"]["09:00"]["tickets"] == 1


def test_sms_when_called_and_once_when_three_are_ahead(hall):
    from govhall.notifications.models import Notification

    for n in range(6):
        issue(hall, hall.general, phone=f"1390000{n:04d}")
    serve(hall, hall.comprehensive, hall.clerk)  # A001 called: A005 has 3 ahead
    serve(hall, hall.comprehensive, hall.clerk)  # A002 called: A006 has 3 ahead
    sms = list(Notification.objects.order_by("id").values_list("template", "recipient_phone"))
    assert sms == [
        ("hall/called", "13900000000"),
        ("hall/soon", "13900000004"),
        ("hall/called", "13900000001"),
        ("hall/soon", "13900000005"),
    ]
