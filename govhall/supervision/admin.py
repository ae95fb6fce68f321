from django.contrib import admin

from .models import SupervisionOrder, Warning


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    """Read-only: warnings are raised and cleared by the rules, never by hand."""

    list_display = ["case", "kind", "level", "department", "raised_at", "cleared_at"]
    list_filter = ["kind", "level", "department"]
    search_fields = ["case__number"]
    raw_id_fields = ["case", "staff"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(admin.ModelAdmin):
    """Read-only: orders move through the staff pages (audited services)."""

    list_display = ["number", "case", "department", "state", "reply_due", "escalated_at"]
    list_filter = ["state", "department"]
    search_fields = ["number", "case__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
