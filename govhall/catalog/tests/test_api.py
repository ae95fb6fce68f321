"""Public catalogue API: list with filters and two-character search, item detail,
published versions, and error codes."""

import datetime as dt

import pytest

from govhall.catalog import services
from govhall.catalog.models import ItemType, LifeEvent
from govhall.core.validators import make_implementation_code
from govhall.org.models import Department
from govhall.testing import factories


@pytest.fixture
def api(client):
    def get(url, **query):
        return client.get(f"/api/v1/{url}", query)

    return get


@pytest.fixture
def catalog(county):
    """The county plus 户口/社保/营业 items, one at township level, one suspended."""
    police = Department.objects.create(code=factories.make_uscc(3), name="测试县公安局")
    hrss = Department.objects.create(code=factories.make_uscc(4), name="测试县人力资源和社会保障局")
    root = county.root
    county.hukou = factories.publish_item(
        actor=root,
        department=police,
        basic_code="000333444001",
        name="户口迁移登记",
        type=ItemType.CONFIRMATION,
        accept_at_township=True,
    )
    county.shebao = factories.publish_item(
        actor=root,
        department=hrss,
        basic_code="000444555001",
        name="社会保障卡申领",
        type=ItemType.PUBLIC_SERVICE,
        keywords="社保卡 补卡",
    )
    county.yingye = factories.publish_item(
        actor=root,
        department=county.market,
        basic_code="000111222002",
        name="个体工商户营业执照核发",
    )
    birth = LifeEvent.objects.create(code="birth", name="生育收养", audience="person")
    county.hukou.life_events.add(birth)
    services.change_item_flags(
        actor=root, item=county.health_item, reason="场地改造", status="suspended"
    )
    county.police = police
    return county


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "q,expected",
    [
        ("户口", ["户口迁移登记"]),
        ("社保", ["社会保障卡申领"]),
        ("营业", ["个体工商户营业执照核发"]),
    ],
)
def test_two_character_search(catalog, api, q, expected):
    assert names(api("items/", q=q)) == expected


def test_filters(catalog, api):
    assert len(names(api("items/"))) == 5
    assert names(api("items/", department=catalog.police.pk)) == ["户口迁移登记"]
    assert names(api("items/", type="public_service")) == ["社会保障卡申领"]
    assert names(api("items/", level="township")) == ["户口迁移登记"]
    assert names(api("items/", life_event="birth")) == ["户口迁移登记"]
    assert "公共场所卫生许可" not in names(api("items/", accepting="true"))
    assert names(api("items/", accepting="false")) == ["公共场所卫生许可"]
    assert names(api("items/", q="食品", accepting="true")) == ["食品经营许可"]


def test_row_has_codes_labels_limits_and_version(catalog, api):
    row = api("items/", q="户口").json()["results"][0]
    assert row["implementation_code"] == catalog.hukou.implementation_code
    assert row["basic_code"] == "000333444001"
    assert row["type"] == {"value": "confirmation", "label": "行政确认"}
    assert row["department"]["name"] == "测试县公安局"
    assert row["case_type"]["label"] == "承诺件"
    assert (row["legal_limit_days"], row["promised_limit_days"]) == (20, 5)
    assert row["version"] == 1 and row["valid_from"] == "2026-11-23"
    assert row["flags"]["accepting"] is True
    assert [lv["value"] for lv in row["accept_levels"]] == ["county", "township"]


def test_paging(catalog, api):
    body = api("items/", limit=2, offset=4).json()
    assert body["count"] == 5 and len(body["results"]) == 1 and body["next"] is None
    bad = api("items/", limit="abc")
    assert bad.status_code == 400 and bad.json()["fields"].keys() == {"limit"}


