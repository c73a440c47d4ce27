"""The Django admin: platform admins configure services and staff here. It never shows families' records."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import (
    AccessEvent,
    Membership,
    PractitionerDetails,
    ProviderIdentity,
    ReferralQuestion,
    ReferralSource,
    Service,
    Site,
    TrainingStageTarget,
    User,
)


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


class ReferralSourceInline(admin.TabularInline):
    model = ReferralSource
    extra = 0


class ReferralQuestionInline(admin.TabularInline):
    model = ReferralQuestion
    extra = 0


class TrainingStageTargetInline(admin.TabularInline):
    model = TrainingStageTarget
    extra = 0


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    """A service's configuration. Apps add their own settings' inlines with `add_service_inline` (referrals adds
    its eligibility rules), so this module imports no app."""

    list_display = ["name", "organisation", "planned_cycles", "wait_target_weeks", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SiteInline, ReferralSourceInline, ReferralQuestionInline, TrainingStageTargetInline]


def add_service_inline(inline: type[admin.options.InlineModelAdmin]) -> None:
    """Let an app put its per-service settings on the service's admin page (called from the app's admin.py)."""
    if inline not in ServiceAdmin.inlines:
        ServiceAdmin.inlines = [*ServiceAdmin.inlines, inline]


@admin.register(PractitionerDetails)
class PractitionerDetailsAdmin(admin.ModelAdmin):
    """Read-only here: changes go through the practitioner details page, whose action checks the supervisor,
    moves supervision of current families and writes the access log."""

    list_display = ["membership", "capacity", "training_stage", "supervisor", "paused_from", "paused_until"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    list_select_related = ["membership__user", "membership__service", "supervisor"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    filter_horizontal = ["sites"]


class ProviderIdentityInline(admin.TabularInline):
    """Link a colleague's identity at the trust's provider (issuer + subject from the 'not set up yet' page) to
    this account. The only way anyone signs in through the provider (ADR 0028)."""

    model = ProviderIdentity
    extra = 0
    fields = ["issuer", "subject", "confirmed", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name = "NHS identity (sign in with the organisation's provider)"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline, ProviderIdentityInline]
    fieldsets = DjangoUserAdmin.fieldsets + (("Work", {"fields": ["job_title"]}),)


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """Read-only: the access log is append-only."""

    list_display = ["at", "username", "action", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
