"""Demo searches (检索记录) for the staff page: what a county's visitors typed this week,
through the finder itself — found and opened, found and not opened, nothing found, and
one the centre has already answered with a keyword in an item's draft."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from govhall.catalog.models import Item
from govhall.core import clock

from . import selectors, services
from .models import Search

# (query, channel, open the first hit?) — the unfound ones are what the page is for
SEARCHES = [
    ("想开一家奶茶店", "portal", True),
    ("我家小孩出生证明找不到了", "portal", True),
    ("老人过世了户口怎么办", "portal", True),
    ("公司要搬到别的地方", "desk", True),
    ("sbk", "kiosk", True),
    ("营业执招", "portal", False),
    ("低保", "desk", True),
    ("孩子上学有补助吗", "portal", False),
    ("房本", "portal", False),
    ("房本", "kiosk", False),
    ("房本", "portal", False),
    ("新农合", "portal", False),
    ("新农合", "desk", False),
    ("奶茶", "portal", False),
    ("今天天气怎么样", "kiosk", False),
    ("身份证号150626199001011234的办件", "portal", False),
]
HANDLED = ("房本", "国有建设用地使用权及房屋所有权转移登记")


def load_demo_searches() -> dict[str, int]:
    if Search.objects.exists():
        return {}
    admin = get_user_model().objects.get(username="admin")
    now = clock.now()
    made = []
    for n, (query, channel, opened) in enumerate(SEARCHES):
        with clock.frozen(now - dt.timedelta(days=len(SEARCHES) - n, hours=n % 5)):
            finding = selectors.find(q=query, channel=channel)
            if opened and finding.hits:
                services.record_opened(search_id=finding.search_id, item=finding.hits[0].item)
        made.append(finding.search_id)
    query, name = HANDLED
    search = Search.objects.filter(text=query).order_by("pk").first()
    item = Item.objects.filter(versions__name=name).distinct().first()
    if search is not None and item is not None:
        services.add_keyword(actor=admin, search=search, item=item, keyword=query)
    return {"searches": len(made)}
