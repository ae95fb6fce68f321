"""The SMS link: signed, expiring, single use; sent after 办结 through the notifier."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing

from govhall.core import clock
from govhall.core.errors import Conflict, ValidationFailed
from govhall.core.models import TaskDelivery
from govhall.feedback.ratings import services, tokens
from govhall.feedback.ratings.models import Rating
from govhall.notifications.models import Channel, Notification

from .conftest import act, complete, submit


def _rate(token, level=5, **kw):
    return services.rate_with_token(token=token, level=level, **kw)


def test_a_token_rates_its_case_on_the_sms_channel(env, done):
    rating = _rate(tokens.make(case_id=done.pk))
    assert rating.case == done and rating.channel == "sms" and rating.token_nonce


def test_a_used_token_is_refused_and_changes_nothing(env, done):
    token = tokens.make(case_id=done.pk)
    _rate(token)
    with pytest.raises(Conflict) as exc:
        _rate(token, level=1, reasons=["attitude"])
    assert exc.value.code == "token_used" and "只能评价一次" in exc.value.message
    assert Rating.objects.count() == 1 and Rating.objects.get().level == 5


def test_a_second_token_for_the_same_case_cannot_rate_sms_twice(env, done):
    _rate(tokens.make(case_id=done.pk))
    with pytest.raises(Conflict) as exc:
        _rate(tokens.make(case_id=done.pk))
    assert exc.value.code == "already_rated"


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "x" + t,
        lambda t: signing.dumps({"c": 1, "r": 1, "n": "ab", "t": 0}, salt="another"),
        lambda t: "",
        lambda t: "a" * 400,
        lambda t: signing.dumps(["not", "a", "dict"], salt=tokens.SALT),
    ],
)
def test_a_forged_token_is_refused(env, done, forge):
    with pytest.raises(ValidationFailed) as exc:
        _rate(forge(tokens.make(case_id=done.pk)))
    assert exc.value.code == "token_invalid" and "评价链接无效" in exc.value.message
    assert not Rating.objects.exists()


def test_a_token_for_another_case_id_cannot_be_made_by_editing_it(env, done):
    token = tokens.make(case_id=done.pk)
    payload, _, sig = token.rpartition(":")
    assert tokens.read(token).case_id == done.pk
    with pytest.raises(ValidationFailed):
        tokens.read(signing.dumps({"c": done.pk + 1}, salt=tokens.SALT)[:-1] + sig[-1:])


def test_an_expired_token_is_refused(env, done, settings):
    token = tokens.make(case_id=done.pk)
    settings.GOVHALL_POLICY = {"RATINGS_TOKEN_DAYS": 2, "RATINGS_PERIOD_DAYS": 30}
    with clock.frozen(dt.datetime(2026, 11, 25, 9, 1)), pytest.raises(ValidationFailed) as exc:
        _rate(token)
    assert exc.value.code == "token_expired" and "已过期" in exc.value.message
    assert not Rating.objects.exists()
    with clock.frozen(dt.datetime(2026, 11, 25, 8, 59)):
        assert _rate(token).channel == "sms"


def test_completion_queues_the_sms_with_the_link(env, django_capture_on_commit_callbacks):
    case = submit(env)
    with django_capture_on_commit_callbacks(execute=True):
        case = complete(env, case)
    assert TaskDelivery.objects.filter(delivery_id=f"ratings:invite:{case.pk}").exists()
    [sms] = Notification.objects.filter(template="ratings/invite")
    assert sms.channel == Channel.SMS and sms.recipient_phone == case.applicant_phone
    link = sms.context["link"]
    assert "/feedback/ratings/t/" in link and sms.context["number"] == case.number
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert _rate(token).case == case


def test_other_events_queue_nothing(env, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        act(submit(env), "accept", env.s.clerk.user)
    assert not Notification.objects.filter(template="ratings/invite").exists()


def test_the_link_page_rates_and_refuses_a_reused_link(env, done, client):
    token = tokens.make(case_id=done.pk)
    url = f"/feedback/ratings/t/{token}/"
    assert "政务服务评价" in client.get(url).content.decode()
    page = client.post(url, {"level": "2", "reasons": ["slow"], "text": "慢"}).content.decode()
    assert "感谢您的评价" in page
    assert Rating.objects.get().is_bad
    page = client.post(url, {"level": "5"}).content.decode()
    assert "已使用过" in page and Rating.objects.count() == 1
    forged = client.get(f"/feedback/ratings/t/{token}x/")
    assert forged.status_code == 400 and "评价链接无效" in forged.content.decode()
