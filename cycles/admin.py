"""The cycles app's per-service settings on the service's admin page. Families' records never appear here."""

from django.contrib import admin

from accounts.admin import add_service_inline

from .models import CyclePolicy


class CyclePolicyInline(admin.StackedInline):
    model = CyclePolicy
    extra = 0
    max_num = 1
    verbose_name = "Cycle policy"
    verbose_name_plural = (
        "Cycle policy (no row: footage destroyed 2 months after the end of involvement, visits booked up to 365 days "
        "ahead)"
    )


add_service_inline(CyclePolicyInline)
