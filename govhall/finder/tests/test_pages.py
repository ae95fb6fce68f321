"""检索记录 (/staff/finder/): the log as the centre administrator and the supervision
office read it — filters, the most frequent searches that found nothing, the opened
rate, the Excel export — and 补充关键词, which puts a word into an item's draft."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from govhall.catalog.models import VersionStatus
from govhall.core import clock
from govhall.finder import services
from govhall.finder.models import Search
from govhall.testing import factories


@pytest.fixture
def log(db):
    """The test hall (食品经营许可) and a log: 奶茶 three times with no result, one
    kiosk search that found nothing, two that found the item (one opened)."""
    org = factories.build_hall()
    item = org.market_item
    now = clock.now()

    def add(text, channel="portal", *, days=0, found=False, opened=False):
        return Search.objects.create(
            text=text,
            channel=channel,
            created_at=now - dt.timedelta(days=days),
            found=found,
            hits=[item.implementation_code] if found else [],
            top_score=2.4 if found else None,
            opened_item=item if opened else None,
            opened_at=now if opened else None,
        )

    rows = {
        "milk_tea": [add("奶茶", days=d) for d in (0, 1, 10)],
        "kiosk": add("护照", "kiosk", days=2),
        "found": add("食品经营", "desk", found=True),
        "opened": add("食品经营许可", found=True, opened=True, days=1),
    }
    return org, item, rows


def _login(client, org, who):
    client.force_login(getattr(org.staff, who).user)


def test_the_administrator_reads_the_log_the_summary_and_the_rate(client, log):
    org, item, rows = log
    _login(client, org, "admin")
    response = client.get(reverse("finder:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "检索记录" in html and response.context["page"].paginator.count == 6
    summary = response.context["summary"]
    assert [(r["text"], r["count"]) for r in summary] == [("奶茶", 3), ("护照", 1)]
    assert "3 次" in html
    rates = response.context["rates"]
    assert (rates["total"], rates["found"], rates["opened"], rates["nothing"]) == (6, 2, 1, 4)
    assert rates["opened_rate"] == 50.0
    assert "50.0%" in html
    assert "食品经营许可 " in html or "食品经营许可<" in html  # the first hit by name
    assert 'action="/staff/finder/' in html and "补充关键词" in html
    # the staff nav offers the page
    assert 'href="/staff/finder/"' in client.get("/staff/").content.decode()


def test_filters_nothing_only_channel_and_dates(client, log):
    org, item, rows = log
    _login(client, org, "admin")

    def listed(**params):
        page = client.get(reverse("finder:list"), params).context["page"]
        return sorted(s.pk for s in page)

    assert listed(nothing="1") == sorted([s.pk for s in rows["milk_tea"]] + [rows["kiosk"].pk])
    assert listed(channel="kiosk") == [rows["kiosk"].pk]
    assert listed(channel="desk") == [rows["found"].pk]
    today = clock.today()
    start = (today - dt.timedelta(days=2)).isoformat()
    end = (today - dt.timedelta(days=1)).isoformat()
    assert listed(start=start, end=end) == sorted(
        [rows["milk_tea"][1].pk, rows["kiosk"].pk, rows["opened"].pk]
    )
    # the summary follows the channel and the dates
    response = client.get(reverse("finder:list"), {"start": today.isoformat()})
    assert [(r["text"], r["count"]) for r in response.context["summary"]] == [("奶茶", 1)]
    # junk is left out, a bad date said so; never a 500
    response = client.get(reverse("finder:list"), {"channel": "x", "start": "2026-13-40"})
    assert response.status_code == 200 and response.context["page"].paginator.count == 6
    assert "起始日期" in response.content.decode()
    # the export link carries the filters
    response = client.get(reverse("finder:list"), {"nothing": "1", "channel": "portal"})
    assert 'href="/staff/finder/export/?nothing=1&amp;channel=portal"' in (
        response.content.decode()
    )


def test_the_export_opens_with_openpyxl_and_holds_the_filtered_rows(client, log):
    from openpyxl import load_workbook

    org, item, rows = log
    _login(client, org, "supervisor")
    response = client.get(reverse("finder:export"), {"nothing": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["检索记录", "无结果检索汇总", "说明"]
    ws = wb["检索记录"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["检索时间", "渠道", "检索内容", "有结果"]
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert sorted(r[2] for r in data) == ["奶茶", "奶茶", "奶茶", "护照"]
    assert {r[1] for r in data} == {"政务服务网", "取号机"} and {r[3] for r in data} == {"否"}
    summary = [[c.value for c in row] for row in wb["无结果检索汇总"].iter_rows(min_row=2)]
    assert summary[0][:2] == ["奶茶", 3]
    everything = load_workbook(io.BytesIO(client.get(reverse("finder:export")).content))
    opened = [
        [c.value for c in row]
        for row in everything["检索记录"].iter_rows(min_row=2)
        if row[2].value == "食品经营许可"
    ]
    assert opened[0][3] == "是" and opened[0][6] == item.implementation_code


def test_adding_a_keyword_puts_it_into_the_draft_and_says_to_publish(client, log):
    org, item, rows = log
    search = rows["milk_tea"][0]
    _login(client, org, "admin")
    url = reverse("finder:add_keyword", args=[search.pk])
    response = client.post(
        url, {"item": item.implementation_code, "keyword": "奶茶", "next": "/staff/finder/"}
    )
    assert response.status_code == 302 and response["Location"] == "/staff/finder/"
    draft = item.versions.get(status=VersionStatus.DRAFT)
    assert "奶茶" in draft.keywords.split()
    published = item.versions.get(status=VersionStatus.PUBLISHED)
    assert "奶茶" not in published.keywords.split()  # only after the normal 发布
    search.refresh_from_db()
    assert search.keyword_added == "奶茶" and search.handled_by == org.staff.admin.user
    html = client.get(response["Location"]).content.decode()
    assert "已把关键词“奶茶”加入“食品经营许可”的草稿" in html
    assert "审核发布" in html
    assert f'href="{reverse("catalog:detail", args=[item.implementation_code])}"' in html
    assert "已补充“奶茶”" in html

    # by the item's name, into the same draft
    other = rows["kiosk"]
    client.post(
        reverse("finder:add_keyword", args=[other.pk]),
        {"item": "食品经营许可", "keyword": "小吃店"},
    )
    draft.refresh_from_db()
    assert {"奶茶", "小吃店"} <= set(draft.keywords.split())


@pytest.mark.parametrize(
    ("item_value", "keyword", "message"),
    [
        ("", "奶茶", "请填写事项的实施编码或名称"),
        ("没有这个事项", "奶茶", "没有实施编码或名称为“没有这个事项”的现行事项"),
        (None, "奶 茶", "关键词中不能有空格"),
    ],
)
def test_a_refused_keyword_shows_the_chinese_message_and_changes_nothing(
    client, log, item_value, keyword, message
):
    org, item, rows = log
    search = rows["milk_tea"][0]
    _login(client, org, "admin")
    value = item.implementation_code if item_value is None else item_value
    response = client.post(
        reverse("finder:add_keyword", args=[search.pk]),
        {"item": value, "keyword": keyword},
        follow=True,
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not item.versions.filter(status=VersionStatus.DRAFT).exists()
    search.refresh_from_db()
    assert search.keyword_added == ""


def test_department_staff_are_refused_and_supervision_only_reads(client, log):
    org, item, rows = log
    search = rows["milk_tea"][0]
    keyword = reverse("finder:add_keyword", args=[search.pk])
    for who in ("market_chief", "clerk"):
        _login(client, org, who)
        response = client.get(reverse("finder:list"))
        assert response.status_code == 403
        assert "只有中心管理员和电子监察人员可以查看检索记录" in response.content.decode()
        assert client.get(reverse("finder:export")).status_code == 403
        posted = client.post(keyword, {"item": item.implementation_code, "keyword": "奶茶"})
        assert posted.status_code == 403
        assert 'href="/staff/finder/"' not in client.get("/staff/").content.decode()
    assert not item.versions.filter(status=VersionStatus.DRAFT).exists()

    _login(client, org, "supervisor")
    html = client.get(reverse("finder:list")).content.decode()
    assert "奶茶" in html and "加入事项草稿" not in html  # reads, changes nothing
    response = client.post(
        keyword, {"item": item.implementation_code, "keyword": "奶茶"}, follow=True
    )
    assert "补充关键词未完成" in response.content.decode()
    assert not item.versions.filter(status=VersionStatus.DRAFT).exists()

    client.logout()
    assert client.get(reverse("finder:list")).status_code == 302  # to the login page
    assert client.post(keyword, {"item": "x", "keyword": "y"}).status_code == 302
    assert services.get_search(pk=search.pk).keyword_added == ""
