"""Forms for visits and liaison: short, one question per line, working from the keyboard without JavaScript."""

import datetime

from django import forms
from django.utils import timezone

from core.forms import NHSForm
from core.text import SafeFormField, SafeNoteField
from core.widgets import NHSDateField
from cycles.dates import backdated_reason_form_field

from ..models import ActivityKind, LiaisonMethod, VisitOutcome, VisitPlace

TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M", "%I:%M%p", "%I:%M %p", "%I%p", "%I %p"]


class TimeOfDayField(forms.TimeField):
    """A time typed as 14:30 (or 2:30pm); the NHS.UK pattern is a short text box, not a picker."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", TIME_FORMATS)
        kwargs.setdefault("help_text", "For example, 14:30")
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "nhsuk-input--width-5", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().lower().replace(" ", "")
        return super().to_python(value)


def combine(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A date and a time of day, in the service's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, time))


class ActivitiesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "What the visit is for")
        kwargs.setdefault("choices", ActivityKind.choices)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Choose all that apply: a shared review and the next filming can share a visit.")
        super().__init__(**kwargs)


class VisitBookForm(NHSForm):
    planned_on = NHSDateField(label="Date", help_text="For example, 15 3 2025")
    planned_time = TimeOfDayField(label="Time")
    backdated_reason = backdated_reason_form_field()
    place = forms.ChoiceField(label="Where", choices=VisitPlace.choices, widget=forms.RadioSelect)
    place_details = SafeFormField(
        label="Place details", required=False, max_length=200, help_text="Needed for 'Other': say where."
    )
    activities = ActivitiesField()

    def clean(self):
        data = super().clean()
        if data.get("planned_on") and data.get("planned_time"):
            data["planned_at"] = combine(data.pop("planned_on"), data.pop("planned_time"))
        return data


class VisitRescheduleForm(NHSForm):
    planned_on = NHSDateField(label="New date", help_text="For example, 15 3 2025")
    planned_time = TimeOfDayField(label="New time")
    backdated_reason = backdated_reason_form_field()
    reason = SafeNoteField(label="Reason", required=False)

    def clean(self):
        data = super().clean()
        if data.get("planned_on") and data.get("planned_time"):
            data["planned_at"] = combine(data.pop("planned_on"), data.pop("planned_time"))
        return data


class VisitRecordForm(NHSForm):
    """What happened at a visit. Its fields are also what a draft keeps (and nothing else)."""

    outcome = forms.ChoiceField(label="What happened", choices=VisitOutcome.choices, widget=forms.RadioSelect)
    outcome_reason = SafeNoteField(label="Reason", required=False, help_text="Needed unless the visit was attended.")
    duration_minutes = forms.IntegerField(
        label="Duration in minutes",
        required=False,
        min_value=1,
        max_value=600,
        help_text="Needed for an attended visit.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}),
    )
    present = SafeFormField(label="Who was present", required=False, max_length=300)
    notes = SafeFormField(
        label="Notes", required=False, multiline=True, max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    activities = ActivitiesField(label="What the visit was for", help_text="Choose all that apply.")


class LiaisonForm(NHSForm):
    contacted_on = NHSDateField(label="Date of contact", help_text="For example, 15 3 2025")
    method = forms.ChoiceField(label="How", choices=LiaisonMethod.choices, widget=forms.RadioSelect)
    summary = SafeNoteField(label="Summary", widget=forms.Textarea(attrs={"rows": 5}))
