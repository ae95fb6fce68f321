"""The request pages read in a fixed number of queries: more requests, events,
attachments or handed-over cases add none (N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govhall.testing import factories

from .conftest import act, file_request

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(hall, n: int, start: int):
    """n more items, each with a request submitted and returned (three events)."""
    last = None
    for i in range(start, start + n):
        item = factories.publish_item(
            actor=hall.root, department=hall.market, basic_code=f"000111333{i:03d}",
            name=f"许可{i}",
        )  # fmt: skip
        last = file_request(hall, "suspend", item=item)
        last = act(last, "submit", hall.staff.market_chief)
        last = act(last, "return", hall.staff.admin, reason="补充")
    return last


def test_list_and_detail_do_not_add_queries_per_row(client, hall):
    client.login(username="admin", password="govhall-test")
    first = _grow(hall, 1, 1)
    pages = [reverse("governance:list"), reverse("governance:detail", args=[first.number])]
    before = [_queries(client, url) for url in pages]
    last = _grow(hall, 4, 2)
    act(last, "submit", hall.staff.market_chief)
    pages[1] = reverse("governance:detail", args=[last.number])
    assert [_queries(client, url) for url in pages] == before
