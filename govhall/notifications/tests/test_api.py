"""GET /api/v1/notifications/ and POST /api/v1/notifications/read/."""

from __future__ import annotations

from django.db import transaction
from rest_framework.test import APIClient

from govhall.notifications import services
from govhall.notifications.models import Channel, Notification
from govhall.notifications.services import Message, Recipient


def _tell(user, callbacks, group):
    with callbacks(execute=True), transaction.atomic():
        services.notify(
            messages=[
                Message(
                    channel=Channel.INBOX,
                    template="test/hello",
                    to=Recipient(name="某人", user_id=user.pk),
                    context={"what": "接口"},
                    url="/staff/",
                )
            ],
            ref="test.thing:1",
            group=group,
        )


def test_inbox_api_lists_own_messages_and_marks_read(org, django_capture_on_commit_callbacks):
    chief, other = org.staff.market_chief.user, org.staff.market_approver.user
    _tell(chief, django_capture_on_commit_callbacks, "a")
    _tell(chief, django_capture_on_commit_callbacks, "b")
    _tell(other, django_capture_on_commit_callbacks, "c")
    api = APIClient()
    api.force_authenticate(chief)
    body = api.get("/api/v1/notifications/").json()
    assert body["count"] == 2 and body["unread"] == 2
    assert body["results"][0]["subject"] == "测试通知" and body["results"][0]["read_at"] is None
    first = body["results"][0]["id"]
    theirs = Notification.objects.get(recipient_user=other).pk
    answer = api.post("/api/v1/notifications/read/", {"ids": [first, theirs]}, format="json")
    assert answer.json() == {"marked": 1, "unread": 1}
    assert api.get("/api/v1/notifications/?unread=true").json()["count"] == 1
    assert api.post("/api/v1/notifications/read/", {"all": True}, format="json").json() == {
        "marked": 1,
        "unread": 0,
    }


def test_inbox_api_refuses_anonymous_and_empty_requests(org):
    api = APIClient()
    assert api.get("/api/v1/notifications/").status_code in (401, 403)
    api.force_authenticate(org.staff.market_chief.user)
    answer = api.post("/api/v1/notifications/read/", {}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_input"
    assert api.get("/api/v1/notifications/?unread=maybe").status_code == 400
    assert api.get("/api/v1/notifications/?colour=red").status_code == 400
