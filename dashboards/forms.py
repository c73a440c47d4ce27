"""The dashboard's filter: a service, a site and a period (GET, so a figure's link can carry it)."""

from django import forms

from accounts.models import Service, Site
from core.forms import NHSForm
from core.widgets import NHSDateField, QuickSelect


class DashboardFilterForm(NHSForm):
    # Drawn in Python (`QuickSelect`): the same markup, without a template per option.
    service = forms.ModelChoiceField(
        label="Service", queryset=Service.objects.none(), empty_label=None, widget=QuickSelect
    )
    site = forms.ModelChoiceField(
        label="Site", queryset=Site.objects.none(), required=False, empty_label="All sites", widget=QuickSelect
    )
    start = NHSDateField(label="From", required=False, help_text="For example, 1 4 2025")
    end = NHSDateField(label="To", required=False)
    weeks = forms.IntegerField(
        label="Nothing recorded for how many weeks",
        help_text="Which allocated families to count as having nothing recorded. For example, 6",
        min_value=1,
        max_value=52,
        required=False,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-2", "inputmode": "numeric"}),
    )

    def __init__(self, *args, services, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: site.name

    def clean(self):
        cleaned = super().clean()
        site, service = cleaned.get("site"), cleaned.get("service")
        if site is not None and service is not None and site.service_id != service.pk:
            self.add_error("site", "Choose a site of the chosen service")
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end of the period must be on or after its start")
        return cleaned


class ExportRequestForm(NHSForm):
    """Prepare a figure's CSV in the background; free text only when asked for (the label says what it adds)."""

    include_free_text = forms.BooleanField(
        label="Include free text",
        required=False,
        help_text="Adds the referrer's details of the reason for referral and the reason the referral was closed. "
        "These may name people or describe their health: include them only if you need them.",
    )
