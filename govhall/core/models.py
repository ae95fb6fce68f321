from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """审计日志 — who changed what, when, why, with the values before and after.

    Rows are only ever inserted (``core.audit.record``); nothing updates or deletes them.
    """

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    action = models.CharField("操作", max_length=64)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象标识", max_length=64)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    reason = models.TextField("理由", blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class TaskDelivery(models.Model):
    """一次投递 — one piece of background work under its delivery id (投递编号).

    ``core.tasks.enqueue`` writes the row in the caller's transaction together with the
    queued task; the task's body runs in the same transaction as the mark ``done``, so
    a delivery is done at most once however often the queue hands it over. A delivery
    that fails ``max_attempts`` times is ``dead`` (死信) until the centre administrator
    retries or discards it (docs/tasks.md).
    """

    class State(models.TextChoices):
        PENDING = "pending", "待执行"
        DONE = "done", "已完成"
        DEAD = "dead", "死信"
        DISCARDED = "discarded", "已丢弃"

    delivery_id = models.CharField("投递编号", max_length=200, unique=True)
    task_path = models.CharField("任务", max_length=200)
    kwargs = models.JSONField("参数", default=dict, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    max_attempts = models.PositiveSmallIntegerField("最多尝试次数", default=5)
    last_error = models.TextField("最近错误", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("更新时间")
    finished_at = models.DateTimeField("完成/死信时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务投递"
        verbose_name_plural = "后台任务投递"
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["state", "updated_at"], name="core_delivery_state_idx")]

    def __str__(self):
        return self.delivery_id
