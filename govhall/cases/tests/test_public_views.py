"""Public pages (``cases.public_views``): the progress query and online application."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govhall.cases.models import Case
from govhall.testing.factories import make_id_number

from .conftest import DESK_PHONE, submit_at_window

PHONE = DESK_PHONE


def test_public_progress_right_and_wrong_tail(client, hall):
    case = submit_at_window(hall)
    url = reverse("cases_public:progress")
    right = client.get(url, {"number": case.number, "phone_tail": "1234"}).content.decode()
    assert "已申请" in right and "食品经营许可" in right
    assert "张三丰" not in right and PHONE not in right and make_id_number(1) not in right
    wrong = client.get(url, {"number": case.number, "phone_tail": "9999"}).content.decode()
    unknown = client.get(url, {"number": "150626-20990101-0001", "phone_tail": "1234"})
    assert "未找到" in wrong and "食品经营许可" not in wrong
    assert "未找到" in unknown.content.decode()


@pytest.mark.parametrize("form,ok", [("both", True), ("window", False)])
def test_online_application_only_where_offered(client, hall, form, ok):
    version = hall.market_item.versions.get()
    version.__class__.objects.filter(pk=version.pk).update(handling_form=form)
    url = reverse("cases_public:apply", args=[hall.market_item.pk])
    response = client.post(
        url,
        {"a-kind": "person", "a-name": "赵六", "a-id_number": make_id_number(9), "a-phone": PHONE},
    )
    if ok:
        case = Case.objects.get()
        assert case.channel == "online"
        assert case.number in client.get(response["Location"]).content.decode()
    else:
        assert response.status_code == 404 and not Case.objects.exists()
