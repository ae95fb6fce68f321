"""Organisation staff pages read in a fixed number of queries: adding centres,
departments, windows, staff or 进驻 records must not add a query per row (N+1),
or the pages slow down as the org's organisation grows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govhall.core import audit
from govhall.org import services
from govhall.org.models import Centre, Department, Level, Role, Stationing, Window
from govhall.testing.factories import make_staff, make_uscc


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(org, n: int, start: int) -> None:
    """n more townships, departments stationed in each with an audited 进驻, windows
    and staff."""
    for i in range(start, start + n):
        centre = Centre.objects.create(
            code=f"150626{i:03d}", name=f"第{i}镇便民服务中心", level=Level.TOWNSHIP,
            parent=org.county,
        )  # fmt: skip
        dept = Department.objects.create(code=make_uscc(100 + i), name=f"第{i}局")
        for c in (org.county, centre):
            stationing = Stationing.objects.create(
                centre=c, department=dept, since=dt.date(2024, 1, 1)
            )
            audit.record(actor=org.root, action=services.STATIONING_CREATE, obj=stationing)
        # the market bureau is stationed in the new township too (its own page grows)
        stationing = Stationing.objects.create(
            centre=centre, department=org.market, since=dt.date(2024, 1, 1)
        )
        audit.record(actor=org.root, action=services.STATIONING_CREATE, obj=stationing)
        window = Window.objects.create(
            centre=centre, number="01", name="专窗", type="department", department=dept
        )
        make_staff(
            username=f"u{i}", name=f"人员{i}", role=Role.APPROVER, centre=centre,
            department=dept, window=window,
        )  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        lambda c: reverse("org:index"),
        lambda c: reverse("org:centres"),
        lambda c: reverse("org:departments"),
        lambda c: reverse("org:windows"),
        lambda c: reverse("org:staff_list"),
        lambda c: reverse("org:department", args=[c.market.pk]),
    ],
    ids=["index", "centres", "departments", "windows", "staff", "department_page"],
)
def test_org_pages_do_not_add_queries_per_row(client, org, url):
    assert client.login(username="admin", password="govhall-test")
    _grow(org, 1, start=1)
    few = _queries(client, url(org))
    _grow(org, 4, start=2)
    assert _queries(client, url(org)) == few
