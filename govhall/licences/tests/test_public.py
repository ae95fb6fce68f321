"""Public pages of the licence registry (/licences/): 证照查询 and 审批结果公开 with its
Excel export — what the law publishes and nothing more."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from govhall.cases.tests.conftest import _authorise
from govhall.catalog.models import Item, NegativeListReason
from govhall.licences import excel, services
from govhall.licences.models import Licence
from govhall.licences.public_views import XLSX
from govhall.testing import factories
from govhall.testing.browser import browser_page  # noqa: F401

from .conftest import act, approve, submit

pytestmark = pytest.mark.django_db

QUERY = reverse("licences_public:query")
RESULTS = reverse("licences_public:results")
EXPORT = reverse("licences_public:results_export")
COMPANY = "测试县好味道餐饮有限公司"


def approve_company(env, *, number, serial=40, name=COMPANY, restricted=False):
    """A case of an organisation approved and certified; ``restricted`` puts the
    decision in the 副卷."""
    applicant = {
        "kind": "organisation",
        "name": name,
        "id_number": factories.make_uscc(serial),
        "phone": "13800009999",
    }
    case = submit(env, applicant=applicant)
    case = act(case, "accept", env.s.clerk.user)
    case = act(case, "review", env.s.market_approver.user, opinion="符合")
    case = act(
        case,
        "decide",
        env.s.market_approver.user,
        result="approved",
        opinion="同意",
        restricted=restricted,
    )
    return act(case, "certify", env.s.market_approver.user, result_number=number)


def _text(response) -> str:
    return response.content.decode()


# --------------------------------------------------------------------------- 证照查询


def test_the_query_shows_a_valid_licence_with_the_persons_name_masked(client, linked):
    case = approve(linked, number="JY15062600001", name="张三丰")
    licence = Licence.objects.get()
    response = client.get(QUERY, {"number": "JY15062600001"})
    assert response.status_code == 200
    page = _text(response)
    assert 'id="licence-status">有效<' in page and "text-bg-success" in page
    assert "张**" in page and "张三丰" not in page
    assert case.applicant_id_number not in page and case.applicant_phone not in page
    assert licence.identifier in page and linked.c.market.name in page
    assert f"{licence.valid_until:%Y}年" in page


def test_a_withdrawn_licence_is_clearly_not_in_force(client, linked):
    approve(linked)
    services.change_status(
        actor=linked.s.market_approver.user,
        licence=Licence.objects.get(),
        action="withdraw",
        reason="以欺骗手段取得许可",
    )
    page = _text(client.get(QUERY, {"number": "JY15062600001"}))
    assert 'id="licence-status">已撤销<' in page and "text-bg-danger" in page
    assert "不再有效" in page and ">有效<" not in page


def test_an_organisation_is_named_in_full(client, linked):
    approve_company(linked, number="JY-ORG-1")
    page = _text(client.get(QUERY, {"number": "JY-ORG-1"}))
    assert COMPANY in page and 'id="licence-status">有效<' in page


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("NOPE-1", "未查到"),
        ("", "请输入证照编号"),
        ("9" * 61, "不超过 60 个字符"),
        ("a\x00b", "不超过 60 个字符"),
    ],
)
def test_the_query_answers_clearly_when_nothing_is_found(client, linked, number, shown):
    response = client.get(QUERY, {"number": number})
    assert response.status_code == 200 and shown in _text(response)
    assert 'id="licence"' not in _text(response)


def test_the_query_page_without_a_number_is_just_the_form(client, db):
    response = client.get(QUERY)
    assert response.status_code == 200
    page = _text(response)
    assert 'name="number"' in page and 'maxlength="60"' in page and "未查到" not in page


def test_the_query_page_is_throttled_with_the_api(client, linked, settings):
    settings.GOVHALL_LICENCE_QUERY_RATE_PER_ADDRESS = "2/m"
    approve(linked)
    assert client.get(QUERY, {"number": "JY15062600001"}).status_code == 200
    assert client.get("/api/v1/licences/public/JY15062600001/").status_code == 200
    refused = client.get(QUERY, {"number": "JY15062600001"})
    assert refused.status_code == 429 and "查询过于频繁" in _text(refused)
    assert 'id="licence"' not in _text(refused)


# --------------------------------------------------------------------------- 审批结果公开


@pytest.fixture
def published(linked):
    """Four licences: a person's, an organisation's, a secret item's, a 副卷 decision."""
    env = linked
    approve(env, number="JY-PERSON-1", serial=11, name="李小龙")
    approve_company(env, number="JY-ORG-1", serial=41)
    approve_company(env, number="JY-SEALED-1", serial=42, name="副卷公司", restricted=True)
    secret = factories.publish_item(
        actor=env.c.root, department=env.c.market, basic_code="000111222077", name="涉密许可事项"
    )
    _authorise(env, secret)
    approve(env, number="JY-SECRET-1", serial=12, name="王五", item=secret)
    Item.objects.filter(pk=secret.pk).update(negative_list_category=NegativeListReason.SECRET)
    return env


def test_results_list_publishes_what_the_law_allows(client, published):
    response = client.get(RESULTS)
    assert response.status_code == 200
    page = _text(response)
    assert "JY-PERSON-1" in page and "JY-ORG-1" in page
    assert "李**" in page and "李小龙" not in page
    assert COMPANY in page
    # A secret item and a decision kept in the 副卷 are not published at all.
    assert "JY-SECRET-1" not in page and "涉密许可事项" not in page and "王*" not in page
    assert "JY-SEALED-1" not in page and "副卷公司" not in page
    assert "共 2 条" in page
    for case_number in Licence.objects.values_list("case__applicant_id_number", flat=True):
        assert case_number not in page


