"""Reads of notifications: a staff member's inbox, and the messages about an object."""

from __future__ import annotations

from django.db.models import QuerySet

from govhall.core.validators import mask_phone

from .models import Channel, Notification, Status


def inbox(*, user) -> QuerySet[Notification]:
    """``user``'s inbox messages that were delivered, newest first."""
    return Notification.objects.filter(
        recipient_user=user, channel=Channel.INBOX, status=Status.SENT
    ).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    """The bell's number: delivered inbox messages ``user`` has not read (one query)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return inbox(user=user).filter(read_at__isnull=True).count()


def ref_of(obj) -> str:
    """The ``ref`` of a model instance: ``<app_label>.<model>:<pk>`` ("cases.case:7")."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def for_ref(*, ref: str) -> QuerySet[Notification]:
    """Every message about ``ref`` ("cases.case:<pk>"), oldest first (one query)."""
    return Notification.objects.filter(ref=ref).order_by("created_at", "id")


def recipient_label(n: Notification) -> str:
    """Who, as a page shows it: the name and, for SMS, the phone masked."""
    if n.channel == Channel.SMS:
        return f"{n.recipient_name}（{mask_phone(n.recipient_phone)}）"
    if n.channel == Channel.EMAIL:
        return f"{n.recipient_name}（{n.recipient_email}）"
    return n.recipient_name
