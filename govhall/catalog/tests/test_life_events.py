"""主题 (life events): added by the centre administrator, attached to items by the
item's department, every change audited like the rest of the catalogue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govhall.catalog import selectors, services
from govhall.catalog.models import LifeEvent
from govhall.core.errors import Conflict, PermissionDenied
from govhall.core.models import AuditEntry
from govhall.core.selectors import history_for


def test_centre_admin_adds_a_life_event_with_an_audit_row(county):
    admin = county.staff.admin.user
    event = services.create_life_event(
        actor=admin, code="kaiban", name="开办企业", audience="company", order=1, reason="门户"
    )
    entry = history_for(obj=event).get()
    assert (
        entry.action == "catalog.life_event.create"
        and entry.actor == admin
        and entry.reason == "门户"
    )
    assert entry.changes["name"] == [None, "开办企业"]
    with pytest.raises(Conflict) as exc:
        services.create_life_event(actor=admin, code="kaiban", name="又一个", audience="company")
    assert exc.value.code == "duplicate_life_event"
    with pytest.raises(PermissionDenied):
        services.create_life_event(
            actor=county.staff.market_chief.user, code="x", name="某主题", audience="person"
        )
    assert LifeEvent.objects.count() == 1


def test_item_life_events_are_set_by_its_department_and_audited(client, county):
    admin = county.staff.admin.user
    start = services.create_life_event(
        actor=admin, code="start", name="开办企业", audience="company"
    )
    food = services.create_life_event(actor=admin, code="food", name="食品药品", audience="company")
    item, chief = county.market_item, county.staff.market_chief.user

    services.set_item_life_events(actor=chief, item=item, life_events=[start, food], reason="归类")
    assert set(item.life_events.values_list("code", flat=True)) == {"start", "food"}
    entry = history_for(obj=item).get(action="catalog.item.set_life_events")
    assert entry.changes == {"life_events": [[], ["food", "start"]]}
    assert selectors.search_items(life_event="food").get().item == item

    services.set_item_life_events(actor=chief, item=item, life_events=[food, start])
    assert (
        history_for(obj=item).filter(action="catalog.item.set_life_events").count() == 1
    )  # no change

    with pytest.raises(PermissionDenied):
        services.set_item_life_events(
            actor=county.staff.health_chief.user, item=item, life_events=[]
        )
    assert item.life_events.count() == 2

    # The item's history names the change in Chinese, not by its code.
    assert client.login(username="market_chief", password="govhall-test")
    page = client.get(reverse("catalog:detail", args=[item.implementation_code])).content
    assert "调整主题" in page.decode()
    assert AuditEntry.objects.filter(action="catalog.item.set_life_events").count() == 1
