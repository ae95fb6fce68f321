"""The notifier: queued with the change, sent after commit, retried, recorded."""

from __future__ import annotations

import io
import json

import pytest
from django.core import mail
from django.db import transaction

from govhall.core.models import TaskDelivery
from govhall.core.validators import mask_phone
from govhall.notifications import selectors, services, sms
from govhall.notifications.models import Channel, Notification, Status
from govhall.notifications.services import Message, Recipient

from . import backends

PHONE = "13912345678"


def _sms(group="g1", template="test/hello", **context):
    return Message(
        channel=Channel.SMS,
        template=template,
        to=Recipient(name="张三", phone=PHONE),
        context={"what": "测试", **context},
    )


def _queue(django_capture_on_commit_callbacks, *messages, group="g1", centre=None):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            services.notify(
                messages=list(messages),
                ref="test.thing:1",
                group=group,
                centre_id=centre.pk if centre else None,
            )


def test_sms_is_sent_after_commit_with_the_centres_name(
    org, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            services.notify(
                messages=[_sms()], ref="test.thing:1", group="g1", centre_id=org.county.pk
            )
        assert sms_outbox == []  # nothing before commit
        n = Notification.objects.get()
        assert n.status == Status.QUEUED and n.subject == ""
    for callback in callbacks:
        callback()
    n.refresh_from_db()
    assert n.status == Status.SENT and n.attempts == 1 and n.sent_at is not None
    assert [m.phone for m in sms_outbox] == [PHONE]
    assert sms_outbox[0].text == f"【{org.county.name}】张三您好，这是一条测试消息。"
    assert n.subject == "测试通知" and n.body == sms_outbox[0].text
    [drain] = TaskDelivery.objects.all()
    assert drain.delivery_id.startswith("notifications:drain:") and drain.state == "done"


def test_without_a_centre_the_site_name_is_used(
    org, sms_outbox, django_capture_on_commit_callbacks
):
    _queue(django_capture_on_commit_callbacks, _sms())
    assert sms_outbox[0].text.startswith(f"【{org.county.name}】")


def test_a_rolled_back_change_queues_and_sends_nothing(
    db, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notify(messages=[_sms()], ref="test.thing:1", group="g1")
            raise RuntimeError("the change fails")
    assert not Notification.objects.exists()
    assert not TaskDelivery.objects.exists()
    assert sms_outbox == []


def test_the_same_message_is_never_created_twice(
    db, sms_outbox, django_capture_on_commit_callbacks
):
    _queue(django_capture_on_commit_callbacks, _sms())
    _queue(django_capture_on_commit_callbacks, _sms())
    assert Notification.objects.count() == 1
    assert len(sms_outbox) == 1


def test_email_goes_through_djangos_mail(db, django_capture_on_commit_callbacks):
    message = Message(
        channel=Channel.EMAIL,
        template="test/hello",
        to=Recipient(name="李四", email="lisi@example.cn"),
        context={"what": "邮件"},
    )
    _queue(django_capture_on_commit_callbacks, message)
    assert [m.to for m in mail.outbox] == [["lisi@example.cn"]]
    assert mail.outbox[0].subject == "测试通知"
    assert "这是一条邮件消息" in mail.outbox[0].body
    assert Notification.objects.get().status == Status.SENT


def test_a_failing_gateway_is_retried_and_the_attempts_recorded(
    db, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.tests.backends.FlakyBackend"
    _queue(django_capture_on_commit_callbacks, _sms())
    n = Notification.objects.get()
    # The drain's try fails: the message gets a task of its own, which fails once more
    # and then gets through.
    assert backends.calls == ["try", "try", "try"]
    assert n.status == Status.SENT and n.attempts == 3
    assert "网关超时" in n.last_error
    assert PHONE not in n.last_error and mask_phone(PHONE) in n.last_error
    assert len(sms_outbox) == 1
    own = TaskDelivery.objects.get(delivery_id=f"notifications:{n.pk}")
    assert own.state == "done" and own.attempts == 2


def test_a_gateway_that_keeps_failing_leaves_a_failed_record_and_a_dead_letter(
    db, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.tests.backends.BrokenBackend"
    _queue(django_capture_on_commit_callbacks, _sms())
    n = Notification.objects.get()
    assert n.status == Status.FAILED and n.attempts == 6 and n.sent_at is None  # 1 + 5
    assert "网关拒绝" in n.last_error and PHONE not in n.last_error
    dead = TaskDelivery.objects.get(delivery_id=f"notifications:{n.pk}")
    assert dead.state == "dead" and dead.attempts == 5

    # The administrator retries the dead letter once the gateway works again.
    from govhall.core import tasks as core_tasks
    from govhall.testing import factories

    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.sms.LocmemBackend"
    admin = factories.superuser()
    core_tasks.retry_delivery(actor=admin, delivery_id=dead.pk)
    n.refresh_from_db()
    assert n.status == Status.SENT and len(sms_outbox) == 1


def test_one_failing_message_of_a_group_does_not_resend_the_others(
    db, settings, sms_outbox, django_capture_on_commit_callbacks
):
    from govhall.testing import factories

    staff_user = factories.superuser()
    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.tests.backends.FlakyBackend"
    backends.FlakyBackend.fail_times = 1
    try:
        inbox = Message(
            channel=Channel.INBOX,
            template="test/hello",
            to=Recipient(name="王五", user_id=staff_user.pk),
            context={"what": "站内"},
        )
        _queue(django_capture_on_commit_callbacks, _sms(), inbox)
    finally:
        backends.FlakyBackend.fail_times = 2
    by_channel = {n.channel: n for n in Notification.objects.all()}
    assert by_channel["inbox"].status == Status.SENT and by_channel["inbox"].attempts == 1
    assert by_channel["sms"].status == Status.SENT and by_channel["sms"].attempts == 2
    assert len(sms_outbox) == 1
    ids = sorted(TaskDelivery.objects.values_list("delivery_id", flat=True))
    assert ids[0] == f"notifications:{by_channel['sms'].pk}"
    assert ids[1].startswith("notifications:drain:") and len(ids) == 2


def test_console_backend_masks_the_phone():
    out = io.StringIO()
    sms.ConsoleBackend(stream=out).send_messages([sms.SmsMessage(phone=PHONE, text="您好")])
    assert out.getvalue() == f"[短信] {mask_phone(PHONE)}：您好\n"
    assert PHONE not in out.getvalue()
    assert PHONE not in repr(sms.SmsMessage(phone=PHONE, text="您好"))


def test_file_backend_appends_masked_lines(tmp_path, settings):
    settings.GOVHALL_SMS_FILE_PATH = tmp_path / "sms.log"
    backend = sms.get_backend("govhall.notifications.sms.FileBackend")
    backend.send_messages([sms.SmsMessage(phone=PHONE, text="一", ref="r:1")])
    backend.send_messages([sms.SmsMessage(phone=PHONE, text="二")])
    lines = [json.loads(line) for line in (tmp_path / "sms.log").read_text().splitlines()]
    assert [(d["phone"], d["text"]) for d in lines] == [
        (mask_phone(PHONE), "一"),
        (mask_phone(PHONE), "二"),
    ]
    assert PHONE not in (tmp_path / "sms.log").read_text()


def test_the_backend_is_chosen_by_setting(settings):
    settings.GOVHALL_SMS_BACKEND = "govhall.notifications.sms.NullBackend"
    assert isinstance(sms.get_backend(), sms.NullBackend)
    settings.GOVHALL_SMS_BACKEND = ""
    assert isinstance(sms.get_backend(), sms.ConsoleBackend)


def test_recipient_label_masks_the_phone(db, django_capture_on_commit_callbacks):
    _queue(django_capture_on_commit_callbacks, _sms())
    assert selectors.recipient_label(Notification.objects.get()) == f"张三（{mask_phone(PHONE)}）"


def test_the_dedupe_key_does_not_carry_the_phone(db, django_capture_on_commit_callbacks):
    _queue(django_capture_on_commit_callbacks, _sms())
    assert PHONE not in Notification.objects.get().dedupe_key


def test_a_drain_takes_a_batch_and_queues_the_next(db, sms_outbox, settings):
    """Past a batch the drain queues the next drains, committed with itself."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic():
        services.notify(
            messages=[
                Message(
                    channel=Channel.SMS,
                    template="test/hello",
                    to=Recipient(name=f"人{i}", phone=f"139000000{i:02d}"),
                    context={"what": "批量"},
                )
                for i in range(5)
            ],
            ref="test.thing:1",
            group="many",
        )
    assert services.drain(batch=2, sms_backend=sms.LocmemBackend()) == {"sent": 2, "failed": 0}
    assert Notification.objects.filter(status=Status.SENT).count() == 2
    assert DBTaskResult.objects.count() == 2  # 3 left: two drains of 2 queued
    assert services.drain(batch=10, sms_backend=sms.LocmemBackend())["sent"] == 3
    assert services.drain(batch=10, sms_backend=sms.LocmemBackend())["sent"] == 0
    assert len(sms_outbox) == 5


def test_a_kick_queues_one_drain_a_second_deferred_to_its_end(db, settings):
    import time

    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    services.kick(force=True)
    services.kick()
    services.kick()
    [task] = DBTaskResult.objects.all()
    [delivery] = TaskDelivery.objects.all()
    second = int(delivery.delivery_id.rsplit(":", 1)[1])
    assert abs(second - time.time()) < 5
    assert task.run_after.timestamp() == second + 1.5


def test_send_notifications_command_sends_what_is_queued(db, sms_outbox, settings):
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic():
        services.notify(messages=[_sms()], ref="test.thing:1", group="cmd")
    out = io.StringIO()
    call_command("send_notifications", stdout=out)
    assert "发送 1 条，失败 0 条" in out.getvalue()
    assert Notification.objects.get().status == Status.SENT and len(sms_outbox) == 1


def test_a_stranded_message_gets_a_drain(db, settings):
    import datetime as dt

    from django_tasks_db.models import DBTaskResult

    from govhall.core import clock

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic():  # committed, but say its kick was lost
        services.notify(messages=[_sms()], ref="test.thing:1", group="lost")
    DBTaskResult.objects.all().delete()
    TaskDelivery.objects.all().delete()
    assert services.kick_if_stranded() is False  # not a minute old yet
    with clock.frozen(clock.now() + dt.timedelta(minutes=2)):
        assert services.kick_if_stranded() is True
    assert DBTaskResult.objects.count() == 1


def test_thousands_of_messages_at_once_are_all_queued(org):
    """A morning run may tell of tens of thousands of warnings: more rows than one
    statement may bind (65,535 parameters on PostgreSQL) are queued all the same."""
    from govhall.testing import factories

    user = factories.superuser()
    messages = [
        Message(
            channel=Channel.INBOX,
            template="test/hello",
            to=Recipient(name="张三", user_id=user.pk),
            context={"what": str(i)},
            key=f"k{i}",
        )
        for i in range(3700)
    ]
    with transaction.atomic():
        assert services.notify(messages=messages, ref="test.thing:1", group="many") == 3700
    assert Notification.objects.filter(group="many").count() == 3700
