"""Back office views of cases: read-only — every change goes through the services."""

from django.contrib import admin

from .models import (
    Bundle,
    BundleItem,
    Case,
    CaseDocument,
    CaseEvent,
    CaseFee,
    SubmittedMaterial,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["at", "action", "from_state", "to_state", "actor_name", "opinion"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(_ReadOnly):
    list_display = ["number", "item_version", "department", "state", "due_date", "applicant_name"]
    list_filter = ["state", "department", "channel", "deemed_accepted_s32"]
    search_fields = ["number", "applicant_name"]
    inlines = [EventInline]


@admin.register(SubmittedMaterial)
class SubmittedMaterialAdmin(_ReadOnly):
    list_display = ["case", "name", "checked", "tolerated", "caught_up_at"]


@admin.register(CaseDocument)
class CaseDocumentAdmin(_ReadOnly):
    list_display = ["number", "kind", "case", "issued_at"]


@admin.register(CaseFee)
class CaseFeeAdmin(_ReadOnly):
    list_display = ["case", "name", "amount", "fee_line", "recorded_at", "cancelled_at"]


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    extra = 1
    autocomplete_fields = []


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    """一件事 definitions are maintained by the centre in the back office."""

    list_display = ["code", "name", "lead_department", "is_active"]
    inlines = [BundleItemInline]
