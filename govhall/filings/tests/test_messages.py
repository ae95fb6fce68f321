"""Who is told: the department of a 确认类 filing (inbox), the filer when it is confirmed
or returned (SMS); nobody for 即来即备."""

from __future__ import annotations

import pytest

from govhall.notifications.models import Notification

from .conftest import COMPANY, act, online

pytestmark = pytest.mark.django_db


def _sent():
    return list(
        Notification.objects.order_by("id").values_list(
            "channel", "template", "recipient_name", "recipient_phone"
        )
    )


def test_notify_filing_tells_nobody(items):
    online(items.notify)
    assert _sent() == []


def test_confirm_filing_tells_the_department_then_the_filer(org, items):
    f = online(items.confirm, COMPANY)
    assert sorted(r[2] for r in _sent()) == ["市场审批", "市场首代"]
    assert {r[:2] for r in _sent()} == {("inbox", "filings/to_confirm")}
    Notification.objects.all().delete()
    f = act(f, "return", org.staff.market_chief, reason="平面图未标注库房面积")
    assert _sent() == [("sms", "filings/returned", COMPANY["filer_name"], COMPANY["phone"])]
    assert Notification.objects.get().context["reason"] == "平面图未标注库房面积"
    Notification.objects.all().delete()
    f = act(f, "resubmit", org.staff.clerk, note="已补正")
    assert {r[1] for r in _sent()} == {"filings/to_confirm"}
    Notification.objects.all().delete()
    f = act(f, "confirm", org.staff.market_chief)
    [row] = Notification.objects.all()
    assert (row.channel, row.template) == ("sms", "filings/confirmed")
    assert row.context["number"] == f.number == "BA2026-000001"


def test_the_filers_sms_reads_the_number_and_says_the_activity_is_not_blocked(org, items):
    from govhall.notifications.services import render

    f = act(online(items.confirm, COMPANY), "confirm", org.staff.market_chief)
    subject, body = render(Notification.objects.get(channel="sms"), centre=f.centre.name)
    assert f.number in subject and f.number in body
    assert "备案不影响您从事所备案的活动" in body
