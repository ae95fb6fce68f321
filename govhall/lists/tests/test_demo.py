"""The demo's lists (issue 13 "Done when": every list published, a negative list with
history): 权责清单 and 监管事项清单 entries, all thirteen lists published, the 负面清单
with a second publication showing its changes, all written by named people; loading
again publishes nothing new."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from govhall.demo.tests.test_load_demo import demo, output  # noqa: F401
from govhall.lists import registry, selectors
from govhall.lists.models import ListPublication, PowerEntry, SupervisionMatter

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("output")
def test_every_list_is_published_and_the_negative_list_has_history(client):
    assert set(ListPublication.objects.values_list("key", flat=True)) == set(registry.KEYS)
    assert all(p.row_count for p in ListPublication.objects.all())
    first, second = ListPublication.objects.filter(key="negative").order_by("sequence")[:2]
    assert first.published_on < second.published_on
    assert second.added == 1 and second.changed >= 1
    assert second.changes["added"][0]["category"] == "主动服务"
    assert PowerEntry.objects.filter(is_active=True).count() >= 80
    assert PowerEntry.objects.filter(is_active=False).count() == 1
    assert SupervisionMatter.objects.count() >= 40
    licence = SupervisionMatter.objects.filter(items__isnull=False).first().items.first()
    assert selectors.supervising_departments(item=licence).exists()
    assert not ListPublication.objects.filter(actor_name="").exists()
    html = client.get("/lists/negative/").content.decode()
    assert "较上次公布的变化：新增 1 项" in html
    count = ListPublication.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert ListPublication.objects.count() == count
