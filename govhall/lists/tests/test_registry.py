"""Each list computed from the catalogue: the rows a citizen would read, nothing of a
cancelled item, and a fixed number of queries however long the list."""

from __future__ import annotations

import pytest

from govhall.lists import registry, selectors

from .conftest import publish

pytestmark = pytest.mark.django_db


def _rows(key):
    return selectors.current_rows(key=key)


def _codes(key):
    return [r["code"] for r in _rows(key)]


def test_every_list_has_its_rows(county):
    licence, filing, secret = county.licence, county.filing, county.secret
    assert {r["code"] for r in _rows("catalogue")} == {
        licence.implementation_code,
        filing.implementation_code,
        secret.implementation_code,
    }
    (negative,) = _rows("negative")
    assert negative["code"] == secret.implementation_code
    assert negative["category"] == "涉密"
    assert negative["reason"] == "涉及国家秘密，不宜进驻"
    assert negative["department"] == "测试县卫生健康委员会"
    assert _codes("two_priority") == [licence.implementation_code]
    (filed,) = _rows("filing")
    assert filed["code"] == filing.implementation_code and filed["filing_kind"] == "事后告知类"
    (fee,) = _rows("fees")
    assert (fee["fee"], fee["standard"], fee["amount"], fee["basis"]) == (
        "工本费",
        "每证10元",
        "10.00",
        "收费文件",
    )
    assert _codes("intermediary") == [licence.implementation_code]
    assert _codes("certification") == [filing.implementation_code]
    (tolerated,) = _rows("tolerance")
    assert tolerated["material"] == "场所证明"  # 申请书 may not be tolerated
    (step,) = _rows("special_steps")
    assert (step["step"], step["basis"], step["step_limit"], step["counted"]) == (
        "现场核查",
        "《行政许可法》第三十四条",
        3,
        "不计入",
    )
    assert (step["legal_limit"], step["promised_limit"]) == (20, 5)
    assert _codes("one_visit") == [licence.implementation_code]
    (bundle,) = _rows("bundles")
    assert bundle["code"] == "open-clinic" and bundle["items"] == "食品经营许可、诊所备案"
    (power,) = _rows("powers")
    assert power["kind"] == "行政许可" and power["item"] == licence.implementation_code
    (matter,) = _rows("supervision")
    assert matter["department"] == "测试县卫生健康委员会"
    assert matter["items"] == licence.implementation_code


def test_a_cancelled_item_is_on_no_list(county):
    code = county.cancelled.implementation_code
    for spec in registry.SPECS:
        assert code not in {r.get("code") for r in spec.rows()}, spec.key


def test_the_rows_cost_the_same_queries_however_many_items(county, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts():
        result = {}
        for spec in registry.SPECS:
            with CaptureQueriesContext(connection) as ctx:
                spec.rows()
            result[spec.key] = len(ctx.captured_queries)
        return result

    before = counts()
    assert max(before.values()) <= 3
    for n in range(3):
        publish(
            county.org,
            department=county.org.market,
            basic_code=f"00011122201{n}",
            name=f"第{n}个许可",
            at_most_one_visit=True,
            allows_tolerance=True,
            materials=[{"name": "证明", "tolerance_allowed": True, "copies": 1}],
        )
    assert counts() == before
    assert len(_rows("tolerance")) == 4


def test_every_spec_is_complete():
    assert len(registry.SPECS) == 13
    for spec in registry.SPECS:
        assert spec.name and spec.source and spec.columns
        assert len({c.header for c in spec.columns}) == len(spec.columns)
    with pytest.raises(Exception) as exc:
        registry.get("nope")
    assert exc.value.code == "list_not_found"
