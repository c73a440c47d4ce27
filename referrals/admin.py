"""Only a service's eligibility rules are configured in the admin; families' records never appear there."""

from django.contrib import admin

from accounts.admin import add_service_inline

from .models import EligibilityRule


class EligibilityRuleInline(admin.TabularInline):
    model = EligibilityRule
    extra = 0


add_service_inline(EligibilityRuleInline)
