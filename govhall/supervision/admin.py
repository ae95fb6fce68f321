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


# --------------------------------------------------------------------------- 卷宗评查 (§3)

from . import reviews as _reviews  # noqa: E402,F401 — declares this area's audit actions
from .models import (  # noqa: E402
    FileReview,
    Inspection,
    ReviewChecklist,
    ReviewDraw,
    ThirdPartyScore,
)


class _ReadOnly(admin.ModelAdmin):
    """Read-only: these rows change through the staff pages (audited services)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewChecklist)
class ReviewChecklistAdmin(_ReadOnly):
    list_display = ["version", "note", "created_at"]


@admin.register(ReviewDraw)
class ReviewDrawAdmin(_ReadOnly):
    list_display = ["month", "seed", "checklist", "drawn_at"]


@admin.register(FileReview)
class FileReviewAdmin(_ReadOnly):
    list_display = ["case", "draw", "department", "state", "score", "special_abuse"]
    list_filter = ["state", "department", "special_abuse"]
    search_fields = ["case__number"]
    raw_id_fields = ["case"]


@admin.register(Inspection)
class InspectionAdmin(_ReadOnly):
    list_display = ["inspected_on", "kind", "department", "window", "state"]
    list_filter = ["kind", "state", "department"]


@admin.register(ThirdPartyScore)
class ThirdPartyScoreAdmin(_ReadOnly):
    list_display = ["department", "period_start", "period_end", "score", "source"]
    list_filter = ["department"]
