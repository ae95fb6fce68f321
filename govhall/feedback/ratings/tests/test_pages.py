"""The 差评 pages: the list by department, each step as a form, 整改台账销号, 申诉 and
复核 — the same rules as the services, shown in Chinese."""

from __future__ import annotations

import pytest

from govhall.feedback.ratings.models import AppealState, BadReviewState, LedgerEntry

from .conftest import pdf
from .helpers import rate

BASE = "/staff/feedback/ratings/"


@pytest.fixture
def bad(env, done):
    return rate(done, level=1, reasons=["attitude"], real_name=True).bad_review


def _as(client, staff):
    client.force_login(staff.user)
    return client


def test_a_department_lists_its_own_bad_reviews(client, env, done, bad):
    page = _as(client, env.s.market_chief).get(BASE + "bad-reviews/").content.decode()
    assert done.number in page and "待回访" in page
    page = _as(client, env.s.health_chief).get(BASE + "bad-reviews/").content.decode()
    assert done.number not in page and "没有差评" in page
    assert client.get(BASE + f"bad-reviews/{bad.pk}/").status_code == 404


def test_each_step_is_a_form_and_a_refusal_is_shown(client, env, bad):
    c = _as(client, env.s.market_approver)
    url = BASE + f"bad-reviews/{bad.pk}/"
    page = c.get(url).content.decode()
    assert 'value="callback"' in page and 'value="close"' not in page
    r = c.post(url, {"action": "callback", "method": "phone", "content": ""})
    assert r.status_code == 400 and "请填写回访内容" in r.content.decode()
    c.post(url, {"action": "callback", "method": "phone", "content": "已联系"})
    c.post(url, {"action": "verify", "finding": "属实"})
    c.post(url, {"action": "ledger", "measures": "改造排队系统", "due_on": "2026-12-31"})
    bad.refresh_from_db()
    assert bad.state == BadReviewState.ON_LEDGER
    c.post(url, {"action": "ledger_done", "result": "已上线"})
    assert LedgerEntry.objects.get().done_at is not None
    c.post(url, {"action": "feedback", "method": "sms", "content": "已告知"})
    r = c.post(url, {"action": "close", "version": "1"})  # stale version
    assert r.status_code == 400 and "已被他人更新" in r.content.decode()
    c.post(url, {"action": "close"})
    bad.refresh_from_db()
    assert bad.state == BadReviewState.CLOSED and bad.rectified_at is not None
    assert c.post(url, {"action": "close"}).status_code == 400


def test_others_may_read_but_not_act(client, env, bad):
    c = _as(client, env.s.supervisor)
    url = BASE + f"bad-reviews/{bad.pk}/"
    assert 'value="callback"' not in c.get(url).content.decode()
    assert c.post(url, {"action": "callback", "method": "phone", "content": "x"}).status_code == 403


def test_appeal_on_the_page_and_review_it(client, env, bad):
    url = BASE + f"bad-reviews/{bad.pk}/"
    c = _as(client, env.s.market_approver)
    r = c.post(url, {"action": "appeal", "reason": "录像为证", "files": [pdf()]})
    assert r.status_code == 302
    appeal = bad.rating.appeal
    appeal_url = BASE + f"appeals/{appeal.pk}/"
    assert "申诉成立（不计入统计）" not in c.get(appeal_url).content.decode()
    c = _as(client, env.s.supervisor)
    assert "申诉成立（不计入统计）" in c.get(appeal_url).content.decode()
    r = c.post(appeal_url, {"action": "uphold", "opinion": ""})
    assert r.status_code == 400 and "请填写复核意见" in r.content.decode()
    c.post(appeal_url, {"action": "uphold", "opinion": "录像属实"})
    appeal.refresh_from_db()
    bad.refresh_from_db()
    assert appeal.state == AppealState.UPHELD and bad.state == BadReviewState.VOIDED
