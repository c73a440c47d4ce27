"""Per-service outcome settings on the service's admin page: the measures it uses (and when), and the licensed
wording its administrator entered (ADR 0008: outcomes owns them)."""

from django.contrib import admin

from accounts.admin import add_service_inline

from .models import InstrumentWording, MeasureConfig


class MeasureConfigInline(admin.TabularInline):
    model = MeasureConfig
    extra = 0
    fields = ["instrument", "time_points", "order", "note", "threshold_set", "reliable_change_threshold"]


class InstrumentWordingInline(admin.StackedInline):
    model = InstrumentWording
    extra = 0
    fields = ["instrument", "licence_note", "copyright_notice", "stem", "items_text", "options_text"]


add_service_inline(MeasureConfigInline)
add_service_inline(InstrumentWordingInline)
