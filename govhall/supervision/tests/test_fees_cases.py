"""收费记录 (cases.CaseFee, issue 11 §1): record_fee / cancel_fee — validation, who may,
the case's history and audit, the case page's form and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govhall.cases import services
from govhall.cases.models import CaseEvent, CaseFee, State
from govhall.cases.tests.conftest import act, api, submit
from govhall.catalog import services as catalog_services
from govhall.catalog.models import FeeLine
from govhall.core import clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.core.validators import make_implementation_code
from govhall.testing import factories

FEE_LINES = [
    {"name": "工本费", "standard": "每证 10 元", "amount": 1000, "basis": "财综〔2026〕1号"},
    {
        "name": "检测费",
        "standard": "按检测项目计收",
        "amount": None,
        "basis": "发改价格〔2026〕2号",
    },
]


def publish_fee_item(env, *, basic_code="000111222088", name="收费许可", lines=FEE_LINES, **guide):
    """A market item whose guide is 收费 with ``lines`` as its 收费清单."""
    from govhall.cases.tests.conftest import _authorise

    market = env.c.market
    guide = {"has_fee": True, "fee_standard": "见收费清单", "fee_basis": "财综〔2026〕1号", **guide}
    with clock.frozen(dt.datetime(2026, 1, 5, 9)):
        item = catalog_services.create_item(
            actor=env.c.root,
            department=market,
            basic_code=basic_code,
            implementation_code=make_implementation_code(uscc=market.code, basic_code=basic_code),
            type="licensing",
            name=name,
            **factories.guide(**guide),
        )
        draft = item.versions.get()
        catalog_services.save_draft(
            actor=env.c.root,
            version=draft,
            materials=factories.DEFAULT_MATERIALS,
            steps=factories.DEFAULT_STEPS,
            fee_lines=lines,
        )
        catalog_services.publish(actor=env.c.root, version=draft, change_note="首次发布")
    _authorise(env, item)
    return item


@pytest.fixture
def fee_item(env):
    return publish_fee_item(env)


@pytest.fixture
def accepted(env, fee_item):
    return act(submit(env, fee_item), "accept", env.s.clerk.user)


def line(item, name) -> FeeLine:
    return FeeLine.objects.get(version__item=item, name=name)


def test_the_department_records_a_fee_on_the_list_with_event_and_audit(env, fee_item, accepted):
    chief = env.s.market_chief.user
    fee = services.record_fee(
        actor=chief,
        case=accepted,
        amount=1000,
        fee_line=line(fee_item, "工本费"),
        note="现场缴纳",
    )
    assert (fee.name, fee.amount, fee.recorded_by, fee.note) == (
        "工本费",
        1000,
        env.s.market_chief,
        "现场缴纳",
    )
    event = CaseEvent.objects.filter(case=accepted).latest("id")
    assert event.action == "record_fee"
    assert event.from_state == event.to_state == State.IN_REVIEW
    assert event.opinion == "收费项目“工本费”，金额 10.00 元；现场缴纳"
    assert event.data["fee"] == fee.pk
    entry = AuditEntry.objects.filter(action="cases.case.record_fee").get()
    assert entry.object_id == str(accepted.pk) and entry.actor == chief
    assert entry.changes["amount"] == [None, 1000]
    accepted.refresh_from_db()
    assert accepted.state == State.IN_REVIEW


def test_an_approver_of_the_department_may_record_an_off_list_fee(env, accepted):
    fee = services.record_fee(
        actor=env.s.market_approver.user, case=accepted, name="加急费", amount=5000
    )
    assert fee.fee_line is None and fee.name == "加急费"


@pytest.mark.parametrize(
    "kwargs, code, field",
    [
        ({"name": "工本费", "amount": 0}, "invalid_amount", "amount"),
        ({"name": "工本费", "amount": -5}, "invalid_amount", "amount"),
        ({"name": "工本费", "amount": 10_000_001}, "invalid_amount", "amount"),
        ({"name": "工本费", "amount": True}, "invalid_amount", "amount"),
        ({"name": "工本费", "amount": "100"}, "invalid_amount", "amount"),
        ({"name": "  ", "amount": 100}, "required", "name"),
        ({"name": "费" * 101, "amount": 100}, "too_long", "name"),
        ({"name": "工本\x00费", "amount": 100}, "invalid_text", "name"),
        ({"name": "工本费", "amount": 100, "note": "备" * 501}, "too_long", "note"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(env, accepted, kwargs, code, field):
    with pytest.raises(ValidationFailed) as caught:
        services.record_fee(actor=env.s.market_chief.user, case=accepted, **kwargs)
    assert caught.value.code == code and field in caught.value.fields
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
    assert not CaseFee.objects.exists()
    assert not CaseEvent.objects.filter(action="record_fee").exists()


def test_the_largest_amount_is_taken(env, accepted):
    fee = services.record_fee(
        actor=env.s.market_chief.user, case=accepted, name="大额", amount=10_000_000
    )
    assert fee.amount_yuan == "100000.00"


def test_a_fee_line_of_another_guide_is_refused(env, fee_item, accepted):
    other = publish_fee_item(env, basic_code="000111222089", name="另一事项")
    with pytest.raises(ValidationFailed) as caught:
        services.record_fee(
            actor=env.s.market_chief.user,
            case=accepted,
            amount=1000,
            fee_line=line(other, "工本费"),
        )
    assert caught.value.code == "fee_line_mismatch"


@pytest.mark.parametrize("who", ["clerk", "supervisor", "health_chief", "admin"])
def test_only_the_cases_department_may_record(env, accepted, who):
    with pytest.raises(PermissionDenied) as caught:
        services.record_fee(
            actor=getattr(env.s, who).user, case=accepted, name="工本费", amount=1000
        )
    assert "所属部门" in caught.value.message
    assert not CaseFee.objects.exists()


def test_a_deactivated_chief_may_not_record(env, accepted):
    env.s.market_chief.is_active = False
    env.s.market_chief.save()
    with pytest.raises(PermissionDenied):
        services.record_fee(
            actor=env.s.market_chief.user, case=accepted, name="工本费", amount=1000
        )


def test_a_completed_case_takes_a_fee_an_archived_or_refused_one_does_not(env, fee_item):
    chief = env.s.market_chief.user
    case = submit(env, fee_item)
    CaseEventCount = CaseEvent.objects.filter(case=case).count
    case.state = State.COMPLETED
    case.save(update_fields=["state"])
    services.record_fee(actor=chief, case=case, name="工本费", amount=1000)
    for state in (State.ARCHIVED, State.REFUSED, State.WITHDRAWN, State.TERMINATED):
        case.state = state
        case.save(update_fields=["state"])
        before = CaseEventCount()
        with pytest.raises(Conflict) as caught:
            services.record_fee(actor=chief, case=case, name="工本费", amount=1000)
        assert caught.value.code == "invalid_state"
        assert CaseEventCount() == before
    assert CaseFee.objects.filter(case=case).count() == 1


def test_cancel_keeps_the_row_with_who_when_why_and_only_once(env, accepted):
    chief = env.s.market_chief.user
    fee = services.record_fee(actor=chief, case=accepted, name="加急费", amount=5000)
    with pytest.raises(ValidationFailed) as caught:
        services.cancel_fee(actor=chief, fee=fee, reason=" ")
    assert caught.value.code == "required"
    with pytest.raises(PermissionDenied):
        services.cancel_fee(actor=env.s.supervisor.user, fee=fee, reason="误录")
    services.cancel_fee(actor=chief, fee=fee, reason="误录，未实际收取")
    fee.refresh_from_db()
    assert fee.is_cancelled and fee.cancelled_by == env.s.market_chief
    assert fee.cancel_reason == "误录，未实际收取"
    assert CaseFee.objects.filter(pk=fee.pk).exists()
    event = CaseEvent.objects.filter(case=accepted).latest("id")
    assert event.action == "cancel_fee" and "误录" in event.opinion
    assert AuditEntry.objects.filter(action="cases.case.cancel_fee").count() == 1
    with pytest.raises(Conflict) as again:
        services.cancel_fee(actor=chief, fee=fee, reason="再撤")
    assert again.value.code == "fee_cancelled"


# --------------------------------------------------------------------------- page


def test_the_case_page_records_and_cancels_and_shows_the_history(client, env, fee_item, accepted):
    client.force_login(env.s.market_chief.user)
    url = reverse("cases:detail", args=[accepted.number])
    page = client.get(url).content.decode()
    assert 'id="case-fees"' in page and 'id="fee-record"' in page
    assert "工本费（10.00）" in page and "其他（不在收费清单内）" in page

    bad = client.post(
        reverse("cases:fee_record", args=[accepted.number]),
        {"fee_line": "", "name": "", "amount": "0", "note": ""},
    )
    assert bad.status_code == 400
    assert "确保该值大于或等于0.01" in bad.content.decode()

    missing = client.post(
        reverse("cases:fee_record", args=[accepted.number]),
        {"fee_line": "", "name": "", "amount": "12", "note": ""},
    )
    html = missing.content.decode()
    assert missing.status_code == 400
    assert html.index("必填") > html.index('id="fee-record"')  # beside 收费项目 in the form

    ok = client.post(
        reverse("cases:fee_record", args=[accepted.number]),
        {"fee_line": str(line(fee_item, "检测费").pk), "name": "", "amount": "35.5", "note": ""},
    )
    assert ok.status_code == 302
    fee = CaseFee.objects.get()
    assert (fee.name, fee.amount) == ("检测费", 3550)
    page = client.get(url).content.decode()
    assert "登记收费" in page and "收费项目“检测费”，金额 35.50 元" in page
    assert "清单内" in page

    no_reason = client.post(
        reverse("cases:fee_cancel", args=[accepted.number, fee.pk]), {f"c{fee.pk}-reason": ""}
    )
    assert no_reason.status_code == 400
    done = client.post(
        reverse("cases:fee_cancel", args=[accepted.number, fee.pk]),
        {f"c{fee.pk}-reason": "重复登记"},
    )
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "已撤销" in page and "重复登记" in page
    assert (
        client.post(reverse("cases:fee_cancel", args=[accepted.number, 10**30])).status_code == 404
    )


def test_other_users_see_the_fees_but_get_no_form(client, env, accepted):
    services.record_fee(actor=env.s.market_chief.user, case=accepted, name="加急费", amount=100)
    client.force_login(env.s.supervisor.user)
    page = client.get(reverse("cases:detail", args=[accepted.number])).content.decode()
    assert 'id="case-fees"' in page and "加急费" in page and "不在收费清单内" in page
    assert 'id="fee-record"' not in page
    refused = client.post(
        reverse("cases:fee_record", args=[accepted.number]),
        {"fee_line": "", "name": "加急费", "amount": "1", "note": ""},
    )
    assert refused.status_code == 403
    assert CaseFee.objects.count() == 1


# --------------------------------------------------------------------------- API


def test_the_api_records_lists_and_cancels(env, fee_item, accepted):
    client = api(env.s.market_chief.user)
    base = f"/api/v1/cases/{accepted.number}/fees/"
    created = client.post(
        base, {"amount": 1000, "fee_line": line(fee_item, "工本费").pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["name"] == "工本费" and body["amount"] == 1000 and body["cancelled"] is False
    listed = api(env.s.supervisor.user).get(base)
    assert listed.status_code == 200 and [f["name"] for f in listed.json()] == ["工本费"]
    cancelled = client.post(f"{base}{body['id']}/cancel/", {"reason": "误录"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["cancelled"] is True
    again = client.post(f"{base}{body['id']}/cancel", {"reason": "误录"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "fee_cancelled"


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"name": "工本费", "amount": 0}, 400, "invalid_amount"),
        ({"name": "工本费", "amount": 10**20}, 400, "invalid_amount"),
        ({"name": "工本费", "amount": "十元"}, 400, "validation_failed"),
        ({"name": "工本费"}, 400, "validation_failed"),
        ({"name": "费" * 101, "amount": 100}, 400, "validation_failed"),
        ({"name": "", "amount": 100}, 400, "required"),
        ({"name": "工本费", "amount": 100, "fee_line": 999999}, 400, "fee_line_not_found"),
        ({"name": "工本费", "amount": 100, "fee_line": 10**20}, 400, "validation_failed"),
        ({"name": "工本费", "amount": 100, "fee_line": "x"}, 400, "validation_failed"),
        ({"name": "工本\x00费", "amount": 100}, 400, "validation_failed"),
    ],
)
def test_api_bad_input_is_a_400_with_a_stable_code(env, accepted, payload, status, code):
    response = api(env.s.market_chief.user).post(
        f"/api/v1/cases/{accepted.number}/fees/", payload, format="json"
    )
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert not CaseFee.objects.exists()


def test_api_permission_and_not_found(env, accepted):
    base = f"/api/v1/cases/{accepted.number}/fees/"
    denied = api(env.s.supervisor.user).post(base, {"name": "工本费", "amount": 100}, format="json")
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
    hidden = api(env.s.health_chief.user).get(base)
    assert hidden.status_code == 403
    unknown = api(env.s.market_chief.user).get("/api/v1/cases/NO-SUCH/fees/")
    assert unknown.status_code == 404 and unknown.json()["code"] == "case_not_found"
    none = api(env.s.market_chief.user).post(f"{base}{10**30}/cancel/", {"reason": "x"})
    assert none.status_code == 404 and none.json()["code"] == "fee_not_found"
