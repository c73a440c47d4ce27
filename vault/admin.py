"""The film vault's per-service settings on the service's admin page. Films, clips and keys never appear here."""

from django.contrib import admin

from accounts.admin import add_service_inline

from .models import VaultPolicy


class VaultPolicyInline(admin.StackedInline):
    model = VaultPolicy
    extra = 0
    max_num = 1
    verbose_name = "Film vault policy"
    verbose_name_plural = "Film vault policy (no row: a 20 GB quota, films up to 2 GB, one person destroys)"


add_service_inline(VaultPolicyInline)
