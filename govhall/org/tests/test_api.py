"""Public organisation API: centres, departments, windows (no staff data)."""

import datetime as dt

import pytest

from govhall.org.models import Centre, Level, Stationing, Window


@pytest.fixture
def api(client):
    def get(url, **query):
        return client.get(f"/api/v1/{url}", query)

    return get


def test_centres_filter_by_level_and_parent(org, api):
    codes = [c["code"] for c in api("centres/").json()["results"]]
    assert codes == ["150626", "150626101", "150626101001"]

    rows = api("centres/", level="township").json()["results"]
    assert [r["code"] for r in rows] == ["150626101"]
    assert rows[0]["level"] == {"value": "township", "label": "乡镇级"}
    assert rows[0]["parent"]["code"] == "150626"

    assert [r["code"] for r in api("centres/", parent="150626101").json()["results"]] == [
        "150626101001"
    ]


@pytest.mark.parametrize(
    "query,param", [({"level": "bar"}, "level"), ({"parent": "999999"}, "parent")]
)
def test_centre_filters_reject_bad_values(org, api, query, param):
    response = api("centres/", **query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert param in body["fields"] and param in body["message"]


def test_centre_detail_lists_children_and_stationed_departments(org, api):
    body = api("centres/150626/").json()
    assert body["name"] == "测试县政务服务中心"
    assert [c["code"] for c in body["children"]] == ["150626101"]
    assert {d["name"] for d in body["departments"]} == {
        "测试县市场监督管理局",
        "测试县卫生健康委员会",
    }
    assert body["departments"][0]["since"] == "2024-01-01"
    assert body["window_count"] == 1


def test_unknown_centre_is_404_with_code(org, api):
    response = api("centres/000000/")
    assert response.status_code == 404
    assert response.json()["code"] == "centre_not_found"


def test_departments_filter_by_role_and_centre(org, api):
    def names(**query):
        return [d["name"] for d in api("departments/", **query).json()["results"]]

    assert names(role="approval") == ["测试县市场监督管理局"]
    assert names(role="supervising") == ["测试县卫生健康委员会"]
    assert len(names(centre="150626")) == 2
    assert names(centre="150626101") == []
    bad = api("departments/", role="boss")
    assert bad.status_code == 400 and bad.json()["fields"].keys() == {"role"}


def test_department_detail_shows_centres_and_windows_but_no_staff(org, api):
    Window.objects.create(
        centre=org.county,
        number="05",
        name="市场专窗",
        type="department",
        department=org.market,
    )
    response = api(f"departments/{org.market.pk}/")
    body = response.json()
    assert body["roles"] == ["approval", "competent"]
    assert [c["code"] for c in body["centres"]] == ["150626"]
    assert [w["number"] for w in body["windows"]] == ["05"]
    text = response.content.decode()
    assert "市场首代" not in text and "staff" not in body
    assert api("departments/999999/").json()["code"] == "department_not_found"


def test_windows_filter_by_type_centre_and_department(org, api):
    Window.objects.create(
        centre=org.county,
        number="05",
        name="市场专窗",
        type="department",
        department=org.market,
    )
    assert [w["number"] for w in api("windows/").json()["results"]] == ["01", "05"]
    rows = api("windows/", type="department").json()["results"]
    assert [w["name"] for w in rows] == ["市场专窗"]
    assert rows[0]["department"]["name"] == "测试县市场监督管理局"
    assert api("windows/", department=org.health.pk).json()["count"] == 0
    assert api("windows/", centre="150626101").json()["count"] == 0
    assert api("windows/", type="foo").json()["code"] == "invalid_filter"
    assert api("windows/", department="abc").json()["fields"].keys() == {"department"}


def test_org_lists_do_not_grow_queries_with_rows(org, api, django_assert_max_num_queries):
    for n in range(20):
        centre = Centre.objects.create(
            code=f"150626{200 + n}", name=f"第{n}镇", level=Level.TOWNSHIP, parent=org.county
        )
        Stationing.objects.create(centre=centre, department=org.market, since=dt.date(2025, 1, 1))
        Window.objects.create(centre=centre, number="01", name="综合", type="comprehensive")
    for url in ("centres/", "departments/", "windows/"):
        with django_assert_max_num_queries(3):
            assert api(url).status_code == 200
