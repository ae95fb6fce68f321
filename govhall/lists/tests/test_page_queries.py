"""The staff pages of the lists cost the same number of queries however many entries
they show (no query per row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.lists import services

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_entry_lists_and_the_publish_page_do_not_grow_with_entries(client, county):
    client.force_login(county.org.staff.admin.user)
    urls = ["/staff/lists/entries/powers/", "/staff/lists/entries/supervision/", "/staff/lists/"]
    services.publish(actor=county.admin)
    before = {url: _queries(client, url) for url in urls}
    codes = f"{county.licence.implementation_code} {county.filing.implementation_code}"
    for n in range(5):
        services.save_power(
            actor=county.admin,
            code=f"QL-2{n}",
            name=f"权力{n}",
            kind="行政检查",
            department=county.org.health,
            item=county.filing.implementation_code,
            basis="依据",
            responsibilities="责任",
        )
        services.save_supervision(
            actor=county.admin,
            code=f"JG-2{n}",
            name=f"监管{n}",
            department=county.org.market,
            items=codes,
            target="对象",
            basis="依据",
            method="方式",
        )
    services.publish(actor=county.admin)
    assert {url: _queries(client, url) for url in urls} == before
