"""The case list over the API (``GET /api/v1/cases``, issue 9 §3): the cases of
``selectors.case_list`` in its order (URGENCY: earliest 办结期限 first, cases without a
deadline last, then 收件时间, then id), each row exactly as ``CaseSerializer`` shows
it, the count exact up to a bound and marked as an estimate past it, ``next`` links
that hold whatever the count, and a fixed number of queries whatever the page size."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection

from govhall.cases import selectors, services
from govhall.cases.api import CaseSerializer
from govhall.cases.models import OPEN_STATES, Case, State
from govhall.core import clock
from govhall.testing import factories

from .conftest import api, bundle_case

TODAY = dt.date(2026, 11, 23)


def _rows(hall, n: int, *, department=None, serial: int = 0) -> list[Case]:
    """``n`` cases of the market item written as rows: due dates with ties and
    without a deadline, 收件时间 with ties, open and closed states."""
    version = hall.market_item.versions.get()
    received = clock.now() - dt.timedelta(days=30)
    states = [State.IN_REVIEW, State.SUBMITTED, State.COMPLETED, State.DECIDED]
    cases = []
    for i in range(n):
        state = states[i % len(states)]
        due = None if state == State.SUBMITTED else TODAY + dt.timedelta(days=(i * 7) % 5 - 2)
        at = received + dt.timedelta(hours=(i * 5) % 7)  # ties in 收件时间 too
        cases.append(
            Case(
                number=f"T{serial + i:05d}",
                item=hall.market_item,
                item_version=version,
                department=department or hall.market,
                centre=hall.county,
                channel="window",
                applicant_kind="person",
                applicant_name=f"申请人{i}",
                applicant_id_number=factories.make_id_number(i),
                applicant_phone=f"139{i:08d}",
                state=state,
                received_at=at,
                materials_received_on=at.date(),
                accepted_on=None if due is None else at.date(),
                due_date=due,
                yellow_from=None if due is None else due - dt.timedelta(days=1),
                clock_paused=i % 11 == 5 and due is not None,
                responsible=hall.staff.market_chief if i % 3 == 0 else None,
                result="approved" if state == State.COMPLETED else "",
            )
        )
    return Case.objects.bulk_create(cases)


def _all_pages(client, limit: int, **params) -> tuple[list[dict], list[dict]]:
    """Every page of the list, following ``next``: (rows, bodies)."""
    rows, bodies = [], []
    url, query = "/api/v1/cases", {"limit": limit, **params}
    while url:
        body = client.get(url, query).json()
        bodies.append(body)
        rows += body["results"]
        if body["next"] is None:
            break
        parts = urlsplit(body["next"])
        url, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
    return rows, bodies


def test_rows_are_what_the_serializer_shows_in_the_selectors_order(env, restaurant_bundle):
    hall = env.c
    _rows(hall, 23)
    accepted = services.submit_application(
        actor=hall.staff.clerk.user,
        item=hall.market_item,
        centre=hall.county,
        channel="window",
        applicant=factories.person(40),
        materials=[{"material": m} for m in hall.market_item.versions.get().materials.all()],
    )
    services.transition(
        action="accept", actor=hall.staff.clerk.user, case=accepted, expected_version=1
    )
    bundle_case(env, restaurant_bundle)  # a 一件事 parent: no item, the bundle's name
    chief = hall.staff.market_chief.user
    expected = CaseSerializer(selectors.case_list(user=chief), many=True).data
    assert len(expected) > 25
    assert any(row["item"]["version"] is None for row in expected)
    assert any(row["due_date"] is None for row in expected)
    assert any(row["responsible"] for row in expected)
    lights = {row["light"] for row in expected}
    assert lights == {"", "normal", "yellow", "red", "overdue", "paused"}, lights

    body = api(chief).get("/api/v1/cases", {"limit": 200}).json()
    assert body["results"] == expected
    assert body["count"] == len(expected) and body["count_is_estimate"] is False
    assert body["count_label"] == f"共 {len(expected)} 条"
    # page after page, the same rows in the same order
    rows, bodies = _all_pages(api(chief), 4)
    assert rows == expected
    assert {b["count"] for b in bodies} == {len(expected)}
    assert bodies[0]["previous"] is None and bodies[-1]["next"] is None


def test_the_order_is_urgency_with_no_deadline_last(hall):
    _rows(hall, 30)
    rows, _ = _all_pages(api(hall.staff.market_chief.user), 7)
    by_number = {c.number: c for c in Case.objects.all()}
    keys = [
        (
            by_number[r["number"]].due_date is None,
            by_number[r["number"]].due_date or dt.date.min,
            by_number[r["number"]].received_at,
            by_number[r["number"]].pk,
        )
        for r in rows
    ]
    assert len(rows) == 30
    assert keys == sorted(keys)
    assert rows[-1]["due_date"] is None and rows[0]["due_date"] == "2026-11-21"


def test_count_is_exact_up_to_the_bound_and_marked_past_it(hall, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_EXACT_UP_TO", 10)
    _rows(hall, 10)
    chief = api(hall.staff.market_chief.user)
    exact = chief.get("/api/v1/cases", {"limit": 3}).json()
    assert (exact["count"], exact["count_is_estimate"]) == (10, False)
    assert exact["count_label"] == "共 10 条"

    _rows(hall, 5, serial=100)  # 15 now, past the bound of 10
    past = chief.get("/api/v1/cases", {"limit": 3}).json()
    assert past["count_is_estimate"] is True
    assert past["count"] >= 11
    assert past["count_label"] == "超过 10 条"
    assert len(past["results"]) == 3
    # next links do not depend on the count: every case is reached, once
    rows, bodies = _all_pages(chief, 4)
    assert len(rows) == 15 and len({r["number"] for r in rows}) == 15
    assert bodies[-1]["next"] is None
    # the last page knows the whole count exactly (offset + its rows)
    assert (bodies[-1]["count"], bodies[-1]["count_is_estimate"]) == (15, False)
    # filters count within the bound again; another department sees none of these
    submitted = chief.get("/api/v1/cases", {"state": "submitted"}).json()
    assert submitted["count"] == 4 and submitted["count_is_estimate"] is False
    health = api(hall.staff.health_chief.user).get("/api/v1/cases").json()
    assert (health["count"], health["results"]) == (0, [])


def test_default_bound_is_ten_thousand():
    assert selectors.COUNT_EXACT_UP_TO == 10_000
    page = selectors.CasePage(
        rows=[], count=48_961, count_is_estimate=True, has_next=True, exact_up_to=10_000
    )
    assert page.count_label == "超过 10000 条"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's"
)
def test_past_the_bound_postgresql_gives_its_estimate(hall):
    _rows(hall, 40)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    count, estimate = selectors.bounded_count(
        selectors.visible_cases(user=hall.staff.market_chief.user), exact_up_to=5
    )
    assert estimate is True and 6 <= count <= 400


def test_a_page_costs_the_same_queries_whatever_its_size(hall, django_assert_num_queries):
    _rows(hall, 60)
    chief = api(hall.staff.market_chief.user)  # no session; the user object is reused
    chief.get("/api/v1/cases")  # its staff record (who may see what) read once
    # the page, the bounded count
    for limit in (5, 50):
        with django_assert_num_queries(2):
            assert len(chief.get("/api/v1/cases", {"limit": limit}).json()["results"]) == limit
    # a list that ends on its page needs no count at all
    with django_assert_num_queries(1):
        assert chief.get("/api/v1/cases", {"limit": 200}).json()["count"] == 60


def test_open_lists_write_the_open_states_into_the_sql(hall):
    """The 待办 list and the light filters say ``state IN ('submitted', …)`` in the SQL
    itself, so that PostgreSQL's generic plan of a prepared statement may use the
    partial index of open cases; the cases listed are the same."""
    _rows(hall, 12)
    inbox = selectors.case_list(user=None, department=hall.market, states=list(OPEN_STATES))
    assert "IN ('submitted', 'awaiting_correction'" in str(inbox.query)
    assert [c.number for c in inbox] == [
        c.number
        for c in Case.objects.filter(department=hall.market, state__in=OPEN_STATES).order_by(
            *selectors.URGENCY
        )
    ]
    overdue = selectors.case_list(user=None, light="overdue")
    assert "IN ('submitted'" in str(overdue.query)
    done = selectors.case_list(user=None, states=[State.COMPLETED])
    assert "IN ('submitted'" not in str(done.query) and done.count() == 3
    with pytest.raises(ValueError):
        str(Case.objects.filter(state__in_literals=["x'; DROP TABLE cases_case; --"]).query)
