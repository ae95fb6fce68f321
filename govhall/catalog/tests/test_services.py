"""Publishing, versioning and list flags of the catalogue."""

import datetime as dt

import pytest

from govhall.catalog import selectors, services
from govhall.catalog.models import ItemVersion, VersionStatus
from govhall.core import clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.selectors import history_for


def _user(county, key):
    return getattr(county.staff, key).user


def _admin(county):
    """The centre administrator publishes (applying an approved adjustment request,
    govhall.governance); department staff edit drafts."""
    return _user(county, "admin")


def test_department_staff_do_not_publish_or_change_status_directly(county):
    """R-CAT-15/16: a 首席代表 is pointed to 调整申请; the 两优 flag stays theirs."""
    chief = _user(county, "market_chief")
    draft = services.start_draft(actor=chief, item=county.market_item)
    with pytest.raises(PermissionDenied) as exc:
        services.publish(actor=chief, version=draft, change_note="修订")
    assert exc.value.code == "adjustment_request_required" and "调整申请" in exc.value.message
    for flags in ({"status": "suspended"}, {"on_negative_list": True,
                  "negative_list_reason": "涉密"}, {"is_stationed": False}):  # fmt: skip
        with pytest.raises(PermissionDenied) as exc:
            services.change_item_flags(actor=chief, item=county.market_item, reason="试", **flags)
        assert exc.value.code == "adjustment_request_required"
    with pytest.raises(PermissionDenied):
        services.transfer_item(
            actor=chief, item=county.market_item, department=county.health, reason="试"
        )
    item = services.change_item_flags(
        actor=chief, item=county.market_item, reason="列入两优", on_two_priority_list=True
    )
    assert item.on_two_priority_list and item.status == "active"
    draft.refresh_from_db()
    assert draft.is_draft


def test_publish_makes_version_current_and_keeps_old_one_readable(county):
    item = county.market_item
    actor = _user(county, "market_chief")
    v1 = selectors.current_version(item=item)
    assert v1.number == 1 and v1.promised_limit_days == 5

    draft = services.start_draft(actor=actor, item=item)
    assert [m.name for m in draft.materials.all()] == ["申请书", "营业执照"]
    services.save_draft(
        actor=actor, version=draft, guide={"promised_limit_days": 3}, reason="压缩时限"
    )
    services.publish(actor=_admin(county), version=draft, change_note="承诺时限由5日压缩为3日")

    current = selectors.current_version(item=item)
    assert current.number == 2 and current.promised_limit_days == 3
    old = selectors.get_version(item=item, number=1)
    assert old.promised_limit_days == 5 and old.valid_to == clock.today()
    assert [m.name for m in old.materials.all()] == ["申请书", "营业执照"]
    actions = list(history_for(obj=item).values_list("action", flat=True))
    assert "catalog.version.publish" in actions and "catalog.version.save_draft" in actions


def test_future_valid_from_becomes_current_on_that_day(county):
    item = county.market_item
    actor = _user(county, "market_chief")
    draft = services.start_draft(actor=actor, item=item)
    services.save_draft(actor=actor, version=draft, guide={"name": "食品经营许可（新）"})
    services.publish(
        actor=_admin(county), version=draft, valid_from=dt.date(2026, 12, 1), change_note="修订"
    )
    assert selectors.current_version(item=item).number == 1
    assert selectors.current_version(item=item, on=dt.date(2026, 12, 1)).number == 2


def test_published_version_cannot_be_edited(county):
    version = selectors.current_version(item=county.market_item)
    with pytest.raises(Conflict) as exc:
        services.save_draft(actor=county.root, version=version, guide={"name": "改名"})
    assert exc.value.code == "version_immutable"
    assert ItemVersion.objects.get(pk=version.pk).name == "食品经营许可"


