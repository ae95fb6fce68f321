"""Filing of both kinds, the 备案清单 rule, the confirmation limit, 补正."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.catalog import services as catalog_services
from govhall.catalog.models import ItemStatus
from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.filings import services
from govhall.filings.models import Channel, FilingCounter, State
from govhall.testing.factories import publish_item

from .conftest import COMPANY, PERSON, act, confirm_item, notify_item, online, pdf

pytestmark = pytest.mark.django_db


def test_notify_filing_is_filed_at_once_with_a_number(items):
    f = online(items.notify)
    assert f.state == State.FILED
    assert f.number == "BA2026-000001" and f.tracking == "BS2026-000001"
    assert f.filed_at == clock.now() and f.due_date is None
    assert f.channel == Channel.ONLINE and f.item_version.number == 1
    assert [e.action for e in f.events.all()] == ["file"]
    row = AuditEntry.objects.get(object_id=str(f.pk), object_type="filings.filing")
    assert row.action == "filings.filing.file" and row.actor_name == "申请人 张晓燕"


def test_filing_numbers_run_on_without_gaps_and_restart_each_year(items):
    first = online(items.notify)
    with pytest.raises(ValidationFailed):  # a refused filing takes no number
        online(items.notify, filer={**PERSON, "filer_id": "123"})
    second = online(items.notify)
    assert (first.number, second.number) == ("BA2026-000001", "BA2026-000002")
    with clock.frozen(dt.datetime(2027, 1, 4, 9, 0)):
        assert online(items.notify).number == "BA2027-000001"
    assert FilingCounter.objects.get(series="BA", year=2026).last == 2


def test_confirm_filing_waits_for_the_department_within_the_limit(org, items):
    f = online(items.confirm, COMPANY)
    assert f.state == State.SUBMITTED and f.number is None
    assert f.due_date == dt.date(2026, 11, 30)  # Mon + 5 working days
    assert not f.overdue
    f = act(f, "confirm", org.staff.market_approver, opinion="材料齐全")
    assert f.state == State.CONFIRMED and f.number == "BA2026-000001"
    assert f.events.last().data["on_time"] is True
    assert AuditEntry.objects.filter(action="filings.filing.confirm").count() == 1


def test_the_confirmation_limit_skips_a_holiday_and_the_overdue_flag_follows(org):
    with clock.frozen(dt.datetime(2026, 9, 1, 9, 0)):
        item = confirm_item(org)
    with clock.frozen(dt.datetime(2026, 9, 30, 9, 0)):
        f = online(item, COMPANY)
    # Oct 1–7 off: Oct 8, 9, the make-up Saturday 10, then Mon 12 and Tue 13.
    assert f.due_date == dt.date(2026, 10, 13)
    with clock.frozen(dt.datetime(2026, 10, 13, 17, 0)):
        f.refresh_from_db()
        assert not f.overdue
    with clock.frozen(dt.datetime(2026, 10, 14, 9, 0)):
        assert f.overdue
        f = act(f, "confirm", org.staff.market_chief)
        assert f.events.last().data["on_time"] is False and not f.overdue


def test_returned_for_correction_then_refiled_and_confirmed(org, items):
    f = online(items.confirm, COMPANY)
    f = act(f, "return", org.staff.market_chief, reason="平面图未标注库房面积")
    assert f.state == State.RETURNED and f.due_date is None and f.returned_count == 1
    assert f.return_reason == "平面图未标注库房面积" and f.number is None
    with clock.frozen(dt.datetime(2026, 11, 26, 10, 0)):  # Thursday
        f = services.resubmit_online(
            ref=f.tracking,
            phone_tail="1211",
            filer_id=COMPANY["filer_id"],
            note="已补充标注",
            files=[pdf("平面图.pdf")],
        )
        assert f.state == State.RESUBMITTED and f.due_date == dt.date(2026, 12, 3)
        assert f.attachments.count() == 2
        f = act(f, "confirm", org.staff.market_chief)
    assert f.state == State.CONFIRMED and f.number == "BA2026-000001"
    assert [e.action for e in f.events.all()] == ["submit", "return", "resubmit", "confirm"]


def test_a_filing_is_never_refused_and_a_filed_one_moves_no_more(org, items):
    f = online(items.notify)
    for action, inputs in (("confirm", {}), ("return", {"reason": "x"})):
        with pytest.raises(Conflict) as exc:
            act(f, action, org.staff.market_chief, **inputs)
        assert exc.value.code == "invalid_transition"
    with pytest.raises(ValidationFailed) as exc:
        services.transition(
            actor=org.staff.market_chief.user, filing=f, action="refuse", expected_version=0
        )
    assert exc.value.code == "unknown_action"


def test_return_needs_reasons(org, items):
    f = online(items.confirm, COMPANY)
    with pytest.raises(ValidationFailed) as exc:
        act(f, "return", org.staff.market_chief, reason="  ")
    assert exc.value.code == "missing_input" and "reason" in exc.value.fields


def test_a_stale_version_is_refused(org, items):
    f = online(items.confirm, COMPANY)
    act(f, "confirm", org.staff.market_chief)
    with pytest.raises(Conflict) as exc:
        services.transition(
            actor=org.staff.market_chief.user, filing=f, action="return",
            expected_version=0, reason="x",
        )  # fmt: skip
    assert exc.value.code == "stale_filing"


def test_resubmission_online_needs_the_filers_own_details(items):
    f = online(items.confirm, COMPANY)
    for tail, filer_id in (("0000", COMPANY["filer_id"]), ("1211", PERSON["filer_id"])):
        with pytest.raises(Exception) as exc:
            services.resubmit_online(ref=f.tracking, phone_tail=tail, filer_id=filer_id, note="x")
        assert exc.value.code == "filing_not_found"


# --------------------------------------------------------------------------- 备案清单


def _refused(item, code):
    with pytest.raises(Conflict) as exc:
        online(item)
    assert exc.value.code == code
    return exc.value


def test_an_item_of_another_type_cannot_be_filed(org):
    licence = publish_item(
        actor=org.root, department=org.market,
        basic_code="000111444009", name="食品经营许可",
    )  # fmt: skip
    _refused(licence, "not_filing_item")


def test_a_cancelled_or_suspended_filing_item_cannot_be_filed(org, items):
    for status in (ItemStatus.SUSPENDED, ItemStatus.CANCELLED):
        catalog_services.change_item_flags(
            actor=org.root, item=items.notify, reason="上级取消", status=status
        )
        items.notify.refresh_from_db()
        assert "不能备案" in _refused(items.notify, "item_not_accepting").message


def test_a_filing_item_whose_guide_lists_a_fee_is_refused_with_the_reason(org):
    item = notify_item(
        org, basic_code="000111444003", name="收费的备案", has_fee=True,
        fee_standard="每件10元", fee_basis="某文件",
    )  # fmt: skip
    exc = _refused(item, "filing_has_fee")
    assert "不得收取任何费用" in exc.message
    assert not item.filing_set.exists() if hasattr(item, "filing_set") else True


def test_a_published_filing_item_must_name_its_kind_and_no_other_item_may(org):
    with pytest.raises(ValidationFailed) as exc:
        notify_item(org, basic_code="000111444004", name="未分类备案", filing_kind="")
    assert "filing_kind" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        publish_item(
            actor=org.root, department=org.market,
            basic_code="000111444005", name="许可", filing_kind="notify",
        )  # fmt: skip
    assert "filing_kind" in exc.value.fields


def test_the_formal_check_needs_the_materials_or_the_papers_at_the_window(org, items):
    with pytest.raises(ValidationFailed) as exc:
        online(items.notify, files=[])
    assert exc.value.code == "materials_missing" and "备案信息采集表" in exc.value.message
    f = services.file_at_window(
        actor=org.staff.clerk.user, item=items.notify, paper_checked=True,
        activity="开设便利店", activity_date=dt.date(2026, 11, 20), **PERSON,
    )  # fmt: skip
    assert f.state == State.FILED and f.channel == Channel.WINDOW
    assert f.events.get().data["paper_checked"] is True


def test_the_filer_is_checked_by_kind(items):
    for filer, field in (
        ({**PERSON, "filer_id": COMPANY["filer_id"]}, "filer_id"),  # a USCC for a person
        ({**COMPANY, "filer_id": PERSON["filer_id"]}, "filer_id"),
        ({**PERSON, "phone": "abc"}, "phone"),
        ({**PERSON, "filer_kind": "robot"}, "filer_kind"),
        ({**PERSON, "filer_name": "x" * 101}, "filer_name"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            online(items.notify, filer)
        assert field in exc.value.fields


# --------------------------------------------------------------------------- permissions


def test_only_the_items_department_confirms_or_returns(org, items):
    f = online(items.confirm, COMPANY)
    for staff in ("health_chief", "clerk", "admin", "supervisor"):
        with pytest.raises(PermissionDenied):
            act(f, "confirm", getattr(org.staff, staff))
    with pytest.raises(PermissionDenied):
        act(f, "confirm", Applicant("乌审旗康宁大药房有限公司"))
    assert act(f, "return", org.staff.market_approver, reason="补充").state == State.RETURNED


def test_only_clerks_and_the_administrator_file_at_the_window(org, items):
    for staff in ("market_chief", "supervisor", "health_chief"):
        with pytest.raises(PermissionDenied):
            services.file_at_window(
                actor=getattr(org.staff, staff).user, item=items.notify, paper_checked=True,
                activity="开店", activity_date=dt.date(2026, 11, 20), **PERSON,
            )  # fmt: skip


def test_a_second_confirm_kind_item_of_another_department_is_not_seen(org, items):
    from govhall.filings import selectors

    f = online(items.confirm, COMPANY)
    assert list(selectors.filing_register(user=org.staff.market_chief.user)) == [f]
    assert list(selectors.filing_register(user=org.staff.health_chief.user)) == []
    assert list(selectors.filing_register(user=org.staff.supervisor.user)) == [f]
    assert list(selectors.filing_register(user=org.staff.clerk.user)) == [f]  # county centre


def test_confirm_item_helper_is_on_the_filing_list(org, items):
    from govhall.filings import selectors

    names = [v.name for v in selectors.filing_list()]
    assert names == ["仅销售预包装食品备案", "第二类医疗器械经营备案"]
    confirm_item(org, basic_code="000111444008", name="另一确认类备案")
    assert len(selectors.filing_list()) == 3
