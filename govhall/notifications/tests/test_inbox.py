"""The staff inbox: the bell's unread count, the inbox page, mark as read."""

from __future__ import annotations

import pytest
from django.db import transaction

from govhall.notifications import selectors, services
from govhall.notifications.models import Channel, Notification
from govhall.notifications.services import Message, Recipient


def _tell(users, django_capture_on_commit_callbacks, *, group="g", what="站内", url=""):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.notify(
            messages=[
                Message(
                    channel=Channel.INBOX,
                    template="test/hello",
                    to=Recipient(name=u.staff.name, user_id=u.pk),
                    context={"what": what},
                    url=url,
                )
                for u in users
            ],
            ref="test.thing:1",
            group=group,
        )


@pytest.fixture
def chief(org):
    return org.staff.market_chief.user


def test_unread_count_and_mark_read(org, chief, django_capture_on_commit_callbacks):
    other = org.staff.market_approver.user
    _tell([chief, other], django_capture_on_commit_callbacks, group="a")
    _tell([chief], django_capture_on_commit_callbacks, group="b")
    assert selectors.unread_count(user=chief) == 2
    first = selectors.inbox(user=chief).last()
    assert services.mark_read(user=chief, ids=[first.pk]) == 1
    assert selectors.unread_count(user=chief) == 1
    # Someone else's message is never marked by another user.
    theirs = Notification.objects.get(recipient_user=other)
    assert services.mark_read(user=chief, ids=[theirs.pk]) == 0
    assert selectors.unread_count(user=other) == 1
    assert services.mark_read(user=chief) == 1
    assert selectors.unread_count(user=chief) == 0


def test_the_bell_shows_the_unread_count_on_staff_pages(
    org, chief, client, django_capture_on_commit_callbacks
):
    client.force_login(chief)
    page = client.get("/staff/").content.decode()
    assert "inbox-bell" in page and "inbox-unread" not in page
    _tell([chief], django_capture_on_commit_callbacks, group="a")
    _tell([chief], django_capture_on_commit_callbacks, group="b")
    page = client.get("/staff/").content.decode()
    assert 'data-unread="2"' in page and "消息（2条未读）" in page


def test_inbox_page_lists_and_marks_read(org, chief, client, django_capture_on_commit_callbacks):
    _tell([chief], django_capture_on_commit_callbacks, url="/staff/cases/")
    client.force_login(chief)
    page = client.get("/staff/notifications/").content.decode()
    assert "我的消息" in page and "1 条未读" in page
    assert "测试通知" in page and "这是一条站内消息" in page
    n = Notification.objects.get()
    response = client.post("/staff/notifications/read/", {"id": n.pk})
    assert response.status_code == 302 and response.url == "/staff/notifications/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert "未读" not in client.get("/staff/notifications/").content.decode()


def test_opening_a_message_marks_it_read_and_follows_its_link_on_this_site_only(
    org, chief, client, django_capture_on_commit_callbacks
):
    _tell([chief], django_capture_on_commit_callbacks, url="/staff/cases/")
    client.force_login(chief)
    n = Notification.objects.get()
    response = client.post("/staff/notifications/read/", {"id": n.pk, "next": n.url})
    assert response.url == "/staff/cases/"
    response = client.post(
        "/staff/notifications/read/", {"id": n.pk, "next": "https://evil.example/"}
    )
    assert response.url == "/staff/notifications/"


def test_mark_all_read(org, chief, client, django_capture_on_commit_callbacks):
    _tell([chief], django_capture_on_commit_callbacks, group="a")
    _tell([chief], django_capture_on_commit_callbacks, group="b")
    client.force_login(chief)
    client.post("/staff/notifications/read/", {"all": "1"})
    assert selectors.unread_count(user=chief) == 0


def test_inbox_needs_a_staff_login(client, db):
    response = client.get("/staff/notifications/")
    assert response.status_code == 302 and "/login" in response.url