def test_publish_reports_every_failure_by_field(county):
    actor = _user(county, "market_chief")
    draft = services.start_draft(actor=actor, item=county.market_item)
    services.save_draft(
        actor=actor,
        version=draft,
        guide={"promised_limit_days": 30, "conditions": "提交其他材料", "result_name": ""},
        materials=[{"name": "身份证"}, {"name": "相关材料"}],
    )
    with pytest.raises(ValidationFailed) as exc:
        services.publish(actor=_admin(county), version=draft, change_note="修订")
    fields = exc.value.fields
    assert "不得超过法定时限（20个工作日）" in fields["promised_limit_days"][0]
    assert "其他材料" in fields["conditions"][0]
    assert fields["result_name"] == ["结果名称：必须填写"]
    assert "相关材料" in fields["materials.1.name"][0]
    assert ItemVersion.objects.get(pk=draft.pk).status == "draft"


def test_department_cannot_edit_another_departments_item(county):
    with pytest.raises(PermissionDenied):
        services.start_draft(actor=_user(county, "health_chief"), item=county.market_item)
    with pytest.raises(PermissionDenied):
        services.change_item_flags(
            actor=_user(county, "clerk"), item=county.market_item, reason="x", status="suspended"
        )


def test_stale_draft_edit_is_refused(county):
    actor = _user(county, "market_chief")
    draft = services.start_draft(actor=actor, item=county.market_item)
    token = draft.edit_token
    services.save_draft(actor=actor, version=draft, guide={"visits": 0}, edit_token=token)
    with pytest.raises(Conflict) as exc:
        services.save_draft(actor=actor, version=draft, guide={"visits": 2}, edit_token=token)
    assert exc.value.code == "stale_edit"


def test_negative_list_needs_reason_and_unstations(county):
    actor = _admin(county)
    with pytest.raises(ValidationFailed):
        services.change_item_flags(
            actor=actor, item=county.market_item, reason="涉密", on_negative_list=True
        )
    item = services.change_item_flags(
        actor=actor,
        item=county.market_item,
        reason="涉密",
        on_negative_list=True,
        negative_list_reason="涉及国家秘密",
    )
    assert item.on_negative_list and not item.is_stationed and not item.accepting


def test_two_character_search(county):
    names = [v.name for v in selectors.search_items(q="经营")]
    assert names == ["食品经营许可"]
    assert [v.name for v in selectors.search_items(q="卫生")] == ["公共场所卫生许可"]
    assert list(selectors.search_items(q="户口")) == []


def test_a_version_is_not_published_without_a_revision_note(county):
    actor = _user(county, "market_chief")
    draft = services.start_draft(actor=actor, item=county.market_item)
    for note in ("", "   "):
        with pytest.raises(ValidationFailed) as exc:
            services.publish(actor=_admin(county), version=draft, change_note=note)
        assert exc.value.fields["change_note"] == ["修订说明：必须填写（本版改了什么、为什么）"]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_promise_shorter_than_its_own_steps_is_refused(county):
    """承诺 4 working days while 审查 2 + 决定 1 + 现场核查 3 (counted) = 6: refused; the
    same special step not counted in the limit leaves 3 ≤ 4 and publishes."""
    actor = _user(county, "market_chief")
    draft = services.start_draft(actor=actor, item=county.market_item)
    site_visit = {
        "kind": "site_inspection",
        "name": "现场核查",
        "basis": "《食品经营许可和备案管理办法》第二十一条",
        "time_limit_days": 3,
        "counted_in_limit": True,
    }
    services.save_draft(
        actor=actor,
        version=draft,
        guide={"promised_limit_days": 4},
        special_steps=[site_visit],
    )
    with pytest.raises(ValidationFailed) as exc:
        services.publish(actor=_admin(county), version=draft, change_note="压缩时限")
    assert exc.value.fields["promised_limit_days"] == [
        "承诺时限：办理环节合计3个工作日，计入时限的特殊环节3个工作日，共6个工作日，"
        "超过承诺时限4个工作日"
    ]
    services.save_draft(
        actor=actor, version=draft, special_steps=[{**site_visit, "counted_in_limit": False}]
    )
    version = services.publish(actor=_admin(county), version=draft, change_note="压缩时限")
    assert version.status == VersionStatus.PUBLISHED and version.promised_limit_days == 4
