"""变更记录 in words staff read: no field codes, choice codes, ids or ISO timestamps."""

from __future__ import annotations

from django.urls import reverse

from govhall.catalog import services as catalog_services
from govhall.catalog.models import LifeEvent
from govhall.core import web
from govhall.core.selectors import history_for


def _rows(obj) -> list[tuple[str, str, str]]:
    rows = web.history_rows(history_for(obj=obj))
    return [(c.label, c.before, c.after) for entry in rows for c in entry.change_rows]


def test_an_items_history_names_fields_choices_departments_and_themes(county):
    item = county.market_item
    theme = LifeEvent.objects.create(code="kaiban", name="我要开饭店", audience="person")
    catalog_services.set_item_life_events(
        actor=county.root, item=item, life_events=[theme], reason="归入主题"
    )
    catalog_services.change_item_flags(
        actor=county.root, item=item, reason="系统升级", status="suspended"
    )
    rows = _rows(item)
    assert ("主题", "—", "我要开饭店") in rows
    assert ("状态", "在用", "暂停") in rows
    text = repr(rows)
    for raw in ("life_events", "'status'", "suspended", "'active'", "kaiban"):
        assert raw not in text
    created = [r for r in rows if r[0] == "实施部门"]
    assert not created or created[0][2] == county.market.name


def test_times_read_as_staff_write_them(county):
    from govhall.core.history import _time

    assert _time("2026-11-23") == "2026-11-23"
    assert _time("2026-11-23T01:00:00+00:00") == "2026-11-23 09:00"  # Asia/Shanghai
    assert _time("1500") is None


def test_the_items_page_shows_the_readable_history(client, county):
    item = county.market_item
    catalog_services.change_item_flags(
        actor=county.root, item=item, reason="系统升级", status="suspended"
    )
    client.force_login(county.root)
    html = client.get(reverse("catalog:detail", args=[item.implementation_code])).content.decode()
    start = html.index("变更记录")
    history = html[start : html.index("</table>", start)]
    assert "<code>status</code>" not in history and "suspended" not in history
    assert "暂停" in history and "系统升级" in history


def test_selects_start_with_a_chinese_prompt_not_dashes(county):
    from govhall.org.models import Staff

    form = web.plain_model_form("StaffForm", Staff, ["role", "department", "window"])()
    html = str(form)
    assert "---------" not in html
    assert html.count(">请选择</option>") >= 2


def test_the_calendar_names_its_source_in_words(client, county):
    client.force_login(county.root)
    html = client.get("/staff/calendar/2026/").content.decode()
    assert "国务院放假安排" in html and "chinesecalendar" not in html
