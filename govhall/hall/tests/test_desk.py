"""The window opens 综合受理 for the person it called: the applicant's data comes from
the ticket, only for that window, and the case is linked to the ticket."""

from __future__ import annotations

from django.urls import reverse

from govhall.core.actors import Applicant
from govhall.hall import services
from govhall.testing.factories import make_id_number


def test_the_desk_opens_with_the_called_persons_data(hall, client):
    services.issue_ticket(
        actor=Applicant("x"),
        category=hall.market,
        name="王小明",
        id_number=make_id_number(7),
        phone="13900007777",
    )
    ticket = services.call_next(actor=hall.market_clerk, window=hall.market_window)
    url = reverse("cases:desk_apply", args=[hall.org.market_item.pk]) + f"?ticket={ticket.pk}"

    client.force_login(hall.clerk)  # another window: nothing of the person
    page = client.get(url).content.decode()
    assert "王小明" not in page

    client.force_login(hall.market_clerk)
    page = client.get(reverse("cases:desk") + f"?ticket={ticket.pk}").content.decode()
    assert "B001 号 王小明" in page and "食品经营许可" in page
    page = client.get(url).content.decode()
    assert 'value="王小明"' in page and make_id_number(7) in page
