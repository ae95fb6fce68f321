"""The screens' event stream (server-sent events): ``id:`` is the ``Call`` id, a
reconnecting screen (``Last-Event-ID``, or ``?after=``) gets every call it missed, the
response ends at once with ``retry: 1000`` (no sync worker held), nothing personal."""

from __future__ import annotations

import json

from django.urls import reverse

from govhall.core.actors import Applicant
from govhall.hall import services
from govhall.hall.models import Call
from govhall.testing.factories import make_id_number


def _events(body: str) -> list[dict]:
    out = []
    for block in body.split("\n\n"):
        fields = {}
        for line in block.splitlines():
            key, _, value = line.partition(": ")
            fields[key] = value
        if "data" in fields and fields.get("event") != "clock":
            out.append(fields)
    return out


def test_replay_after_last_event_id_and_nothing_personal(hall, client):
    url = reverse("hall_public:events", args=[hall.centre.code])
    for serial in (1, 2, 3):
        services.issue_ticket(
            actor=Applicant("x"),
            category=hall.market,
            name=f"周{serial}",
            id_number=make_id_number(serial),
            phone=f"1390000000{serial}",
        )
    first = services.call_next(actor=hall.market_clerk, window=hall.market_window)
    seen = Call.objects.get(kind="call").pk
    services.finish(actor=hall.market_clerk, ticket=first)
    services.call_next(actor=hall.market_clerk, window=hall.market_window)
    second = Call.objects.filter(kind="call").last()
    r = client.get(url, HTTP_LAST_EVENT_ID=str(seen))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/event-stream")
    body = r.content.decode()
    assert body.startswith("retry: 1000\n")
    events = _events(body)
    calls = [e for e in events if e.get("event") in ("call", "finish")]
    assert [int(e["id"]) for e in calls] == sorted(int(e["id"]) for e in calls)
    assert [e["event"] for e in calls] == ["finish", "call"]
    assert calls[-1]["id"] == str(second.pk)
    data = json.loads(calls[-1]["data"])
    assert data == {
        "id": second.pk,
        "kind": "call",
        "code": "B002",
        "window": "05",
        "at": data["at"],
    }
    waiting = [e for e in events if e.get("event") == "waiting"]
    assert json.loads(waiting[0]["data"])[1] == {"prefix": "B", "name": "市场监管", "waiting": 1}
    for secret in ("周", "1390000000", make_id_number(1)):
        assert secret not in body
    # Last-Event-ID wins over ?after=, and ?after= is used when there is none
    assert (
        _events(
            client.get(url + f"?after={seen}", HTTP_LAST_EVENT_ID=str(second.pk)).content.decode()
        )
        == []
    )
    assert (
        len(
            [
                e
                for e in _events(client.get(url + f"?after={seen}").content.decode())
                if e.get("event") != "waiting"
            ]
        )
        == 2
    )
    # a new screen without an id starts now, and keeps its place with an id line
    body = client.get(url).content.decode()
    assert _events(body) == [] and f"id: {Call.objects.last().pk}" in body


def test_junk_ids_never_5xx(hall, client):
    url = reverse("hall_public:events", args=[hall.centre.code])
    for junk in ("x", "-1", "9" * 40, "\x00", "0"):
        assert client.get(url, {"after": junk}).status_code == 200
        assert client.get(url, HTTP_LAST_EVENT_ID=junk).status_code == 200
    assert client.get("/hall/screens/abc/events/").status_code == 404


def test_hold_keeps_the_response_open_and_sends_new_calls(hall, client, settings):
    settings.GOVHALL_HALL_STREAM_HOLD_SECONDS = 1
    url = reverse("hall_public:events", args=[hall.centre.code])
    r = client.get(url)
    body = b"".join(r.streaming_content).decode()
    assert body.startswith("retry: 1000\n") and ": keep-alive" in body


def test_every_connection_carries_the_servers_clock(hall, client):
    """The screens show the server's time, not the TV's: each (re)connection of the
    stream sends it, as the centre's wall-clock time in ms."""
    import datetime as dt

    from govhall.core import clock

    url = reverse("hall_public:events", args=[hall.centre.code])
    with clock.frozen(
        dt.datetime(2026, 6, 1, 9, 30, 15, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    ):
        body = client.get(url).content.decode()
    blocks = [b for b in body.split("\n\n") if b.startswith("event: clock")]
    assert len(blocks) == 1
    shown = dt.datetime.fromtimestamp(int(blocks[0].split("data: ")[1]) / 1000, dt.UTC)
    assert shown.replace(tzinfo=None) == dt.datetime(2026, 6, 1, 9, 30, 15)
