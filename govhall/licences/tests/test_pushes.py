"""审批结果推送 and 证照入库 (issue 14 §2, §3): what a decision leaves behind."""

from __future__ import annotations

import pytest
from django.db import transaction

from govhall.core.errors import Conflict
from govhall.core.models import AuditEntry, TaskDelivery
from govhall.licences import identifiers, selectors, services
from govhall.licences.models import Licence, ResultPush, Status
from govhall.notifications.models import Notification

from .conftest import SECRET, act, approve, connect, deny, submit  # noqa: F401

pytestmark = pytest.mark.django_db


def test_certify_enters_the_licence_and_pushes_it_to_the_supervising_department(linked):
    env = linked
    case = approve(env, number="JY15062600001")
    licence = Licence.objects.get(case=case)
    assert licence.number == "JY15062600001" and licence.status == Status.VALID
    assert licence.name == "食品经营许可证" and licence.issuer == env.c.market
    assert licence.holder_name == "张三丰" and licence.holder_code == case.applicant_id_number
    # 60 months from the day of 制证, the day before the anniversary.
    assert (licence.valid_until - licence.valid_from).days in range(1824, 1828)
    assert identifiers.verify(licence.identifier)
    assert licence.identifier.startswith("1.2.156.3005.2.11100000000013338W001.")
    [push] = ResultPush.objects.all()
    assert push.department == env.c.health and push.case == case
    data = push.payload
    assert data["case_number"] == case.number and data["licence_number"] == "JY15062600001"
    assert data["result_label"] == "准予许可" and data["valid_until"]
    # The holder's ID number is masked in what is told; the phone is not told at all.
    assert data["holder_code"] != case.applicant_id_number and "*" in data["holder_code"]
    assert case.applicant_phone not in str(data)
    assert push.acknowledged_at is None and push.ack_due > push.decided_on
    # The liaison (the 首席代表 of 卫健委, none named) has it in the inbox.
    note = Notification.objects.get(template="licences/pushed")
    assert note.recipient_user_id == env.s.health_chief.user_id
    assert AuditEntry.objects.filter(action="licences.licence.issue").count() == 1


def test_a_refusal_is_pushed_at_the_decision_without_a_licence(linked):
    case = deny(linked)
    [push] = ResultPush.objects.all()
    assert push.payload["result_label"] == "不予许可" and push.payload["licence_number"] == ""
    assert "第十一条" in push.payload["reason"]
    assert not Licence.objects.filter(case=case).exists()


def test_nothing_is_pushed_when_the_decision_rolls_back(linked):
    env = linked
    with pytest.raises(RuntimeError), transaction.atomic():
        approve(env)
        raise RuntimeError("the request failed after the 制证")
    assert not ResultPush.objects.exists() and not Licence.objects.exists()


def test_a_licence_number_already_in_the_registry_refuses_the_certificate(linked):
    env = linked
    approve(env, number="JY-1", serial=1)
    with pytest.raises(Conflict) as err:
        approve(env, number="JY-1", serial=2, name="王五")
    assert err.value.code == "licence_number_taken"
    assert Licence.objects.count() == 1 and ResultPush.objects.count() == 1


def test_an_item_without_supervising_department_pushes_nothing_and_is_listed(env):
    approve(env)
    assert Licence.objects.count() == 1 and not ResultPush.objects.exists()
    assert env.c.market_item in selectors.items_without_supervisor()


def test_the_department_acknowledges_and_only_it(linked):
    env = linked
    approve(env)
    push = ResultPush.objects.get()
    with pytest.raises(services.PermissionDenied):
        services.acknowledge(actor=env.s.market_chief.user, pushes=[push])
    assert services.acknowledge(actor=env.s.health_chief.user, pushes=[push]) == 1
    push.refresh_from_db()
    assert push.acknowledged_name == "卫健首代"
    assert services.acknowledge(actor=env.s.health_chief.user, pushes=[push]) == 0
    assert AuditEntry.objects.filter(action="licences.push.acknowledge").count() == 1


def test_a_department_with_a_system_gets_the_push_signed_once(linked, receiver):
    env = linked
    connect(env, receiver.url)
    case = approve(env)
    push = ResultPush.objects.get()
    assert push.by_webhook and push.delivered_at is not None
    assert list(receiver.taken) == [push.delivery_id]
    assert receiver.taken[push.delivery_id]["case_number"] == case.number
    assert receiver.bad_signatures == 0
    assert TaskDelivery.objects.get(delivery_id=push.delivery_id).state == "done"


def test_a_failing_system_is_retried_and_then_delivered(linked, receiver):
    env = linked
    connect(env, receiver.url)
    receiver.fail_first = 2
    approve(env)
    delivery = TaskDelivery.objects.get(delivery_id=ResultPush.objects.get().delivery_id)
    assert delivery.state == "done" and delivery.attempts == 3
    assert len(receiver.taken) == 1 and receiver.requests == 3


def test_a_system_that_never_answers_leaves_a_dead_letter_but_the_inbox_has_it(linked):
    env = linked
    connect(env, "http://127.0.0.1:9/pushes")
    approve(env)
    push = ResultPush.objects.get()
    assert push.delivered_at is None
    delivery = TaskDelivery.objects.get(delivery_id=push.delivery_id)
    assert delivery.state == "dead" and "无法连接" in delivery.last_error
    assert selectors.pushes(user=env.s.health_chief.user, state="pending").get() == push


def test_a_wrong_key_is_refused_by_the_receiver(linked, receiver):
    env = linked
    services.set_endpoint(
        actor=env.c.root, department=env.c.health, url=receiver.url, secret="x" * 20
    )
    approve(env)
    assert receiver.taken == {} and receiver.bad_signatures >= 1
    assert SECRET != "x" * 20


def test_decisions_made_before_the_linkage_are_pushed_by_the_backlog_once(env):
    from io import StringIO

    from django.core.management import call_command

    from govhall.licences.models import ItemLinkage

    case = approve(env)
    assert not ResultPush.objects.exists()
    ItemLinkage.objects.create(item=env.c.market_item).supervisors.add(env.c.health)
    out = StringIO()
    call_command("push_backlog", "--since", "2026-11-01", stdout=out)
    assert "已补推 1 条" in out.getvalue()
    assert ResultPush.objects.get().case == case
    call_command("push_backlog", "--since", "2026-11-01", stdout=out)
    assert ResultPush.objects.count() == 1
