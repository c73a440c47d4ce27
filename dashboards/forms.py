"""The dashboard's filter: a service, a site and a period (GET, so a figure's link can carry it)."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Service, Site
from core.forms import NHSForm
from core.widgets import NHSDateField, QuickSelect


class ListedChoice(forms.ChoiceField):
    """One of the objects given (`offer`), chosen by primary key: what `ModelChoiceField` does, over a list the
    view has already read, so neither checking the choice nor drawing the drop-down asks the database again
    (a `ModelChoiceField` queries for each: three statements on every dashboard page)."""

    default_error_messages = {
        "invalid_choice": "Select a valid choice. That choice is not one of the available choices.",
    }

    def __init__(self, *, empty_label=None, **kwargs):
        self.empty_label = empty_label
        self.objects: dict[str, object] = {}
        super().__init__(choices=(), **kwargs)

    def offer(self, objects, label=str) -> None:
        """The objects to choose from, in order, each shown by `label`."""
        self.objects = {str(obj.pk): obj for obj in objects}
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        self.choices = empty + [(pk, label(obj)) for pk, obj in self.objects.items()]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        found = self.objects.get(str(value))
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class DashboardFilterForm(NHSForm):
    # Drawn in Python (`QuickSelect`): the same markup, without a template per option.
    service = ListedChoice(label="Service", widget=QuickSelect)
    site = ListedChoice(label="Site", required=False, empty_label="All sites", widget=QuickSelect)
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

    def __init__(self, *args, services: list[Service], sites: list[Site], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].offer(services)
        self.fields["site"].offer(sites, label=lambda site: site.name)

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
