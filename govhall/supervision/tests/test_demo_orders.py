"""The demo's 督办 orders (issue 11 §2): one in each state, the overdue one escalated,
visible to ``supervisor``; loading the demo again adds none."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from govhall.core import clock
from govhall.demo.tests.test_load_demo import demo, output  # noqa: F401
from govhall.supervision.models import SupervisionOrder


@pytest.mark.usefixtures("output")
def test_the_demo_has_orders_in_every_state(client):
    from django.contrib.auth import get_user_model

    orders = SupervisionOrder.objects.all()
    assert {o.state for o in orders} == {"issued", "replied", "returned", "accepted"}
    late = [o for o in orders if o.escalated]
    assert len(late) == 1 and late[0].is_open and late[0].reply_due < clock.today()
    client.force_login(get_user_model().objects.get(username="supervisor"))
    body = client.get("/staff/supervision/orders/").content.decode()
    assert all(o.number in body for o in orders) and "逾期升级" in body
    call_command("load_demo", stdout=StringIO())
    assert SupervisionOrder.objects.count() == len(orders) == 5


pytestmark = pytest.mark.django_db
