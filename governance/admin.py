from django.contrib import admin

from .models import RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """A service's retention rule holds no family data, so platform admins may set it."""

    list_display = ["service", "basis", "years"]
