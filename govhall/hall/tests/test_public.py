"""The public pages of the hall: the ticket machine (取号, 老年人 by ID number, 预约签到,
Chinese errors, throttling, junk never 5xx), the 80 mm ticket, the screens and
网上预约 (book → confirmation → look up → cancel)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from govhall.core import clock
from govhall.hall import services
from govhall.hall.models import (
    Appointment,
    AppointmentState,
    Category,
    Priority,
    Slot,
    Ticket,
)
from govhall.testing.factories import make_id_number


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def _kiosk(hall):
    return reverse("hall_public:kiosk", args=[hall.centre.code])


def _elderly_id() -> str:
    """A valid ID number of someone born in 1950 (76 on the frozen test day)."""
    from govhall.core.validators import is_valid_id_number

    body = "15062619500101123"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(a) * b for a, b in zip(body, weights, strict=True)) % 11]
    assert is_valid_id_number(body + check)
    return body + check


def test_kiosk_lists_categories_grouped_with_waiting_counts(hall, client):
    page = client.get(_kiosk(hall)).content.decode()
    assert "按部门" in page and "综合业务" in page and "市场监管" in page and "等候 0 人" in page
    assert "预约签到" in page


def test_kiosk_finds_what_to_do_and_offers_the_categories_that_serve_it(hall, client):
    """说说您要办什么: the finder's hits → the categories serving their items (by the
    item, its department or its 主题), each a button that takes a ticket in it."""
    from govhall.catalog.models import LifeEvent
    from govhall.finder.models import Search

    event = LifeEvent.objects.create(code="start-up", name="开办企业", audience="company")
    hall.org.market_item.life_events.add(event)
    startup = services.save_category(
        actor=hall.admin,
        centre=hall.centre,
        data={"prefix": "D", "name": "开办企业一件事", "kind": "life_event", "life_event": event},
    )
    page = client.get(_kiosk(hall), {"q": "食品经营"}).content.decode()
    assert 'id="kiosk-found"' in page and "您要办的“食品经营”，请在这里取号" in page
    found = page[page.index('id="kiosk-found"') : page.index("① 填写")]
    assert f'name="category" value="{hall.market.pk}"' in found  # 市场监管: item and department
    assert f'name="category" value="{startup.pk}"' in found  # its 主题
    assert f'value="{hall.health.pk}"' not in found and f'value="{hall.general.pk}"' not in found
    assert "可办：食品经营许可" in found
    assert Search.objects.get().channel == "kiosk"
    r = client.post(_kiosk(hall), {"category": hall.market.pk})
    assert r.status_code == 302 and Ticket.objects.get().category == hall.market
    # no category of its own left: 综合业务 (无差别受理) takes it
    Category.objects.filter(pk__in=[hall.market.pk, startup.pk]).update(is_active=False)
    page = client.get(_kiosk(hall), {"q": "食品经营"}).content.decode()
    found = page[page.index('id="kiosk-found"') : page.index("① 填写")]
    assert f'name="category" value="{hall.general.pk}"' in found and "可办：食品经营许可" in found
    assert f'value="{hall.health.pk}"' not in found


def test_kiosk_finding_nothing_sends_to_the_desk_and_the_phones(hall, client):
    hall.centre.phone = "0477-7201234"
    hall.centre.save(update_fields=["phone"])
    page = client.get(_kiosk(hall), {"q": "护照"}).content.decode()
    assert "没有找到与“护照”对应的取号业务" in page
    assert "请到咨询台" in page and "0477-7201234" in page and "12345" in page
    assert 'class="kiosk-cat kiosk-cat-found"' not in page
    page = client.get(_kiosk(hall), {"q": "护" * 101}).content.decode()
    assert "检索内容最多100个字" in page
    assert 'id="kiosk-q"' in client.get(_kiosk(hall)).content.decode()


def test_taking_a_ticket_shows_the_80mm_ticket(hall, client):
    client.post(_kiosk(hall), {"category": hall.general.pk})
    r = client.post(_kiosk(hall), {"category": hall.general.pk, "phone": "13900001234"})
    t = Ticket.objects.get(code="A002")
    assert r.status_code == 302 and r.url.endswith(f"/ticket/{t.pk}/?print=1")
    page = client.get(r.url).content.decode()
    assert (
        'id="ticket-code">A002<' in page
        and "综合业务" in page
        and "测试县政务服务中心" in page
        or hall.centre.name in page
    )
    assert 'id="ticket-ahead">1<' in page
    assert "data-autoprint" in page
    assert "13900001234" not in page
    css = (
        __import__("pathlib").Path(__file__).resolve().parents[2] / "static/hall/hall.css"
    ).read_text()
    assert "@page { size: 80mm auto; margin: 0; }" in css
    # another browser cannot open it
    client.cookies.clear()
    assert client.get(r.url).status_code == 404


def test_an_id_number_of_an_elderly_person_gives_the_elderly_lane(hall, client):
    client.post(_kiosk(hall), {"category": hall.general.pk, "id_number": _elderly_id()})
    assert Ticket.objects.get().priority == Priority.ELDERLY


def test_kiosk_errors_are_chinese_and_junk_never_5xx(hall, client):
    r = client.post(_kiosk(hall), {"category": hall.general.pk, "id_number": "123"})
    assert r.status_code == 400 and "居民身份证号码格式或校验位不正确" in r.content.decode()
    r = client.post(_kiosk(hall), {"category": hall.general.pk, "phone": "12345"})
    assert r.status_code == 400 and "手机号应为 11 位数字" in r.content.decode()
    for data in (
        {"category": "x"},
        {"category": "99999999999999999999"},
        {"category": "-5"},
        {"category": "\x00"},
        {"category": hall.general.pk, "id_number": "9" * 5000},
        {"action": "check_in", "code": "abc"},
        {"action": "check_in", "code": "\x00" * 6},
        {},
    ):
        assert client.post(_kiosk(hall), data).status_code in (400, 404, 409), data
    assert client.get("/hall/kiosk/xx/").status_code == 404
    assert client.get("/hall/kiosk/" + "9" * 40 + "/").status_code == 404
    assert client.get(_kiosk(hall) + "ticket/99999999/").status_code == 404


def test_hall_closed_on_a_rest_day(hall, client):
    with clock.frozen(dt.datetime(2026, 11, 29, 10, 0)):  # Sunday
        page = client.get(_kiosk(hall)).content.decode()
        assert "今天不是办公日" in page
        r = client.post(_kiosk(hall), {"category": hall.general.pk})
        assert r.status_code == 409 and "大厅不取号" in r.content.decode()


def test_public_posts_are_throttled(hall, client, settings):
    settings.GOVHALL_HALL_PUBLIC_RATE_PER_ADDRESS = "2/h"
    client.post(_kiosk(hall), {"category": hall.general.pk})
    client.post(_kiosk(hall), {"category": hall.general.pk})
    r = client.post(_kiosk(hall), {"category": hall.general.pk})
    assert r.status_code == 429 and "操作过于频繁" in r.content.decode()
    assert Ticket.objects.count() == 2
    # the hall's own ticket machine, listed by address, is never throttled
    settings.GOVHALL_HALL_KIOSK_ADDRESSES = ["127.0.0.1"]
    r = client.post(_kiosk(hall), {"category": hall.general.pk})
    assert r.status_code in (200, 302) and Ticket.objects.count() == 3


def _slot(hall, day=dt.date(2026, 11, 23), start=dt.time(9, 0), end=dt.time(10, 0)):
    services.open_slots(
        actor=hall.admin, category=hall.market, start=day, end=day, times=[(start, end)], capacity=2
    )
    return Slot.objects.get(day=day, starts_at=start)


def test_check_in_at_the_kiosk_gives_a_priority_ticket(hall, client):
    slot = _slot(hall, start=dt.time(9, 30), end=dt.time(10, 30))
    a = services.book(
        actor=hall.admin,
        slot=slot,
        name="赵六",
        id_number=make_id_number(4),
        phone="13900004444",
        channel="phone",
    )
    r = client.post(_kiosk(hall), {"action": "check_in", "code": a.code})
    assert r.status_code == 302
    page = client.get(r.url).content.decode()
    assert "B001" in page and "预约" in page and "赵六" not in page
    r = client.post(_kiosk(hall), {"action": "check_in", "code": a.code})
    assert r.status_code == 409 and "已签到" in r.content.decode()
    r = client.post(
        _kiosk(hall), {"action": "check_in", "code": "000000" if a.code != "000000" else "111111"}
    )
    assert r.status_code == 404 and "没有找到该预约码" in r.content.decode()


def test_online_booking_confirmation_lookup_and_cancel(hall, client):
    slot = _slot(hall, day=dt.date(2026, 11, 24))
    url = reverse("hall_public:appointments", args=[hall.centre.code])
    page = client.get(url).content.decode()
    assert "市场监管" in page
    page = client.get(url, {"category": hall.market.pk}).content.decode()
    assert "09:00–10:00" in page and "余 2" in page
    page = client.get(url, {"category": hall.market.pk, "slot": slot.pk}).content.decode()
    assert "确认预约" in page
    r = client.post(
        url + f"?category={hall.market.pk}&slot={slot.pk}",
        {"name": "钱七", "id_number": make_id_number(5), "phone": "13900005555"},
    )
    assert r.status_code == 302
    a = Appointment.objects.get()
    page = client.get(r.url).content.decode()
    assert a.code in page and "预约成功" in page and make_id_number(5) not in page
    # the same person again the same day: Chinese refusal
    r = client.post(
        url + f"?category={hall.market.pk}&slot={slot.pk}",
        {"name": "钱七", "id_number": make_id_number(5), "phone": "13900005555"},
    )
    assert r.status_code == 409 and "无需重复预约" in r.content.decode()
    lookup = reverse("hall_public:lookup", args=[hall.centre.code])
    assert client.get(lookup, {"code": a.code, "phone_tail": "0000"}).status_code == 404
    page = client.get(lookup, {"code": a.code, "phone_tail": "5555"}).content.decode()
    assert "已预约" in page and "取消预约" in page
    r = client.post(lookup, {"code": a.code, "phone_tail": "5555", "action": "cancel"})
    assert "预约已取消" in r.content.decode()
    assert Appointment.objects.get().state == AppointmentState.CANCELLED
    for junk in ({"category": "x"}, {"category": "1", "slot": "\x00"}, {"slot": "99999999999"}):
        assert client.get(url, junk).status_code == 200
    assert client.get(lookup, {"code": "x" * 100, "phone_tail": "\x00"}).status_code == 400
    r = client.post(
        url + f"?category={hall.market.pk}&slot={slot.pk}",
        {"name": "x" * 500, "id_number": "1", "phone": "2"},
    )
    assert r.status_code == 400


def test_the_screens_show_codes_and_windows_only(hall, client):
    services.issue_ticket(
        actor=hall.admin,
        category=hall.market,
        name="孙八",
        id_number=make_id_number(8),
        phone="13900008888",
    )
    services.call_next(actor=hall.market_clerk, window=hall.market_window)
    page = client.get(reverse("hall_public:screen", args=[hall.centre.code])).content.decode()
    assert "B001" in page and "05 号窗口" in page and "开启语音" in page
    assert "孙八" not in page and "13900008888" not in page
    page = client.get(
        reverse("hall_public:window_screen", args=[hall.centre.code, "05"])
    ).content.decode()
    assert "市场监管专窗" in page and 'id="window-code">B001<' in page and "孙八" not in page
    assert (
        client.get(reverse("hall_public:window_screen", args=[hall.centre.code, "zz"])).status_code
        == 404
    )
