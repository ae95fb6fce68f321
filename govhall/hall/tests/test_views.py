"""The hall's staff pages: the window console (叫号 → 重呼 → 过号 only after N calls,
办理业务 opens the desk, a clerk cannot work another window), the floor manager's page
(潮汐切换, 绿色通道, 过号重排), the settings, the appointments and the statistics."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse

from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.hall import services
from govhall.hall.models import AppointmentChannel, Priority, Slot, Ticket, TicketState, TidalSwitch
from govhall.testing.factories import make_id_number

WINDOW = reverse("hall:window")
ACT = reverse("hall:window_act")
FLOOR = reverse("hall:floor")
FLOOR_ACT = reverse("hall:floor_act")


def _issue(hall, category=None, **kw):
    return services.issue_ticket(actor=Applicant("x"), category=category or hall.market, **kw)


def test_window_console_calls_recalls_and_refuses_no_show_until_called_enough(hall, client):
    _issue(hall, name="王小明", id_number=make_id_number(7), phone="13900007777")
    client.force_login(hall.market_clerk)
    page = client.get(WINDOW).content.decode()
    assert "05号窗口" in page and 'id="call-next"' in page

    r = client.post(ACT, {"action": "call", "window": hall.market_window.pk}, follow=True)
    page = r.content.decode()
    assert "已叫号：B001" in page
    assert "王小明" in page and make_id_number(7) not in page  # masked ID
    assert "叫满 3 次仍未到方可过号" in page
    t = Ticket.objects.get()
    assert f"?ticket={t.pk}" in page  # 办理业务 opens the desk for this person

    r = client.post(ACT, {"action": "no_show", "window": hall.market_window.pk, "ticket": t.pk})
    page = client.get(r.url).content.decode()
    assert "叫满 3 次仍未到方可过号" in page
    assert Ticket.objects.get().state == TicketState.CALLED

    for _ in range(2):
        t.refresh_from_db()
        client.post(
            ACT,
            {
                "action": "recall",
                "window": hall.market_window.pk,
                "ticket": t.pk,
                "version": t.version,
            },
        )
    t.refresh_from_db()
    assert t.calls == 3
    client.post(ACT, {"action": "no_show", "window": hall.market_window.pk, "ticket": t.pk})
    assert Ticket.objects.get().state == TicketState.NO_SHOW


def test_stale_version_is_refused_with_a_message(hall, client):
    _issue(hall)
    client.force_login(hall.market_clerk)
    client.post(ACT, {"action": "call", "window": hall.market_window.pk})
    t = Ticket.objects.get()
    r = client.post(
        ACT,
        {
            "action": "start",
            "window": hall.market_window.pk,
            "ticket": t.pk,
            "version": t.version - 1,
        },
        follow=True,
    )
    assert "页面已过期" in r.content.decode()
    assert Ticket.objects.get().state == TicketState.CALLED


def test_start_finish_and_transfer(hall, client):
    _issue(hall)
    _issue(hall)
    client.force_login(hall.market_clerk)
    w = hall.market_window.pk
    client.post(ACT, {"action": "call", "window": w})
    t = Ticket.objects.get(code="B001")
    client.post(ACT, {"action": "start", "window": w, "ticket": t.pk})
    client.post(ACT, {"action": "finish", "window": w, "ticket": t.pk})
    assert Ticket.objects.get(code="B001").state == TicketState.DONE
    client.post(ACT, {"action": "call", "window": w})
    t2 = Ticket.objects.get(code="B002")
    r = client.post(
        ACT,
        {
            "action": "transfer",
            "window": w,
            "ticket": t2.pk,
            "to_window": hall.comprehensive.pk,
            "reason": "需综合受理",
        },
        follow=True,
    )
    assert f"B002 号已转至{hall.comprehensive.number}号窗口" in r.content.decode()
    t2.refresh_from_db()
    assert t2.state == TicketState.WAITING and t2.target_window == hall.comprehensive
    page = client.get(WINDOW).content.decode()
    assert "B001" in page  # today's served list


def test_a_clerk_cannot_operate_another_window(hall, client):
    _issue(hall, category=hall.general)
    client.force_login(hall.market_clerk)
    r = client.get(WINDOW + f"?window={hall.comprehensive.pk}")
    assert r.status_code == 403 and "不能操作" in r.content.decode()
    r = client.post(ACT, {"action": "call", "window": hall.comprehensive.pk})
    assert r.status_code == 403
    assert not Ticket.objects.filter(state=TicketState.CALLED).exists()
    # junk input never 5xx
    for junk in ("x", "99999999999999", "-1", "\x00"):
        assert client.get(WINDOW, {"window": junk}).status_code in (200, 403, 404)
        assert client.post(
            ACT, {"action": "recall", "window": junk, "ticket": junk, "version": junk}
        ).status_code in (302, 403, 404)


def test_the_floor_manager_picks_any_window(hall, client):
    client.force_login(hall.admin)
    page = client.get(WINDOW + f"?window={hall.market_window.pk}").content.decode()
    assert "05号窗口" in page


def test_floor_page_switches_a_tidal_window_and_ends_it(hall, client):
    for _ in range(10):
        _issue(hall, category=hall.health)
    client.force_login(hall.admin)
    page = client.get(FLOOR).content.decode()
    assert "潮汐窗口建议" in page and "卫生健康" in page and "一键切换" in page
    r = client.post(
        FLOOR_ACT,
        {
            "action": "switch",
            "window": hall.tidal.pk,
            "category": hall.health.pk,
            "reason": "卫健排队长",
        },
        follow=True,
    )
    assert "15号窗口今天改办「卫生健康」" in r.content.decode()
    assert TidalSwitch.objects.filter(window=hall.tidal, ended_at__isnull=True).exists()
    r = client.post(
        FLOOR_ACT,
        {"action": "switch", "window": hall.tidal.pk, "category": hall.health.pk, "reason": ""},
        follow=True,
    )
    assert "切换理由" in r.content.decode()
    client.post(FLOOR_ACT, {"action": "end_switch", "window": hall.tidal.pk})
    assert not TidalSwitch.objects.filter(ended_at__isnull=True).exists()


def test_floor_issues_green_channel_and_requeues(hall, client):
    client.force_login(hall.admin)
    r = client.post(
        FLOOR_ACT,
        {"action": "issue", "category": hall.general.pk, "priority": "disabled"},
        follow=True,
    )
    assert "已发放残疾人号 A001" in r.content.decode()
    t = Ticket.objects.get()
    assert t.priority == Priority.DISABLED
    # the staff may print the ticket
    assert (
        client.get(reverse("hall_public:ticket", args=[hall.centre.code, t.pk])).status_code == 200
    )
    services.call_next(actor=hall.admin, window=hall.comprehensive)
    for _ in range(2):
        services.recall(actor=hall.admin, ticket=t)
    services.mark_no_show(actor=hall.admin, ticket=t)
    r = client.post(FLOOR_ACT, {"action": "requeue", "code": "a001"}, follow=True)
    assert "A001 号已重新排队" in r.content.decode()
    assert Ticket.objects.get().state == TicketState.WAITING
    r = client.post(FLOOR_ACT, {"action": "requeue", "code": "Z999"}, follow=True)
    assert "今天没有该排队号" in r.content.decode()


def test_floor_and_settings_are_for_the_floor_manager(hall, client):
    client.force_login(hall.market_clerk)
    assert client.get(FLOOR).status_code == 403
    assert client.get(reverse("hall:settings")).status_code == 403
    assert (
        client.post(FLOOR_ACT, {"action": "end_switch", "window": hall.tidal.pk}).status_code == 403
    )


def test_settings_save_category_and_window_categories(hall, client):
    client.force_login(hall.admin)
    url = reverse("hall:settings")
    r = client.post(
        url,
        {
            "action": "category",
            "prefix": "d",
            "name": "不动产",
            "kind": "general",
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    r = client.post(url, {"action": "category", "prefix": "A", "name": "重复", "kind": "general"})
    assert r.status_code == 400 and "号码字头 A 已被使用" in r.content.decode()
    client.post(
        url,
        {
            "action": "window",
            "window": hall.market_window.pk,
            "categories": [hall.market.pk, hall.health.pk],
        },
    )
    assert set(hall.market_window.hall_setting.categories.values_list("prefix", flat=True)) == {
        "B",
        "C",
    }


def test_staff_appointments_page_opens_slots_and_books_by_phone(hall, client):
    client.force_login(hall.admin)
    url = reverse("hall:appointments")
    r = client.post(
        url + "?day=2026-11-24",
        {
            "action": "open",
            "category": hall.market.pk,
            "start": "2026-11-24",
            "end": "2026-11-30",
            "times": "09:00-10:00, 10:00-11:00",
            "capacity": "3",
        },
    )
    assert r.status_code == 302
    assert Slot.objects.count() == 10  # 5 working days × 2
    slot = Slot.objects.filter(day=dt.date(2026, 11, 24)).first()
    r = client.post(
        url + "?day=2026-11-24",
        {
            "action": "phone",
            "slot": slot.pk,
            "name": "李四",
            "id_number": make_id_number(3),
            "phone": "13900001111",
        },
        follow=True,
    )
    page = r.content.decode()
    assert "电话预约成功" in page and "李四" in page and "电话预约" in page
    assert slot.appointments.get().channel == AppointmentChannel.PHONE
    r = client.post(
        url,
        {
            "action": "open",
            "category": hall.market.pk,
            "start": "2026-11-24",
            "end": "2026-11-30",
            "times": "zz",
            "capacity": "3",
        },
    )
    assert r.status_code == 400 and "格式不正确" in r.content.decode()
    r = client.post(
        url,
        {
            "action": "extra",
            "category": hall.market.pk,
            "kind": "weekend",
            "day": "2026-11-24",
            "starts_at": "09:00",
            "ends_at": "11:00",
            "capacity": "5",
        },
    )
    assert r.status_code == 400 and "休息日" in r.content.decode()
    assert client.get(url, {"day": "junk"}).status_code == 200


def test_statistics_page_and_export(hall, client):
    t = _issue(hall)
    clock.advance(minutes=12)
    services.call_next(actor=hall.market_clerk, window=hall.market_window)
    services.start(actor=hall.market_clerk, ticket=t)
    clock.advance(minutes=5)
    services.finish(actor=hall.market_clerk, ticket=t)
    client.force_login(hall.market_clerk)
    assert client.get(reverse("hall:statistics")).status_code == 403
    client.force_login(hall.admin)
    page = client.get(reverse("hall:statistics")).content.decode()
    assert (
        "B 市场监管" in page and "12.0" in page and "5.0" in page and "chart-category-data" in page
    )
    r = client.get(reverse("hall:statistics_export"), {"start": "2026-11-01", "end": "junk"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(r.content))
    assert wb["按业务类别"]["A2"].value == "B 市场监管" and wb["按业务类别"]["F2"].value == 12.0
    assert (
        client.get(
            reverse("hall:statistics"), {"start": "1900-01-01", "end": "9999-12-31"}
        ).status_code
        == 200
    )


def test_home_panel_shows_todays_queue(hall, client):
    _issue(hall)
    client.force_login(hall.market_clerk)
    page = client.get(reverse("core:home")).content.decode()
    assert "今日排队" in page and "已取号" in page


def test_a_category_is_saved_with_its_department_and_items(client, hall):
    from govhall.hall.models import Category

    client.force_login(hall.admin)
    url = reverse("hall:settings")
    r = client.post(
        url,
        {
            "action": "category",
            "prefix": "M",
            "name": "食品许可",
            "kind": "item",
            "department": hall.org.market.pk,
            "items": [hall.org.market_item.pk],
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    made = Category.objects.get(prefix="M")
    assert made.department == hall.org.market
    assert list(made.items.all()) == [hall.org.market_item]
    page = client.get(f"{url}?edit={made.pk}").content.decode()
    assert "食品经营许可" in page
