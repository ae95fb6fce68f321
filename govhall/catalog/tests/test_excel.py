"""Excel export/import of the catalogue (issue 2 §3): lossless, all-or-nothing, upsert."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from govhall.catalog import excel, selectors, services
from govhall.catalog.models import Item, ItemVersion, LifeEvent, Material, SpecialStep, Step
from govhall.catalog.validation import version_as_dicts
from govhall.core import clock
from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.org.models import Staff
from govhall.testing import factories


def _export(versions=None) -> bytes:
    buf = io.BytesIO()
    excel.export_workbook(stream=buf, versions=versions)
    return buf.getvalue()


def _cells(data: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def _edit(data: bytes, edits) -> bytes:
    """Apply ``edits(workbook, col)`` where ``col(sheet, header)`` is a column number."""
    wb = load_workbook(io.BytesIO(data))

    def col(sheet, header):
        return [c.value for c in wb[sheet][1]].index(header) + 1

    edits(wb, col)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row_of(wb, sheet, code):
    for row in wb[sheet].iter_rows(min_row=2):
        if row[0].value == code:
            return row[0].row
    raise AssertionError(code)


def _counts():
    return (Item.objects.count(), ItemVersion.objects.count(), Material.objects.count())


@pytest.fixture
def rich(county):
    """The county plus an item with 特殊环节, 容缺, 主题 and negative-list flags."""
    event = LifeEvent.objects.create(code="kaiban", name="开办企业", audience="company")
    item = factories.publish_item(
        actor=county.root,
        department=county.market,
        basic_code="000111222002",
        name="特种设备使用登记",
        procedure_pattern="special",
        allows_tolerance=True,
        cross_region="province",
        accept_at_township=True,
        keywords="特种设备 锅炉",
        materials=[
            {"name": "使用登记表", "originals": 2, "copies": 0, "form": "paper"},
            {"name": "产品合格证", "tolerance_allowed": True, "notes": "复印件加盖公章"},
        ],
        special_steps=[
            {
                "kind": "site_inspection",
                "name": "现场核查",
                "basis": "《特种设备安全法》第三十三条",
                "time_limit_days": 2,
                "counted_in_limit": True,
            }
        ],
    )
    item.life_events.add(event)
    Item.objects.filter(pk=county.health_item.pk).update(
        is_stationed=False, on_negative_list=True, negative_list_reason="涉密事项"
    )
    return county


def test_round_trip_into_empty_database_is_lossless(rich):
    first = _export()
    cells = _cells(first)
    assert list(cells) == ["事项", "申请材料", "办理环节", "特殊环节"]
    header = cells["事项"][0]
    row = dict(zip(header, cells["事项"][1], strict=True))
    assert row["事项类型"] == "行政许可" and row["进驻中心"] == "是" and row["最多跑一次"] == "否"
    assert len(cells["申请材料"]) == 1 + 2 + 2 + 2 and len(cells["特殊环节"]) == 2

    Material.objects.all().delete()
    Step.objects.all().delete()
    SpecialStep.objects.all().delete()
    ItemVersion.objects.all().delete()
    Item.objects.all().delete()

    report = excel.import_workbook(actor=rich.root, stream=io.BytesIO(first))
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert _cells(_export()) == cells
    item = selectors.get_item(code=row["实施编码"])
    assert selectors.current_version(item=item).number == 1
    assert AuditEntry.objects.filter(action="catalog.item.import_create").count() == 3


def test_faulty_rows_are_all_reported_and_nothing_is_imported(county):
    data = _export()
    market_code = county.market_item.implementation_code
    health_code = county.health_item.implementation_code
    unknown = factories.make_uscc(99)
    where = {}

    def edits(wb, col):
        items, materials = wb["事项"], wb["申请材料"]
        market, health = _row_of(wb, "事项", market_code), _row_of(wb, "事项", health_code)
        items.cell(market, col("事项", "基本编码")).value = "12345"
        items.cell(health, col("事项", "承诺时限（工作日）")).value = 30  # 法定 20
        new = items.max_row + 1
        for c in range(1, items.max_column + 1):
            items.cell(new, c).value = items.cell(health, c).value
        items.cell(new, col("事项", "实施编码")).value = f"{unknown}00022233300101"[:32]
        items.cell(new, col("事项", "实施部门统一社会信用代码")).value = unknown
        items.cell(new, col("事项", "承诺时限（工作日）")).value = 5
        materials.cell(3, col("申请材料", "材料名称")).value = "其他材料"
        orphan = materials.max_row + 1
        materials.cell(orphan, 1).value = "X" * 32
        materials.cell(orphan, col("申请材料", "材料名称")).value = "身份证"
        where.update(market=market, health=health, new=new, orphan=orphan)

    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        excel.import_workbook(actor=county.root, stream=io.BytesIO(_edit(data, edits)))
    assert exc.value.code == "import_failed"
    found = {(f.sheet, f.row, f.column): f.message for f in exc.value.rows}
    assert "12位数字" in found[("事项", where["market"], "基本编码")]
    assert "不得超过法定时限" in found[("事项", where["health"], "承诺时限（工作日）")]
    assert "不存在" in found[("事项", where["new"], "实施部门统一社会信用代码")]
    assert "其他材料" in found[("申请材料", 3, "材料名称")]
    assert "事项表中没有实施编码" in found[("申请材料", where["orphan"], "实施编码")]
    assert exc.value.fields  # the same faults, for API clients
    assert _counts() == before


def test_reimport_updates_by_code_without_duplicates_or_versions(county):
    data = _export()
    before = _counts()
    report = excel.import_workbook(actor=county.root, stream=io.BytesIO(data))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert report.new_versions == 0 and _counts() == before
    assert not AuditEntry.objects.filter(action__startswith="catalog.item.import").exists()


def test_changed_row_publishes_version_2_and_keeps_version_1(county):
    code = county.market_item.implementation_code

    def edits(wb, col):
        row = _row_of(wb, "事项", code)
        wb["事项"].cell(row, col("事项", "承诺时限（工作日）")).value = 3
        wb["事项"].cell(row, col("事项", "状态")).value = "暂停"

    own = selectors.current_versions().filter(item__department=county.market)
    data = _edit(_export(own), edits)
    # a department's import would publish and suspend: that is an adjustment request
    with pytest.raises(PermissionDenied) as exc:
        excel.import_workbook(actor=county.staff.market_chief.user, stream=io.BytesIO(data))
    assert exc.value.code == "adjustment_request_required"
    report = excel.import_workbook(actor=county.staff.admin.user, stream=io.BytesIO(data))
    assert (report.created, report.updated, report.unchanged, report.new_versions) == (0, 1, 0, 1)
    item = selectors.get_item(code=code)
    assert item.status == "suspended"
    current = selectors.current_version(item=item)
    assert current.number == 2 and current.promised_limit_days == 3
    assert [m.name for m in current.materials.all()] == ["申请书", "营业执照"]
    old = selectors.get_version(item=item, number=1)
    assert old.promised_limit_days == 5 and old.valid_to == clock.today()
    entry = AuditEntry.objects.get(action="catalog.item.import_update")
    assert entry.changes["version"] == [1, 2] and entry.changes["status"] == ["active", "suspended"]


def test_department_staff_cannot_import_another_departments_items(county):
    with pytest.raises(ValidationFailed) as exc:
        excel.import_workbook(actor=county.staff.market_chief.user, stream=io.BytesIO(_export()))
    messages = [str(f) for f in exc.value.rows]
    # rows are in 实施编码 order: the market item on row 2, the health item on row 3
    assert messages == [
        "事项 第3行 「实施部门统一社会信用代码」: 您无权维护“测试县卫生健康委员会”的事项"
    ]
    assert not AuditEntry.objects.filter(action__startswith="catalog.item.import").exists()


def test_commands_export_and_import_end_to_end(county, tmp_path):
    path = tmp_path / "目录.xlsx"
    out = io.StringIO()
    call_command("export_catalog", str(path), stdout=out)
    assert "已导出 2 个事项" in out.getvalue()

    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalog", str(path), stdout=out, stderr=err)
    assert "新增 0，更新 0，未变 2" in out.getvalue()

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        _edit(
            path.read_bytes(),
            lambda wb, col: setattr(wb["事项"].cell(2, col("事项", "事项类型")), "value", "罚款"),
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command(
            "import_catalog", str(bad), "--user", "admin", stdout=io.StringIO(), stderr=err
        )
    assert "事项 第2行 「事项类型」: “罚款”不是有效取值" in err.getvalue()


def _import_row(item, **flags) -> services.ItemImport:
    """``item`` as an import row with its current guide, and ``flags`` changed."""
    guide, materials, steps, specials = version_as_dicts(selectors.current_version(item=item))
    values = {f: getattr(item, f) for f in services.ITEM_IMPORT_FIELDS}
    return services.ItemImport(
        implementation_code=item.implementation_code,
        basic_code=item.basic_code,
        department=item.department,
        life_event_ids=frozenset(),
        guide=guide,
        materials=materials,
        steps=steps,
        special_steps=specials,
        **{**values, **flags},
    )


def test_import_refuses_negative_list_without_reason_and_imports_nothing(county):
    """The staff page's rule holds for every caller of ``import_items``: no item goes on
    the 负面清单 without a 不进驻理由, and one refused row keeps the others out too."""
    market, health = county.market_item, county.health_item
    rows = [
        _import_row(market, on_negative_list=True, is_stationed=False, negative_list_reason=" "),
        _import_row(health, status="suspended"),
    ]
    audit_rows = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.import_items(actor=county.root, rows=rows)
    assert "列入负面清单必须说明不进驻理由" in exc.value.message
    assert "未导入任何数据" in exc.value.message
    assert exc.value.fields == {
        market.implementation_code: ["列入负面清单必须说明不进驻理由（如涉密、场地限制）"]
    }
    market.refresh_from_db()
    health.refresh_from_db()
    assert not market.on_negative_list and market.is_stationed
    assert health.status == "active"
    assert AuditEntry.objects.count() == audit_rows


def test_import_refuses_a_stationed_item_on_the_negative_list(county):
    row = _import_row(county.market_item, on_negative_list=True, negative_list_reason="涉密")
    with pytest.raises(ValidationFailed) as exc:
        services.import_items(actor=county.root, rows=[row])
    assert exc.value.fields == {
        county.market_item.implementation_code: ["列入负面清单的事项不能进驻中心"]
    }
    assert not Item.objects.filter(on_negative_list=True).exists()


def test_workbook_negative_list_faults_are_placed_on_their_cells(county):
    code = county.market_item.implementation_code

    def edits(wb, col):
        row = _row_of(wb, "事项", code)
        wb["事项"].cell(row, col("事项", "负面清单")).value = "是"
        where["row"] = row

    where = {}
    data = _edit(_export(), edits)
    with pytest.raises(ValidationFailed) as exc:
        excel.import_workbook(actor=county.root, stream=io.BytesIO(data))
    found = {(f.sheet, f.row, f.column): f.message for f in exc.value.rows}
    assert found == {
        ("事项", where["row"], "进驻中心"): "列入负面清单的事项不能进驻中心",
        ("事项", where["row"], "不进驻理由"): "列入负面清单必须说明不进驻理由（如涉密、场地限制）",
    }
    assert not Item.objects.filter(on_negative_list=True).exists()


def test_workbook_filing_kind_faults_are_placed_on_their_cells(county):
    """The 备案类别 rule holds for the Excel import as for publishing: a 行政备案 item
    names its kind, and no other item has one."""
    code = county.market_item.implementation_code

    def edits(wb, col):
        where["row"] = _row_of(wb, "事项", code)
        wb["事项"].cell(where["row"], col("事项", "备案类别")).value = "事后告知类"

    where = {}
    data = _edit(_export(), edits)
    with pytest.raises(ValidationFailed) as exc:
        excel.import_workbook(actor=county.root, stream=io.BytesIO(data))
    found = {(f.sheet, f.row, f.column): f.message for f in exc.value.rows}
    assert found == {("事项", where["row"], "备案类别"): "备案类别：只有行政备案事项才填写备案类别"}
    county.market_item.refresh_from_db()
    assert county.market_item.versions.filter(filing_kind="notify").count() == 0


def test_cancelled_item_with_a_changed_guide_is_refused_on_its_row(county):
    code = county.market_item.implementation_code
    services.change_item_flags(
        actor=county.root, item=county.market_item, reason="撤销", status="cancelled"
    )

    def edits(wb, col):
        where["row"] = _row_of(wb, "事项", code)
        wb["事项"].cell(where["row"], col("事项", "承诺时限（工作日）")).value = 3

    where = {}
    data = _edit(_export(), edits)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        excel.import_workbook(actor=county.root, stream=io.BytesIO(data))
    assert exc.value.code == "import_failed"
    assert [str(f) for f in exc.value.rows] == [
        f"事项 第{where['row']}行 「实施编码」: 已取消的事项不能发布新版本（办事指南与现行版本不同）"
    ]
    assert _counts() == before


def test_import_after_a_scheduled_version_closes_and_numbers_as_publish_does(county):
    """v2 is published to take effect on 12-01; an import may not start v3 before that
    day, and a v3 from 12-05 closes v2 on 12-05."""
    item, chief = county.market_item, county.staff.market_chief.user
    admin = county.staff.admin.user
    draft = services.start_draft(actor=chief, item=item)
    services.save_draft(actor=chief, version=draft, guide={"promised_limit_days": 4})
    services.publish(
        actor=admin, version=draft, valid_from=dt.date(2026, 12, 1), change_note="修订"
    )
    own = selectors.current_versions().filter(item__department=county.market)

    def changed(valid_from):
        def edits(wb, col):
            row = _row_of(wb, "事项", item.implementation_code)
            wb["事项"].cell(row, col("事项", "承诺时限（工作日）")).value = 3
            wb["事项"].cell(row, col("事项", "生效日期")).value = valid_from

        return io.BytesIO(_edit(_export(own), edits))

    with pytest.raises(ValidationFailed) as exc:
        excel.import_workbook(actor=admin, stream=changed(None))
    assert [f.message for f in exc.value.rows] == [
        "生效日期不能早于现行版本的生效日期（2026-12-01）"
    ]

    report = excel.import_workbook(actor=admin, stream=changed(dt.date(2026, 12, 5)))
    assert report.new_versions == 1
    v2, v3 = (selectors.get_version(item=item, number=n) for n in (2, 3))
    assert v2.valid_to == dt.date(2026, 12, 5) == v3.valid_from and v3.valid_to is None
    assert selectors.get_version(item=item, number=1).valid_to == dt.date(2026, 12, 1)
    assert selectors.current_version(item=item, on=dt.date(2026, 12, 5)).promised_limit_days == 3


def test_import_command_runs_as_the_superuser_else_an_administrator_on_duty(county, tmp_path):
    from govhall.catalog.management.commands.import_catalog import default_actor

    assert default_actor() == county.root
    county.root.is_active = False
    county.root.save()
    assert default_actor() == county.staff.admin.user
    Staff.objects.filter(pk=county.staff.admin.pk).update(is_active=False)
    assert default_actor() is None
    path = tmp_path / "目录.xlsx"
    path.write_bytes(_export())
    with pytest.raises(CommandError, match="没有超级用户或中心管理员"):
        call_command("import_catalog", str(path), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("content", [b"", b"not a workbook", b"PK\x03\x04broken zip"])
def test_a_file_that_is_no_workbook_is_refused_with_a_clear_message(county, content):
    with pytest.raises(ValidationFailed) as exc:
        excel.import_workbook(actor=county.root, stream=io.BytesIO(content))
    assert exc.value.code == "import_unreadable"
    assert "Excel" in exc.value.message
