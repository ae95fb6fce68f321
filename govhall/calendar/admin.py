"""Read-only admin: the table is changed only through ``calendar.services`` (which
keep the ordinals, the version token, the audit trail and the signal consistent)."""

from django.contrib import admin

from .models import Day, YearSchedule


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Day)
class DayAdmin(_ReadOnly):
    list_display = ["date", "kind", "name", "is_workday", "ordinal", "provisional"]
    list_filter = ["kind", "provisional"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(YearSchedule)
class YearScheduleAdmin(_ReadOnly):
    list_display = ["year", "source", "entered_by", "entered_at"]
    list_filter = ["source"]
