"""The hall's API (/api/v1/hall/): a person takes a ticket and follows it, windows call
and serve, appointments are booked, cancelled and checked in, the screens read the
calls — public answers carry nothing personal, every refusal has the services' code,
and no generated request gets a 5xx."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from rest_framework.test import APIClient

from govhall.core import clock
from govhall.hall import services
from govhall.hall.models import Appointment, AppointmentState, Priority
from govhall.testing.factories import make_id_number

PERSONAL = {"name", "id_number", "phone"}
PHONE = "13904771234"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _base(hall) -> str:
    return f"/api/v1/hall/{hall.centre.code}"


def _issue(hall, category, **body):
    response = _client().post(
        f"{_base(hall)}/tickets/", {"category": category.pk, **body}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_person_takes_a_ticket_and_sees_the_people_ahead_without_personal_data(hall):
    first = _issue(hall, hall.general)
    second = _issue(hall, hall.general, name="王小明", id_number=make_id_number(3), phone=PHONE)
    assert (first["code"], second["code"]) == ("A001", "A002")
    assert second["state"] == "waiting" and second["ahead"] == 1
    assert not PERSONAL & set(second)
    status = _client().get(f"/api/v1/hall/tickets/{second['id']}/").json()
    assert status["ahead"] == 1 and not PERSONAL & set(status)
    assert "王小明" not in str(status) and PHONE not in str(status)
    categories = _client().get(f"{_base(hall)}/categories/").json()
    assert {c["prefix"]: c["waiting"] for c in categories} == {"A": 2, "B": 0, "C": 0}


def test_issue_refusals_carry_stable_codes(hall):
    client = _client()
    url = f"{_base(hall)}/tickets/"
    missing = client.post(url, {"category": 999999}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "category_not_found"
    disabled = client.post(
        url, {"category": hall.general.pk, "priority": "disabled"}, format="json"
    )
    assert disabled.status_code == 403
    young = client.post(
        url,
        {"category": hall.general.pk, "priority": "elderly", "id_number": make_id_number(3)},
        format="json",
    )
    assert young.status_code == 400 and young.json()["code"] == "not_elderly"
    bad_id = client.post(url, {"category": hall.general.pk, "id_number": "123"}, format="json")
    assert bad_id.json()["code"] == "invalid_id_number"
    assert (
        client.post("/api/v1/hall/999/tickets/", {"category": 1}, format="json").json()["code"]
        == "centre_not_found"
    )
    # the 导服台 (signed in) gives the 残疾人 绿色通道
    staff = _client(hall.clerk).post(
        url, {"category": hall.general.pk, "priority": "disabled"}, format="json"
    )
    assert staff.status_code == 201 and staff.json()["priority"] == "disabled"


@override_settings(GOVHALL_HALL_PUBLIC_RATE_PER_ADDRESS="3/m")
def test_anonymous_issuing_is_throttled_per_address_but_the_ticket_machine_is_not(hall):
    url = f"{_base(hall)}/tickets/"
    codes = [
        _client().post(url, {"category": hall.general.pk}, format="json").status_code
        for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    refused = _client().post(url, {"category": hall.general.pk}, format="json").json()
    assert refused["code"] == "hall_throttled"
    machine = _client(hall.clerk)
    assert all(
        machine.post(url, {"category": hall.general.pk}, format="json").status_code == 201
        for _ in range(5)
    )


def test_a_window_calls_recalls_serves_and_the_screen_shows_it(hall):
    ticket = _issue(hall, hall.general, name="王小明", phone=PHONE)
    clerk = _client(hall.clerk)
    window = hall.comprehensive.pk
    called = clerk.post(f"/api/v1/hall/windows/{window}/call-next/").json()["ticket"]
    assert called["code"] == "A001" and called["window"] == hall.comprehensive.number
    assert called["name"] == "王小明" and called["phone"] != PHONE  # masked
    busy = clerk.post(f"/api/v1/hall/windows/{window}/call-next/")
    assert busy.status_code == 409 and busy.json()["code"] == "window_busy"
    early = clerk.post(f"/api/v1/hall/tickets/{ticket['id']}/no-show/")
    assert early.status_code == 409 and early.json()["code"] == "not_called_enough"
    assert clerk.post(f"/api/v1/hall/tickets/{ticket['id']}/recall/").json()["calls"] == 2
    assert clerk.post(f"/api/v1/hall/tickets/{ticket['id']}/start/").json()["state"] == "serving"
    assert clerk.post(f"/api/v1/hall/tickets/{ticket['id']}/finish/").json()["state"] == "done"
    view = clerk.get(f"/api/v1/hall/windows/{window}/").json()
    assert view["current"] is None and view["waiting"] == 0
    nobody = clerk.post(f"/api/v1/hall/windows/{window}/call-next/")
    assert nobody.status_code == 200 and nobody.json() == {"ticket": None}

    public = _client()
    board = public.get(f"{_base(hall)}/board/").json()
    assert board["recent"][0]["code"] == "A001" and board["recent"][0]["window_number"] == "01"
    kinds = [e["kind"] for e in public.get(f"{_base(hall)}/events/?after=0").json()]
    assert kinds == ["issue", "call", "recall", "start", "finish"]
    later = public.get(f"{_base(hall)}/events/?after={board['last_id']}").json()
    assert later == []
    assert "王小明" not in str(board) + str(kinds)


def test_only_the_windows_staff_operate_it(hall):
    _issue(hall, hall.general)
    url = f"/api/v1/hall/windows/{hall.comprehensive.pk}/call-next/"
    assert _client().post(url).status_code in (401, 403)
    assert _client(hall.market_clerk).post(url).status_code == 403
    assert _client(hall.admin).post(url).status_code == 200  # 大厅管理 may operate any window


def test_transfer_no_show_and_cancel(hall):
    a = _issue(hall, hall.general)
    b = _issue(hall, hall.general)
    clerk = _client(hall.clerk)
    window = hall.comprehensive.pk
    clerk.post(f"/api/v1/hall/windows/{window}/call-next/")
    moved = clerk.post(
        f"/api/v1/hall/tickets/{a['id']}/transfer/",
        {"to_window": hall.market_window.pk, "reason": "需市场监管专窗办理"},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["state"] == "waiting"
    no_reason = clerk.post(
        f"/api/v1/hall/tickets/{a['id']}/transfer/", {"to_window": window}, format="json"
    )
    assert no_reason.status_code == 400
    market = _client(hall.market_clerk)
    got = market.post(f"/api/v1/hall/windows/{hall.market_window.pk}/call-next/").json()
    assert got["ticket"]["code"] == "A001"  # only the target window calls it
    called = clerk.post(f"/api/v1/hall/windows/{window}/call-next/").json()["ticket"]
    assert called["code"] == "A002"
    for _ in range(services.no_show_calls() - 1):
        clerk.post(f"/api/v1/hall/tickets/{b['id']}/recall/")
    gone = clerk.post(f"/api/v1/hall/tickets/{b['id']}/no-show/")
    assert gone.status_code == 200 and gone.json()["state"] == "no_show"
    again = clerk.post(f"/api/v1/hall/tickets/{b['id']}/cancel/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_ticket_state"
    c = _issue(hall, hall.general)
    cancelled = clerk.post(
        f"/api/v1/hall/tickets/{c['id']}/cancel/", {"reason": "本人放弃"}, format="json"
    )
    assert cancelled.json()["state"] == "cancelled"
    assert _client().get("/api/v1/hall/tickets/99999999999/").status_code == 404


def _slot(hall, day=dt.date(2026, 11, 24), capacity=2):
    services.open_slots(
        actor=hall.admin,
        category=hall.general,
        start=day,
        end=day,
        times=[(dt.time(9, 0), dt.time(10, 0))],
        capacity=capacity,
    )
    return hall.general.slots.get(day=day)


def test_book_cancel_and_check_in(hall):
    slot = _slot(hall)
    public = _client()
    slots = public.get(f"{_base(hall)}/slots/?category={hall.general.pk}").json()
    assert [(s["id"], s["left"]) for s in slots] == [(slot.pk, 2)]
    body = {"slot": slot.pk, "name": "王小明", "id_number": make_id_number(3), "phone": PHONE}
    booked = public.post(f"{_base(hall)}/appointments/", body, format="json")
    assert booked.status_code == 201
    code = booked.json()["code"]
    assert booked.json()["name"] == "王**" and booked.json()["phone"] != PHONE
    twice = public.post(f"{_base(hall)}/appointments/", body, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_booked"
    wrong = public.post(
        "/api/v1/hall/appointments/cancel/", {"code": code, "phone_tail": "0000"}, format="json"
    )
    assert wrong.status_code == 404 and wrong.json()["code"] == "appointment_not_found"
    early = public.post("/api/v1/hall/appointments/check-in/", {"code": code}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "check_in_closed"
    with clock.frozen(dt.datetime(2026, 11, 24, 8, 45)):
        ticket = public.post("/api/v1/hall/appointments/check-in/", {"code": code}, format="json")
    assert ticket.status_code == 201 and ticket.json()["priority"] == Priority.APPOINTMENT
    assert Appointment.objects.get(code=code).state == AppointmentState.CHECKED_IN

    other = {**body, "id_number": make_id_number(4), "phone": "13904775678"}
    second = public.post(f"{_base(hall)}/appointments/", other, format="json").json()["code"]
    ok = public.post(
        "/api/v1/hall/appointments/cancel/", {"code": second, "phone_tail": "5678"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["state"] == "cancelled"
    bad = public.post("/api/v1/hall/appointments/cancel/", {"code": "12ab"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed"


def test_a_full_slot_refuses_the_next_booking(hall):
    slot = _slot(hall, capacity=1)
    public = _client()
    url = f"{_base(hall)}/appointments/"
    first = {"slot": slot.pk, "name": "甲", "id_number": make_id_number(3), "phone": PHONE}
    assert public.post(url, first, format="json").status_code == 201
    second = {**first, "id_number": make_id_number(4)}
    full = public.post(url, second, format="json")
    assert full.status_code == 409 and full.json()["code"] == "slot_full"


def test_statistics_are_for_the_centre_staff_who_supervise(hall):
    _issue(hall, hall.general)
    clerk = _client(hall.clerk)
    clerk.post(f"/api/v1/hall/windows/{hall.comprehensive.pk}/call-next/")
    url = f"{_base(hall)}/statistics/"
    assert clerk.get(url).status_code == 403
    out = _client(hall.admin).get(url).json()
    assert out["all"]["合计"]["tickets"] == 1 and out["all"]["合计"]["called"] == 1
    assert "A 综合业务" in out["category"]
    too_long = _client(hall.admin).get(url + "?start=2020-01-01&end=2026-11-23")
    assert too_long.status_code == 400 and too_long.json()["code"] == "invalid_filter"
    reversed_ = _client(hall.admin).get(url + "?start=2026-11-23&end=2026-11-01")
    assert reversed_.status_code == 400


def test_the_schema_documents_every_hall_endpoint(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    hall_paths = [p for p in schema["paths"] if p.startswith("/api/v1/hall/")]
    assert len(hall_paths) == 18
    ops = [op for p in hall_paths for op in schema["paths"][p].values()]
    assert all(op["tags"] == ["大厅排队叫号与预约"] for op in ops)


# --------------------------------------------------------------------------- fuzz

schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True)
).include(path_regex="^/api/v1/hall/")
schema.app = get_wsgi_application()


@pytest.fixture
def _keep_the_test_connection():
    """As ``govhall/api/tests/test_fuzz.py``: schemathesis calls the WSGI app itself."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def busy_hall(hall, _keep_the_test_connection):
    _slot(hall)
    for _ in range(3):
        services.issue_ticket(actor=hall.clerk, category=hall.general)
    called = services.call_next(actor=hall.clerk, window=hall.comprehensive)
    token = base64.b64encode(b"clerk:govhall-test").decode()
    return {"hall": hall, "ticket": called, "headers": {"Authorization": f"Basic {token}"}}


@schema.parametrize()
@settings(
    max_examples=8,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@override_settings(GOVHALL_HALL_PUBLIC_RATE_PER_ADDRESS="10000/m")
def test_no_hall_operation_answers_5xx(case, busy_hall):
    path = case.path_parameters or {}
    hall = busy_hall["hall"]
    if "code" in path:
        path["code"] = hall.centre.code
    if "pk" in path and "windows" in case.path:
        path["pk"] = hall.comprehensive.pk
    elif "pk" in path:
        path["pk"] = busy_hall["ticket"].pk
    response = case.call(headers=busy_hall["headers"])
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:500]}"
    )
