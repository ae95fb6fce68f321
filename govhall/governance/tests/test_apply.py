"""Each kind of request applied on the centre's approval (and on the county's for the
负面清单), and nothing changed by a return or a withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases.models import Case
from govhall.catalog import selectors as catalog_selectors
from govhall.catalog import services as catalog
from govhall.catalog.models import AuthorisedItem, Item, ItemStatus
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.governance.models import State
from govhall.org.models import Authorisation
from govhall.testing import factories

from .conftest import act, approved, file_request, submitted

pytestmark = pytest.mark.django_db


def _edit(hall, request, **guide):
    request.refresh_from_db()
    catalog.save_draft(actor=hall.staff.market_chief.user, version=request.draft, guide=guide)


def test_change_publishes_the_draft_on_approval(hall):
    r = file_request(hall, "change", touches_elements=True)
    assert r.draft is not None and r.draft.is_draft
    _edit(hall, r, promised_limit_days=3)
    act(r, "submit", hall.staff.market_chief)
    r = act(r, "approve", hall.staff.admin, opinion="同意")
    assert r.state == State.APPLIED
    current = catalog_selectors.current_version(item=hall.market_item)
    assert current.number == 2 and current.promised_limit_days == 3
    assert r.published_version == current
    assert r.number in current.change_note
    assert AuditEntry.objects.filter(
        action="catalog.version.publish", object_id=str(hall.market_item.pk), actor_name="管理员"
    ).exists()


def test_add_creates_the_item_unpublished_and_publishes_it_with_its_approvers(hall):
    Authorisation.objects.create(
        department=hall.market,
        chief_rep=hall.staff.market_chief,
        number="SQ-2026-01",
        signed_on=dt.date(2026, 1, 1),
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2027, 12, 31),
    )
    r = file_request(
        hall,
        "add",
        new_item={"basic_code": "000111222009", "type": "licensing", "name": "小餐饮登记"},
        approvers=[hall.staff.market_approver],
        trigger="delegation",
    )
    item = r.item
    assert not item.versions.filter(status="published").exists()
    catalog.save_draft(
        actor=hall.staff.market_chief.user,
        version=r.draft,
        guide=factories.guide(),
        materials=factories.DEFAULT_MATERIALS,
        steps=factories.default_steps(5),
    )
    act(r, "submit", hall.staff.market_chief)
    assert catalog_selectors.current_version(item=item) is None  # not before approval
    act(r, "approve", hall.staff.admin)
    assert catalog_selectors.current_version(item=item).number == 1
    entry = AuthorisedItem.objects.get(item=item)
    assert list(entry.approvers.all()) == [hall.staff.market_approver]


def test_add_names_its_approvers(hall):
    with pytest.raises(ValidationFailed) as exc:
        file_request(hall, "add", new_item={"basic_code": "000111222009", "type": "licensing",
                                            "name": "小餐饮登记"})  # fmt: skip
    assert "approvers" in exc.value.fields


@pytest.mark.parametrize(
    ("kind", "status", "before"),
    [("cancel", ItemStatus.CANCELLED, None), ("suspend", ItemStatus.SUSPENDED, None),
     ("resume", ItemStatus.ACTIVE, ItemStatus.SUSPENDED)],
)  # fmt: skip
def test_status_changes_with_public_reason(hall, kind, status, before):
    if before:
        catalog.change_item_flags(
            actor=hall.root, item=hall.market_item, reason="整改", status=before
        )
    approved(hall, kind, reasons="上级取消该事项" if kind != "resume" else "整改完成")
    item = Item.objects.get(pk=hall.market_item.pk)
    assert item.status == status
    if kind == "resume":
        assert item.status_reason == ""
    else:
        assert "上级取消该事项" in item.status_reason


def test_delegate_and_sink_publish_the_level_flags(hall):
    r = file_request(hall, "sink", trigger="township_reform")
    _edit(hall, r, accept_at_township=True)
    act(r, "submit", hall.staff.market_chief)
    act(r, "approve", hall.staff.admin)
    assert catalog_selectors.current_version(item=hall.market_item).accept_at_township

    r = file_request(hall, "delegate", trigger="delegation")
    _edit(hall, r, exercise_level="township", accept_at_village=True)
    act(r, "submit", hall.staff.market_chief)
    act(r, "approve", hall.staff.admin)
    current = catalog_selectors.current_version(item=hall.market_item)
    assert current.exercise_level == "township" and current.accept_at_village


def test_a_sink_without_township_acceptance_is_refused_at_submission(hall):
    r = file_request(hall, "sink", trigger="township_reform")
    with pytest.raises(Conflict) as exc:
        act(r, "submit", hall.staff.market_chief)
    assert exc.value.code == "levels_unchanged"


def test_transfer_moves_the_item_with_its_open_cases(hall):
    open_case = factories.window_case(hall)
    done = factories.window_case(hall)
    Case.objects.filter(pk=done.pk).update(state="completed")
    r = approved(
        hall,
        "transfer",
        trigger="institution_reform",
        target_department=hall.health,
        handover_note="许可档案 12 卷，证照文书存根 1 册",
    )
    item = Item.objects.get(pk=hall.market_item.pk)
    assert item.department == hall.health
    assert item.implementation_code.startswith(hall.health.code)  # the new 实施主体's code
    assert r.handed_over == [open_case.number]
    open_case.refresh_from_db()
    done.refresh_from_db()
    assert open_case.department == hall.health and open_case.responsible == hall.staff.health_chief
    assert done.department == hall.market
    event = open_case.events.get(action="hand_over")
    assert event.actor_name == "管理员" and "许可档案" in event.opinion
    assert AuditEntry.objects.filter(action="cases.case.hand_over", object_id=str(open_case.pk))
    # the old department's staff no longer see the case; the new one's do
    from govhall.cases import roles as case_roles

    assert not case_roles.can_view(hall.staff.market_chief.user, open_case)
    assert case_roles.can_view(hall.staff.health_chief.user, open_case)
    # the new department changes the guide later through a request of its own
    r2 = file_request(
        hall, "change", item=item, actor=hall.staff.health_chief.user, touches_elements=True
    )
    r2.refresh_from_db()
    catalog.save_draft(
        actor=hall.staff.health_chief.user, version=r2.draft, guide={"keywords": "划转后"}
    )
    act(r2, "submit", hall.staff.health_chief)
    act(r2, "approve", hall.staff.admin)
    assert catalog_selectors.current_version(item=item).keywords == "划转后"


def test_transfer_needs_a_target_and_a_handover_list(hall):
    with pytest.raises(ValidationFailed) as exc:
        file_request(hall, "transfer")
    assert {"target_department", "handover_note"} <= set(exc.value.fields)


def test_negative_list_entry_waits_for_the_county(hall):
    r = approved(
        hall,
        "negative_add",
        negative_category="secret",
        negative_statement="涉及国家秘密，不进驻中心",
    )
    assert r.state == State.CENTRE_APPROVED
    item = Item.objects.get(pk=hall.market_item.pk)
    assert not item.on_negative_list and item.is_stationed  # not before the county
    r = act(
        r, "record_county", hall.staff.admin, document="测政办函〔2026〕18号",
        approved_on=dt.date(2026, 11, 23),
    )  # fmt: skip
    assert r.state == State.APPLIED and r.county_recorded_by == hall.staff.admin.user
    item.refresh_from_db()
    assert item.on_negative_list and not item.is_stationed
    assert item.negative_list_category == "secret"
    assert "国家秘密" in item.negative_list_reason
    assert not item.accepting

    r = approved(hall, "negative_remove", trigger="other")
    act(r, "record_county", hall.staff.admin, document="测政办函〔2026〕19号",
        approved_on=dt.date(2026, 11, 23))  # fmt: skip
    item.refresh_from_db()
    assert not item.on_negative_list and item.is_stationed and item.accepting


def test_return_and_withdraw_change_nothing_in_the_catalogue(hall):
    def catalogue():
        item = Item.objects.get(pk=hall.market_item.pk)
        return (
            item.status,
            item.department_id,
            item.on_negative_list,
            item.is_stationed,
            list(item.versions.filter(status="published").values_list("number", "valid_to")),
        )

    before = catalogue()
    r = submitted(hall, "cancel")
    r = act(r, "return", hall.staff.admin, reason="请补充上级取消文件")
    assert r.state == State.RETURNED and r.return_reason == "请补充上级取消文件"
    assert catalogue() == before
    # refiled after correction, then withdrawn: still nothing
    r = act(r, "submit", hall.staff.market_chief, note="已补充")
    r = act(r, "withdraw", hall.staff.market_chief, reason="上级暂缓")
    assert r.state == State.WITHDRAWN
    r2 = approved(hall, "negative_add", negative_category="premises", negative_statement="场地限制")
    act(r2, "return", hall.staff.admin, reason="县政府不予批准")
    assert catalogue() == before


def test_a_draft_edited_after_submission_is_not_approved(hall):
    r = submitted(hall, "change", touches_elements=True)
    _edit(hall, r, promised_limit_days=4)
    with pytest.raises(Conflict) as exc:
        act(r, "approve", hall.staff.admin)
    assert exc.value.code == "draft_changed"
    assert catalog_selectors.current_version(item=hall.market_item).number == 1


def test_one_open_request_per_item(hall):
    file_request(hall, "suspend")
    with pytest.raises(Conflict) as exc:
        file_request(hall, "cancel")
    assert exc.value.code == "open_request_exists"


def test_submission_needs_the_written_application(hall):
    r = file_request(hall, "suspend", files=[])
    with pytest.raises(ValidationFailed) as exc:
        act(r, "submit", hall.staff.market_chief)
    assert exc.value.code == "application_missing"


def test_only_the_centre_approves_and_only_the_department_files(hall):
    r = submitted(hall, "suspend")
    for who in (hall.staff.market_chief, hall.staff.market_approver, hall.staff.clerk,
                hall.staff.supervisor, hall.staff.health_chief):  # fmt: skip
        with pytest.raises(PermissionDenied):
            act(r, "approve", who)
    with pytest.raises(PermissionDenied):
        file_request(hall, "cancel", actor=hall.staff.health_chief.user)
    with pytest.raises(PermissionDenied):
        file_request(hall, "cancel", actor=hall.staff.market_approver.user)
    with pytest.raises(PermissionDenied):
        file_request(hall, "cancel", actor=hall.staff.admin.user)
    with pytest.raises(Conflict) as exc:
        act(r, "record_county", hall.staff.admin, document="x", approved_on=dt.date(2026, 11, 1))
    assert exc.value.code == "invalid_transition"


def test_numbers_are_gap_free_per_year(hall):
    a = file_request(hall, "suspend")
    act(a, "withdraw", hall.staff.market_chief)
    with pytest.raises(ValidationFailed):
        file_request(hall, "transfer")  # refused after its number was drawn: given back
    b = file_request(hall, "cancel")
    assert (a.number, b.number) == ("TZ2026-0001", "TZ2026-0002")
