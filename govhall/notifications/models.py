"""消息通知 — one message to one recipient on one channel (issue 9 §2).

A :class:`Notification` row is written in the transaction of the change that causes
it (``services.notify``) and sent after commit by a reliable task (``tasks``). It is
the record of what was told to whom, when, and whether it was delivered: pages list
the messages of anything by its ``ref`` ("cases.case:<pk>"), so no app above needs a
foreign key here and this app imports nothing above ``org``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from govhall.org.models import Centre


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    INBOX = "inbox", "站内消息"


class Status(models.TextChoices):
    QUEUED = "queued", "待发送"
    RETRYING = "retrying", "重试中"
    SENT = "sent", "已送达"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    """One message. The recipient is a staff user (``recipient_user``: inbox, or email
    to the user's address) or someone without an account (an applicant), named with
    the phone or address it is sent to. ``template`` and ``context`` are what the
    message is rendered from when it is sent (``subject``/``body`` then hold the
    text as sent). ``dedupe_key`` is unique: the same message is never created twice.
    ``group`` names the change that caused it (the notifications of one event share
    it, and it prefixes their ``dedupe_key``). The queued rows are the outbox the
    drain task sends (``services``)."""

    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人账号",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    recipient_name = models.CharField("接收人", max_length=100)
    recipient_phone = models.CharField("手机号", max_length=20, blank=True)
    recipient_email = models.EmailField("电子邮箱", blank=True)
    centre = models.ForeignKey(
        Centre,
        verbose_name="发送中心",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    template = models.CharField("模板", max_length=100)
    context = models.JSONField("模板数据", default=dict, blank=True)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    ref = models.CharField("关联对象", max_length=100, db_index=True)
    group = models.CharField("批次", max_length=150)
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息通知"
        verbose_name_plural = "消息通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            # A staff member's inbox, newest first, and the bell's unread count.
            models.Index(
                fields=["recipient_user", "-created_at"],
                condition=Q(channel="inbox"),
                name="notification_inbox",
            ),
            # The outbox: what the drains take, oldest first.
            models.Index(fields=["id"], condition=Q(status="queued"), name="notification_outbox"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(channel="sms") | ~Q(recipient_phone=""),
                name="notification_sms_has_phone",
            ),
            models.CheckConstraint(
                condition=~Q(channel="email") | ~Q(recipient_email=""),
                name="notification_email_has_address",
            ),
            models.CheckConstraint(
                condition=~Q(channel="inbox") | Q(recipient_user__isnull=False),
                name="notification_inbox_has_user",
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_channel_display()} → {self.recipient_name}：{self.subject or self.template}"
        )
