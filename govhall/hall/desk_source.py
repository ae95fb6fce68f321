"""The hall as a source of the window desk (``cases.desk``): the window that called a
ticket opens 综合受理 with the person's name, ID number and phone (from the ticket or
its appointment) and the items of the ticket's category; the case registered is linked
to the ticket. Only the window serving the ticket (or the floor manager) gets the
data: any other user, or a ticket of another day, gets nothing."""

from __future__ import annotations

from govhall.cases import desk
from govhall.core import clock

from . import roles, services
from .models import TicketState


def _usable(request, ref: int):
    from .models import Ticket

    ticket = (
        Ticket.objects.select_related("window", "category", "appointment")
        .filter(pk=ref, day=clock.today(), state__in=(TicketState.CALLED, TicketState.SERVING))
        .first()
    )
    if (
        ticket is None
        or ticket.window is None
        or not roles.may_operate(request.user, ticket.window)
    ):
        return None
    return ticket


def prefill(request, ref: int) -> desk.Prefill | None:
    ticket = _usable(request, ref)
    if ticket is None:
        return None
    applicant = {"kind": "person"}
    for field in ("name", "id_number", "phone"):
        if getattr(ticket, field):
            applicant[field] = getattr(ticket, field)
    items: tuple[int, ...] = ()
    if ticket.appointment is not None and ticket.appointment.item_id:
        items = (ticket.appointment.item_id,)
    else:
        items = tuple(ticket.category.items.values_list("pk", flat=True))
    label = f"{ticket.code} 号" + (f" {ticket.name}" if ticket.name else "")
    return desk.Prefill(
        param="ticket", ref=ticket.pk, label=label, applicant=applicant, item_ids=items
    )


def received(request, ref: int, case) -> None:
    ticket = _usable(request, ref)
    if ticket is None:
        return
    if ticket.state == TicketState.CALLED:
        ticket = services.start(actor=request.user, ticket=ticket)
    services.link_case(ticket=ticket, case=case)


desk.register(desk.DeskSource(param="ticket", prefill=prefill, received=received))
