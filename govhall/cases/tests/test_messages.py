"""What the applicant and staff are told of a case (cases.messages, issue 9 §2)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.management import call_command
from django.db import transaction

from govhall.cases import messages, services
from govhall.cases.tests.conftest import act, submit
from govhall.core import clock
from govhall.core.models import TaskDelivery
from govhall.core.validators import mask_phone
from govhall.notifications import selectors as inbox
from govhall.notifications import services as notifier
from govhall.notifications import sms
from govhall.notifications.models import Notification, Status

PHONE = "13800001234"  # conftest.person()
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.sms.LocmemBackend"
    notifier.forget_kicks()  # a drain queued by an earlier test's data is gone with it
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the body's on-commit callbacks (the send tasks) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _of(case):
    return list(Notification.objects.filter(ref=messages.ref_of(case)).order_by("id"))


def test_acceptance_tells_the_applicant_number_deadline_and_progress_link(env, outbox, committed):
    case = submit(env)
    with committed():
        case = act(case, "accept", env.s.clerk.user)
    [n] = _of(case)
    assert n.channel == "sms" and n.status == Status.SENT and n.template == "cases/accepted"
    [text] = [m.text for m in outbox if m.phone == PHONE]
    due = case.due_date
    assert text.startswith(f"【{env.c.county.name}】张三丰您好")
    assert f"受理编号{case.number}" in text
    assert f"法定办结期限{due.year}年{due.month}月{due.day}日" in text
    assert f"/cases/progress/?number={case.number}" in text
    assert n.body == text and n.subject == f"办件已受理：{case.number}"


def test_the_named_responsible_is_told_in_the_inbox(env, committed):
    case = submit(env)
    chief = env.s.market_chief
    with committed():
        act(case, "accept", env.s.clerk.user, responsible=chief)
    assigned = Notification.objects.get(channel="inbox")
    assert assigned.recipient_user == chief.user and assigned.template == "cases/assigned"
    assert assigned.url == f"/staff/cases/{case.number}/"
    assert case.number in assigned.subject
    assert inbox.unread_count(user=chief.user) == 1
    assert inbox.unread_count(user=env.s.clerk.user) == 0


def test_nobody_is_told_of_a_case_they_assigned_to_themselves(env, committed):
    case = submit(env)
    with committed():
        act(case, "accept", env.s.market_chief.user)  # the chief accepts: 承办人 = the chief
    assert not Notification.objects.filter(channel="inbox").exists()


def test_a_rolled_back_transition_sends_nothing(env, outbox, committed):
    case = submit(env)
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        act(case, "accept", env.s.clerk.user, responsible=env.s.market_chief)
        assert Notification.objects.count() == 2  # queued with the change …
        raise RuntimeError("the request fails after the transition")
    assert not Notification.objects.exists()  # … and rolled back with it
    assert not TaskDelivery.objects.exists()
    assert outbox == []


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_rollback_stores_no_task_and_the_worker_sends(settings, outbox):
    from django_tasks_db.models import DBTaskResult

    from govhall.testing import factories

    settings.TASKS = DB_TASKS
    hall = factories.build_hall()
    case = factories.window_case(hall)
    # The notifier's tasks (电子监察's drain of the changed cases is queued as well).
    sends = DBTaskResult.objects.filter(task_path__startswith="govhall.notifications.")
    with pytest.raises(RuntimeError), transaction.atomic():
        act(case, "accept", hall.staff.clerk.user)
        raise RuntimeError("rolled back")
    assert not sends.exists() and not Notification.objects.exists()

    case = act(case, "accept", hall.staff.clerk.user)
    assert Notification.objects.get().status == Status.QUEUED  # committed, not yet sent
    assert outbox == []
    [drain] = sends.all()  # the drain of this second, due when it ends
    time.sleep(max(0.0, drain.run_after.timestamp() - time.time()) + 0.05)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    n = Notification.objects.get()
    assert n.status == Status.SENT and [m.phone for m in outbox] == [case.applicant_phone]


def test_a_failing_gateway_never_breaks_the_case_action(env, settings, outbox, committed):
    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.tests.backends.BrokenBackend"
    case = submit(env)
    with committed():
        case = act(case, "accept", env.s.clerk.user)
    case.refresh_from_db()
    assert case.state == "in_review" and case.events.filter(action="accept").exists()
    [n] = _of(case)
    assert n.status == Status.FAILED and n.attempts == 6  # the drain's try + 5 of its own
    assert PHONE not in n.last_error
    assert TaskDelivery.objects.get(delivery_id=f"notifications:{n.pk}").state == "dead"


def test_the_lifecycle_tells_the_applicant_of_decision_and_pick_up(env, outbox, committed):
    clerk, approver = env.s.clerk.user, env.s.market_approver.user
    case = submit(env)
    with committed():
        case = act(case, "accept", clerk)
        case = act(case, "review", approver, opinion="符合")
        case = act(case, "decide", approver, result="approved", opinion="同意")
        case = act(case, "certify", approver, result_number=f"JY-{case.pk:03d}")
        case = act(case, "deliver", clerk, method="window")
        case = act(case, "complete", clerk)
    told = [n.template for n in _of(case)]  # apps above cases may add theirs (好差评's invite)
    assert [t for t in told if t.startswith("cases/")] == [
        "cases/accepted",
        "cases/decided",
        "cases/ready",
    ]
    decided, ready = outbox[1].text, outbox[2].text
    assert "已作出决定：准予行政许可" in decided and "另行通知您领取" in decided
    assert f"办理结果（编号{case.result_number}）已制作完成" in ready and "窗口领取" in ready
    assert f"{case.item_version.result_name}制作完成后将另行通知您领取" in decided


def test_a_decision_is_told_in_the_words_of_the_items_type(env, outbox, committed):
    """契税征收 was told "准予许可": a non-licence has its own words (行政确认 予以确认)."""
    type(env.c.market_item).objects.filter(pk=env.c.market_item.pk).update(type="confirmation")
    approver = env.s.market_approver.user
    case = submit(env)
    with committed():
        case = act(case, "accept", env.s.clerk.user)
        case = act(case, "review", approver, opinion="符合")
        case = act(case, "decide", approver, result="approved", opinion="同意")
    decided = outbox[1].text
    assert "已作出决定：予以确认" in decided and "准予许可" not in decided


def test_a_denial_and_a_posted_result_are_told(env, outbox, committed):
    approver = env.s.market_approver.user
    case = submit(env)
    with committed():
        case = act(case, "accept", env.s.clerk.user)
        case = act(case, "review", approver, opinion="不符合")
        case = act(case, "decide", approver, result="denied", opinion="不予", reason="场地不符")
        case = act(case, "deliver", env.s.clerk.user, method="post", tracking_number="EMS123")
    assert [n.template for n in _of(case)] == [
        "cases/accepted",
        "cases/decided",
        "cases/delivered",
    ]
    assert "不予行政许可" in outbox[1].text and "理由：场地不符" in outbox[1].text
    assert "行政复议" in outbox[1].text
    assert "通过邮寄送达，邮寄单号EMS123" in outbox[2].text


def test_a_correction_request_lists_what_to_correct(env, outbox, committed):
    case = submit(env)
    material = case.materials.first()
    with committed():
        act(
            case,
            "request_correction",
            env.s.clerk.user,
            corrections=[{"material": material.material, "problem": "缺少签字"}],
        )
    assert "材料需补正" in outbox[0].text and f"{material.name}（缺少签字）" in outbox[0].text


def test_deemed_acceptance_by_the_system_tells_the_applicant(env, outbox, committed):
    case = submit(env)  # received 11-23, not acted on: deemed accepted on 12-01
    with clock.frozen(dt.datetime(2026, 12, 1, 6, 30)), committed():
        assert services.apply_deemed_acceptance(today=dt.date(2026, 12, 1)) == [case.number]
    [n] = _of(case)
    assert "依法视为受理（行政许可法第三十二条）" in n.body and n.status == Status.SENT


def test_lights_tell_the_responsible_once_per_light(env, committed):
    chief = env.s.market_chief
    case = submit(env)
    with committed():
        case = act(case, "accept", env.s.clerk.user, responsible=chief)
    Notification.objects.all().delete()
    yellow, due = case.yellow_from, case.due_date
    assert yellow < due
    with committed():
        assert messages.announce_lights(today=yellow) == [case.number]
    with committed():
        assert messages.announce_lights(today=yellow) == []  # the same day again: nobody
    told = Notification.objects.filter(recipient_user=chief.user)
    assert [n.subject for n in told] == [f"黄灯预警：{case.number}"]
    with committed():
        assert messages.announce_lights(today=due) == [case.number]  # red on the due day
    told = Notification.objects.filter(recipient_user=chief.user).order_by("id")
    assert told.count() == 2 and "今日到期" in told.last().body
    assert inbox.unread_count(user=chief.user) == 2


def test_lights_of_a_case_without_responsible_go_to_the_chief(env, committed):
    case = submit(env)
    with committed():
        case = act(case, "accept", env.s.clerk.user)
    assert case.responsible_id is None
    with committed():
        assert messages.announce_lights(today=case.due_date) == [case.number]
    n = Notification.objects.get(channel="inbox")
    assert n.recipient_user == env.s.market_chief.user and n.status == Status.SENT


def test_the_daily_rules_include_the_lights(env, committed):
    from govhall.cases.tasks import daily_rules

    case = submit(env)
    with committed():
        case = act(case, "accept", env.s.clerk.user)
    with committed():
        first = daily_rules(day=case.due_date)
        again = daily_rules(day=case.due_date)
    assert first["lights"] == [case.number] and again["lights"] == []


def test_the_case_page_lists_the_messages_with_the_phone_masked(env, client, committed, settings):
    case = submit(env)
    with committed():
        act(case, "accept", env.s.clerk.user, responsible=env.s.market_chief)
    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.tests.backends.BrokenBackend"
    with committed():
        case = act(
            case.__class__.objects.get(pk=case.pk),
            "review",
            env.s.market_approver.user,
            opinion="符合",
        )
        case = act(case, "decide", env.s.market_approver.user, result="approved", opinion="同意")
    client.force_login(env.s.market_chief.user)
    page = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "消息通知" in page
    assert PHONE not in page
    assert f"张三丰（{mask_phone(PHONE)}）" in page
    assert "办件已受理" in page and "已送达" in page
    assert "发送失败" in page  # the decision's SMS could not be sent
    assert "市场首代" in page and "站内消息" in page


def test_a_bundle_tells_the_applicant_once_not_once_per_child(env, bundle_rows, outbox, committed):
    from govhall.cases.tests.conftest import bundle_case

    parent = bundle_case(env, bundle_rows)
    with committed():
        parent = act(parent, "accept", env.s.clerk.user)
    assert parent.children.filter(state="in_review").count() == 2
    [n] = Notification.objects.filter(channel="sms")
    assert n.ref == messages.ref_of(parent) and "我要开餐馆" in n.body
    assert len(outbox) == 1


def test_run_daily_jobs_prints_the_lights(env, committed):
    import io

    case = submit(env)
    with committed():
        case = act(case, "accept", env.s.clerk.user)
    out = io.StringIO()
    with clock.frozen(dt.datetime.combine(case.due_date, dt.time(6, 30))), committed():
        call_command("run_daily_jobs", stdout=out)
    assert f"红黄灯提醒（已告知承办人或首席代表）：1 件：{case.number}" in out.getvalue()
