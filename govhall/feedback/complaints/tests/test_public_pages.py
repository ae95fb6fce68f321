"""The portal's complaint form (tracking number after submitting, attachments, the
address throttle) and the tracking lookup (number + phone tail, the same answer for a
wrong tail and an unknown number, throttled like the case progress query)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from govhall.feedback.complaints.models import Complaint

from .conftest import act, portal
from .test_api import png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


FORM = {
    "category": "complaint",
    "subject": "办事大厅空调不制冷",
    "content": "二楼等候区空调坏了一周。",
    "name": "赵六",
    "phone": "13904776789",
}


def test_submit_shows_the_tracking_number(org, client):
    response = client.post(reverse("complaints_public:submit"), {**FORM, "files": png()})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    c = Complaint.objects.get(subject=FORM["subject"])
    assert c.number in page and c.channel == "portal" and c.attachments.count() == 1
    # another browser does not see it
    client.cookies.clear()
    assert client.get(reverse("complaints_public:submitted")).status_code == 302


def test_submit_shows_the_services_message(org, client):
    response = client.post(reverse("complaints_public:submit"), {**FORM, "phone": "12"})
    assert response.status_code == 400 and "电话" in response.content.decode()
    assert not Complaint.objects.exists()


@override_settings(GOVHALL_COMPLAINT_RATE_PER_ADDRESS="2/h")
def test_submit_is_throttled_per_address(org, client):
    for _ in range(2):
        client.post(reverse("complaints_public:submit"), FORM, REMOTE_ADDR="10.9.0.1")
    response = client.post(reverse("complaints_public:submit"), FORM, REMOTE_ADDR="10.9.0.1")
    assert response.status_code == 429 and "过于频繁" in response.content.decode()
    assert Complaint.objects.count() == 2


def _track(client, number, tail, address="10.1.2.3"):
    return client.get(
        reverse("complaints_public:track"), {"number": number, "phone_tail": tail},
        REMOTE_ADDR=address,
    )  # fmt: skip


def test_track_shows_state_handler_deadline_and_reply_only(org, client, assigned):
    act(assigned, "handle", org.staff.market_chief)
    act(assigned, "reply", org.staff.market_chief, reply="已约谈窗口负责人并整改。")
    page = _track(client, assigned.number, "1234").content.decode()
    assert "已答复" in page and org.market.name in page and "已约谈窗口负责人并整改" in page
    assert "张三丰" not in page and "13904771234" not in page
    wrong = _track(client, assigned.number, "9999").content.decode()
    unknown = _track(client, "SQ2026-999999", "1234").content.decode()
    assert "未找到该诉求" in wrong and "未找到该诉求" in unknown
    assert "已约谈" not in wrong


def test_track_wrong_tails_are_throttled_per_number(org, client):
    c = portal()
    for i in range(5):
        _track(client, c.number, f"{5000 + i:04d}", address=f"10.2.0.{i + 1}")
    response = _track(client, c.number, "1234", address="10.3.0.1")
    page = response.content.decode()
    assert response.status_code == 429 and "过于频繁" in page and 'id="tracking-result"' not in page
