"""权责清单 and 监管事项清单 entries: checked field by field, kept by the centre or the
department's chief representative, audited, and read back by issue 14's selector."""

from __future__ import annotations

import pytest

from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.lists import selectors, services
from govhall.lists.models import PowerEntry, SupervisionMatter

pytestmark = pytest.mark.django_db

POWER = dict(
    code="QL-100",
    name="公共场所卫生许可",
    kind="licensing",
    basis="《公共场所卫生管理条例》",
    responsibilities="受理、审查、决定",
)


def test_every_fault_of_an_entry_is_reported_at_once(county):
    with pytest.raises(ValidationFailed) as exc:
        services.save_power(
            actor=county.admin,
            code="坏 编码",
            name="",
            kind="执法",
            department=None,
            basis="x" * 2001,
            responsibilities="",
            item="NOSUCHITEM",
        )
    assert exc.value.code == "invalid_entry"
    assert set(exc.value.fields) == {
        "code",
        "name",
        "kind",
        "department",
        "basis",
        "responsibilities",
        "item",
    }
    assert not PowerEntry.objects.filter(code="坏 编码").exists()


def test_a_chief_keeps_the_entries_of_his_department_only(county):
    chief = county.org.staff.health_chief.user
    saved = services.save_power(actor=chief, department=county.org.health, **POWER)
    assert saved.created and saved.entry.code == "QL-100"
    with pytest.raises(PermissionDenied):
        services.save_power(
            actor=chief, department=county.org.market, **{**POWER, "code": "QL-101"}
        )
    with pytest.raises(PermissionDenied):  # the market's entry, though he names his own
        services.save_power(
            actor=chief, department=county.org.health, **{**POWER, "code": county.power.code}
        )
    with pytest.raises(PermissionDenied):
        services.retire(actor=chief, entry=county.power, reason="不需要")
    for staff in (county.org.staff.market_approver, county.org.staff.clerk):
        with pytest.raises(PermissionDenied):
            services.save_power(
                actor=staff.user, department=county.org.market, **{**POWER, "code": "QL-102"}
            )


def test_saving_the_same_values_changes_nothing_and_a_change_is_audited(county):
    audits = AuditEntry.objects.filter(object_type="lists.powerentry")
    first = audits.count()
    saved = services.save_power(
        actor=county.admin,
        code="ql-001",  # codes are upper case
        name="食品经营许可",
        kind="行政许可",
        department=county.org.market,
        item=county.licence.implementation_code.lower(),
        basis="《食品安全法》第三十五条",
        responsibilities="受理、审查、决定、送达",
        accountability="违法许可的追责",
    )
    assert not saved.changed and audits.count() == first
    saved = services.save_power(
        actor=county.admin,
        code="QL-001",
        name="食品经营许可（含仅销售预包装食品备案）",
        kind="licensing",
        department=county.org.market,
        basis="《食品安全法》第三十五条",
        responsibilities="受理、审查、决定、送达",
    )
    assert saved.changed and not saved.created
    entry = audits.filter(action="lists.power.update").get()
    assert set(entry.changes) == {"name", "item", "accountability"}
    assert entry.changes["item"] == [county.licence.pk, None]


def test_a_retired_entry_leaves_the_list_and_saving_it_again_restores_it(county):
    services.retire(actor=county.admin, entry=county.power, reason="法规废止")
    assert selectors.current_rows(key="powers") == []
    with pytest.raises(Conflict):
        services.retire(actor=county.admin, entry=county.power, reason="再次")
    with pytest.raises(ValidationFailed):
        services.retire(actor=county.admin, entry=county.matter, reason=" ")
    county.power.refresh_from_db()
    services.save_power(
        actor=county.admin,
        code=county.power.code,
        name=county.power.name,
        kind=county.power.kind,
        department=county.power.department,
        item=county.licence.implementation_code,
        basis=county.power.basis,
        responsibilities=county.power.responsibilities,
        accountability=county.power.accountability,
    )
    assert len(selectors.current_rows(key="powers")) == 1


def test_supervising_departments_of_an_item(county, django_assert_num_queries):
    licence = county.licence
    with django_assert_num_queries(1):
        assert list(selectors.supervising_departments(item=licence)) == [county.org.health]
    services.save_supervision(
        actor=county.admin,
        code="JG-002",
        name="食品经营场所检查",
        department=county.org.market,
        items=f"{licence.implementation_code}、{county.filing.implementation_code}",
        target="食品经营者",
        basis="《食品安全法》",
        method="日常检查",
    )
    assert set(selectors.supervising_departments(item=licence)) == {
        county.org.health,
        county.org.market,
    }
    assert list(selectors.supervising_departments(item=county.filing)) == [county.org.market]
    services.retire(actor=county.admin, entry=county.matter, reason="并入JG-002")
    assert list(selectors.supervising_departments(item=licence)) == [county.org.market]
    assert not selectors.supervising_departments(item=county.secret).exists()


def test_a_matter_names_real_items_and_not_too_many(county):
    fields = dict(
        code="JG-003",
        name="检查",
        department=county.org.health,
        target="对象",
        basis="依据",
        method="方式",
    )
    with pytest.raises(ValidationFailed) as exc:
        services.save_supervision(actor=county.admin, items="NOPE1 NOPE2", **fields)
    assert exc.value.fields["items"] == ["没有实施编码为 NOPE1、NOPE2 的事项"]
    with pytest.raises(ValidationFailed) as exc:
        services.save_supervision(actor=county.admin, items=[f"X{n}" for n in range(51)], **fields)
    assert "至多" in exc.value.fields["items"][0]
    assert not SupervisionMatter.objects.filter(code="JG-003").exists()