@pytest.mark.parametrize(
    "query,param",
    [
        ({"type": "foo"}, "type"),
        ({"level": "bar"}, "level"),
        ({"accepting": "maybe"}, "accepting"),
        ({"department": "abc"}, "department"),
        ({"department": "999999"}, "department"),
        ({"life_event": "nope"}, "life_event"),
    ],
)
def test_invalid_filter_is_400_naming_the_parameter(catalog, api, query, param):
    response = api("items/", **query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert list(body["fields"]) == [param]
    assert param in body["message"]


def test_item_list_queries_do_not_grow_with_rows(county, api, django_assert_max_num_queries):
    for n in range(15):
        factories.publish_item(
            actor=county.root,
            department=county.market,
            basic_code=f"0009990000{n:02d}",
            name=f"事项{n}",
        )
    with django_assert_max_num_queries(2):
        assert len(names(api("items/"))) == 17


def test_detail_has_full_guide(county, api):
    item = factories.publish_item(
        actor=county.root,
        department=county.market,
        basic_code="000111222003",
        name="食品生产许可",
        procedure_pattern="special",
        special_steps=[
            {
                "kind": "site_inspection",
                "name": "现场核查",
                "basis": "《食品生产许可管理办法》第二十一条",
                "time_limit_days": 10,
            }
        ],
    )
    response = api(f"items/{item.implementation_code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["department"]["name"] == "测试县市场监督管理局"
    assert body["accepting"] is True
    guide = body["current_version"]
    assert guide["number"] == 1 and guide["is_current"] is True
    assert guide["legal_basis"] == "《中华人民共和国行政许可法》第二十九条"
    assert guide["procedure_pattern"] == {"value": "special", "label": "特别程序"}
    assert [m["name"] for m in guide["materials"]] == ["申请书", "营业执照"]
    assert guide["materials"][0]["originals"] == 1
    assert [s["name"] for s in guide["steps"]] == ["审查", "决定"]
    assert guide["steps"][0]["review_standard"] == "材料齐全、符合法定形式"
    special = guide["special_steps"][0]
    assert special["kind"]["label"] == "现场踏勘" and special["counted_in_limit"] is False
    assert [lv["value"] for lv in guide["accept_levels"]] == ["county"]
    assert guide["valid_from"] == "2026-11-23"
    assert "search_text" not in guide and "edit_token" not in guide


def _revise(county, item, **guide):
    actor = county.staff.market_chief.user
    draft = services.start_draft(actor=actor, item=item)
    services.save_draft(actor=actor, version=draft, guide=guide)
    return draft


def test_versions_after_new_publish(county, api):
    item = county.market_item
    code = item.implementation_code
    draft = _revise(county, item, promised_limit_days=3)
    services.publish(actor=county.root, version=draft, change_note="承诺时限压缩为3日")

    detail = api(f"items/{code}/").json()
    assert detail["current_version"]["number"] == 2
    assert detail["current_version"]["promised_limit_days"] == 3
    assert [v["number"] for v in detail["versions"]] == [2, 1]

    versions = api(f"items/{code}/versions/").json()
    assert [(v["number"], v["is_current"]) for v in versions] == [(2, True), (1, False)]
    assert versions[0]["change_note"] == "承诺时限压缩为3日"
    assert versions[1]["valid_to"] == "2026-11-23"

    old = api(f"items/{code}/versions/1/").json()
    assert old["promised_limit_days"] == 5 and old["is_current"] is False
    assert [m["name"] for m in old["materials"]] == ["申请书", "营业执照"]
    missing = api(f"items/{code}/versions/3/")
    assert missing.status_code == 404 and missing.json()["code"] == "version_not_found"


def test_drafts_are_never_public(county, api):
    item = county.market_item
    _revise(county, item, name="食品经营许可（草稿）")
    detail = api(f"items/{item.implementation_code}/").json()
    assert detail["current_version"]["name"] == "食品经营许可"
    assert [v["number"] for v in detail["versions"]] == [1]
    assert "草稿" not in api("items/", q="食品").content.decode()

    unpublished = services.create_item(
        actor=county.root,
        department=county.market,
        basic_code="000111222009",
        implementation_code=make_implementation_code(
            uscc=county.market.code, basic_code="000111222009"
        ),
        type=ItemType.LICENSING,
        name="尚未发布的事项",
    )
    response = api(f"items/{unpublished.implementation_code}/")
    assert response.status_code == 404 and response.json()["code"] == "item_not_found"


def test_future_version_is_listed_but_not_current(county, api):
    item = county.market_item
    draft = _revise(county, item, name="食品经营许可（新）")
    services.publish(
        actor=county.root, version=draft, valid_from=dt.date(2026, 12, 1), change_note="修订"
    )
    detail = api(f"items/{item.implementation_code}/").json()
    assert detail["current_version"]["name"] == "食品经营许可"
    assert [(v["number"], v["is_current"]) for v in detail["versions"]] == [(2, False), (1, True)]


def test_unknown_item_is_404_item_not_found(county, api):
    for url in ("items/NOPE/", "items/NOPE/versions/", "items/NOPE/versions/1/"):
        response = api(url)
        assert response.status_code == 404
        body = response.json()
        assert body["code"] == "item_not_found" and "NOPE" in body["message"]


def test_lower_case_code_finds_the_item(county, api):
    code = county.market_item.implementation_code
    assert api(f"items/{code.lower()}/").json()["implementation_code"] == code