def test_results_are_searchable_by_text_department_and_date(client, published):
    env = published
    assert "JY-PERSON-1" not in _text(client.get(RESULTS, {"q": "好味道"}))
    assert "JY-ORG-1" in _text(client.get(RESULTS, {"q": "好味道"}))
    # A person's name is not searchable: searching it would reveal who holds what.
    assert "共 0 条" in _text(client.get(RESULTS, {"q": "李小龙"}))
    assert "共 2 条" in _text(client.get(RESULTS, {"department": env.c.market.pk}))
    assert "共 0 条" in _text(client.get(RESULTS, {"department": env.c.health.pk}))
    assert "共 2 条" in _text(client.get(RESULTS, {"since": "2026-11-23", "until": "2026-11-23"}))
    assert "共 0 条" in _text(client.get(RESULTS, {"since": "2026-11-24"}))
    swapped = _text(client.get(RESULTS, {"since": "2026-11-30", "until": "2026-11-01"}))
    assert "已交换" in swapped and "共 2 条" in swapped


@pytest.mark.parametrize(
    "query",
    [
        {"q": "x" * 5000},
        {"department": "abc"},
        {"department": "9" * 30},
        {"since": "2026-02-30"},
        {"until": "yesterday"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"q": "a\x00b"},
    ],
)
def test_results_filters_are_bounded(client, published, query):
    response = client.get(RESULTS, query)
    assert response.status_code == 200


def test_results_are_paginated(client, published, monkeypatch):
    from govhall.licences import public_views

    monkeypatch.setattr(public_views, "PAGE_SIZE", 1)
    first = _text(client.get(RESULTS))
    second = _text(client.get(RESULTS, {"page": 2}))
    assert "1/2" in first and "下一页" in first and "2/2" in second
    assert ("JY-ORG-1" in first) != ("JY-ORG-1" in second)


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook[excel.SHEET].iter_rows(values_only=True))
    meta = {r[0]: r[1] for r in workbook[excel.META_SHEET].iter_rows(values_only=True)}
    return rows, meta


def test_the_export_is_an_xlsx_of_the_filtered_rows(client, published):
    rows, meta = _sheet(client.get(EXPORT))
    header, *body = rows
    assert header[:4] == ("序号", "事项名称", "持证主体", "审批结果")
    assert sorted(r[5] for r in body) == ["JY-ORG-1", "JY-PERSON-1"]
    holders = {r[5]: r[2] for r in body}
    assert holders == {"JY-ORG-1": COMPANY, "JY-PERSON-1": "李**"}
    assert meta["条数"] == "2 条"

    rows, meta = _sheet(client.get(EXPORT, {"q": "好味道"}))
    assert [r[5] for r in rows[1:]] == ["JY-ORG-1"]
    assert "关键词：好味道" in meta["检索条件"]


def test_the_export_is_capped_and_says_so(client, published, monkeypatch):
    monkeypatch.setattr(excel, "EXPORT_MAX", 1)
    rows, meta = _sheet(client.get(EXPORT))
    assert len(rows) == 2  # the header and one row
    assert "共 2 条" in meta["条数"] and "最多导出 1 条" in meta["条数"]


def test_a_formula_in_a_name_is_exported_as_text(client, linked):
    approve_company(linked, number="JY-F-1", name='=HYPERLINK("http://x","y")')
    response = client.get(EXPORT)
    _sheet(response)
    workbook = load_workbook(io.BytesIO(response.content))
    cell = workbook[excel.SHEET]["C2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_the_portal_links_to_both_pages(client, db):
    home = _text(client.get("/"))
    assert 'href="/licences/results/"' in home and 'href="/licences/"' in home


# --------------------------------------------------------------------------- browser

SHOTS = Path("/tmp/shots_api")


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.browser
def test_both_pages_read_on_a_desktop_and_a_phone(browser_page, published):  # noqa: F811
    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/licences/")
        page.fill("#licence-number", "JY-PERSON-1")
        page.get_by_role("button", name="查询").click()
        assert page.locator("#licence-status").inner_text() == "有效"
        assert page.locator("#licence-holder").inner_text() == "李**"
        _fits(page, width)
        page.screenshot(path=str(SHOTS / f"query_{width}.png"), full_page=True)
        page.goto("/licences/?number=NOPE-1")
        assert "未查到" in page.locator("#not-found").inner_text()
        page.screenshot(path=str(SHOTS / f"query_not_found_{width}.png"), full_page=True)
        page.goto("/licences/results/")
        page.fill("#results-q", "好味道")
        page.get_by_role("button", name="检索").click()
        assert page.locator("#results tbody tr").count() == 1
        page.goto("/licences/results/")
        assert page.locator("#results tbody tr").count() == 2
        _fits(page, width)
        page.screenshot(path=str(SHOTS / f"results_{width}.png"), full_page=True)
        page.goto("/")
        page.get_by_role("link", name="审批结果公开").click()
        assert page.url.endswith("/licences/results/")
    services.change_status(
        actor=published.s.market_approver.user,
        licence=Licence.objects.get(number="JY-ORG-1"),
        action="withdraw",
        reason="以欺骗手段取得许可",
    )
    page.goto("/licences/?number=JY-ORG-1")
    assert page.locator("#licence-status").inner_text() == "已撤销"
    _fits(page, 390)
    page.screenshot(path=str(SHOTS / "query_withdrawn_390.png"), full_page=True)
