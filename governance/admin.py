from django.contrib import admin

from .models import AccessLogMonthDropped, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """A service's retention rule holds no family data, so platform admins may set it."""

    list_display = ["service", "basis", "years"]


@admin.register(AccessLogMonthDropped)
class AccessLogMonthDroppedAdmin(admin.ModelAdmin):
    """The record of access-log months removed by retention: read-only, no family data."""

    list_display = ["partition", "month_from", "month_to", "rows", "retention_months", "dropped_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
