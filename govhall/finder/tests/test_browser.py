"""The finder in a real browser: a citizen says in their own words what they need on
the portal's home page, sees the guide that answers it first with why it matched,
opens it, and the search log records which guide was opened."""

from __future__ import annotations

import pytest

from govhall.catalog.models import ItemType, LifeEvent
from govhall.finder import index, services
from govhall.finder.models import Search
from govhall.testing import factories
from govhall.testing.browser import browser_page  # noqa: F401

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def births(county):
    """The test county's catalogue, two birth guides among it, and their vectors."""
    root = county.root
    birth = LifeEvent.objects.create(code="birth", name="生育收养", audience="person", order=1)
    certificate = factories.publish_item(
        actor=root,
        department=county.health,
        basic_code="000222333101",
        name="出生医学证明补发",
        type=ItemType.PUBLIC_SERVICE,
        keywords="出生证明 出生证 补办出生证",
        result_name="出生医学证明",
        conditions="出生医学证明遗失的，可申请补发。",
        materials=[{"name": "父母双方身份证", "originals": 1, "copies": 1}],
    )
    registration = factories.publish_item(
        actor=root,
        department=county.market,
        basic_code="000111222101",
        name="出生登记",
        type=ItemType.PUBLIC_SERVICE,
        keywords="上户口 报户口 新生儿落户",
        result_name="居民户口簿",
        materials=[{"name": "出生医学证明", "originals": 1, "copies": 0}],
    )
    certificate.life_events.add(birth)
    registration.life_events.add(birth)
    services.index_missing()
    index.clear()
    return county, certificate


@pytest.mark.browser
def test_a_citizen_says_what_they_need_and_opens_the_guide(browser_page, births):  # noqa: F811
    county, certificate = births
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/")
    box = page.locator("#home-q")
    assert box.get_attribute("placeholder") == "说说您要办什么，如：想开一家奶茶店"
    assert box.get_attribute("maxlength") == "100"
    box.fill("我家小孩出生证明找不到了")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/items/?q=*")

    first = page.locator("article.result-item").first
    assert first.locator("h2 a").inner_text() == "出生医学证明补发"
    assert "为什么匹配：俗称/关键词：出生证明" in first.inner_text()
    assert "生育收养" in page.inner_text("#life-events")
    page.screenshot(path="/tmp/finder_portal_results_1366.png", full_page=True)

    search = Search.objects.get()
    assert search.channel == "portal" and search.text == "我家小孩出生证明找不到了"
    assert search.found and search.hits[0] == certificate.implementation_code
    first.locator("h2 a").click()
    page.wait_for_url(f"**/items/{certificate.implementation_code}/?fq={search.pk}")
    assert page.inner_text("#guide-title") == "出生医学证明补发"
    search.refresh_from_db()
    assert search.opened_item == certificate and search.opened_at is not None

    # nothing found: said plainly, with the phones, on a phone screen
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.fill("#home-q", "我想换一本护照去旅游")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/items/?q=*")
    answer = page.inner_text("#nothing-found")
    assert "没有找到与“我想换一本护照去旅游”相符的事项" in answer and "12345" in answer
    assert page.locator("article.result-item").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a 390px screen"
    page.screenshot(path="/tmp/finder_portal_nothing_390.png", full_page=True)
