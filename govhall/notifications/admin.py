"""Back office: notifications read-only, phones masked."""

from django.contrib import admin

from govhall.core.validators import mask_phone

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "subject", "status", "attempts", "ref"]
    list_filter = ["channel", "status"]
    search_fields = ["ref", "recipient_name", "subject"]
    fields = [
        "created_at",
        "channel",
        "recipient",
        "recipient_user",
        "centre",
        "template",
        "subject",
        "body",
        "url",
        "ref",
        "group",
        "dedupe_key",
        "status",
        "attempts",
        "last_error",
        "sent_at",
        "read_at",
    ]
    readonly_fields = fields

    @admin.display(description="接收人")
    def recipient(self, obj):
        phone = f" {mask_phone(obj.recipient_phone)}" if obj.recipient_phone else ""
        return (
            f"{obj.recipient_name}{phone}{' ' + obj.recipient_email if obj.recipient_email else ''}"
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
