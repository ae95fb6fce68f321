"""Catalogue staff pages read in a fixed number of queries: more items, versions,
authorised items or approvers must not add a query per row (N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govhall.catalog import authorisations, services
from govhall.catalog.models import Item
from govhall.org import services as org_services
from govhall.org.models import Authorisation
from govhall.testing.factories import publish_item


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def authorisation(county):
    return org_services.create(
        actor=county.root,
        model=Authorisation,
        data={
            "department": county.market,
            "chief_rep": county.staff.market_chief,
            "number": "授〔2026〕1号",
            "signed_on": "2026-01-01",
            "valid_from": "2026-01-01",
            "valid_to": "2027-12-31",
        },
    )


def _grow(county, authorisation, n: int, start: int) -> None:
    """n more market items, each published, revised twice, and authorised."""
    for i in range(start, start + n):
        item = publish_item(
            actor=county.root, department=county.market, basic_code=f"000111333{i:03d}",
            name=f"许可{i}",
        )  # fmt: skip
        authorisations.set_authorised_item(
            actor=county.root,
            authorisation=authorisation,
            item=item,
            approvers=[county.staff.market_approver, county.staff.market_chief],
        )
    # the item page lists versions and history: revise the first item once more
    item = Item.objects.get(basic_code="000111222001")
    draft = services.start_draft(actor=county.root, item=item)
    services.publish(actor=county.root, version=draft, change_note="修订")


@pytest.mark.parametrize(
    "url",
    [
        lambda c, a: reverse("catalog:list"),
        lambda c, a: reverse("catalog:list") + "?q=许可&has_draft=0",
        lambda c, a: reverse("catalog:detail", args=[c.market_item.implementation_code]),
        lambda c, a: reverse("catalog:authorisations"),
        lambda c, a: reverse("catalog:authorisation", args=[a.pk]),
        lambda c, a: reverse("core:home"),
    ],
    ids=["list", "list_filtered", "item_page", "authorisations", "authorisation", "home"],
)
def test_catalogue_pages_do_not_add_queries_per_row(client, county, authorisation, url):
    assert client.login(username="market_chief", password="govhall-test")
    _grow(county, authorisation, 1, start=1)
    few = _queries(client, url(county, authorisation))
    _grow(county, authorisation, 4, start=2)
    assert _queries(client, url(county, authorisation)) == few
