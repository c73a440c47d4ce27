"""Forms for the cycle pages: start a cycle, record its filming, add a clip, record the shared review.

Field names match the actions' keywords, so the page passes `cleaned_data` straight to the action. Times in the
film are typed as minutes and seconds ("1:05"), or seconds alone, and cleaned to whole seconds.
"""

import re

from django import forms

from core.forms import NHSForm
from core.text import SafeFormField, SafeNoteField
from core.widgets import NHSDateField
from cycles.dates import backdated_reason_form_field

from ..models import Clip, FilmedActivity, Principle, VisitOutcome

_TIME = re.compile(r"^(?:(?:(\d{1,2}):)?(\d{1,3}):)?(\d{1,5})$")


def parse_time(text: str) -> int | None:
    """'1:05' → 65, '1:00:10' → 3610, '45' → 45; None if it is not a time."""
    match = _TIME.match(text.strip().replace(".", ":"))
    if not match:
        return None
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    if (match.group(2) is not None and seconds >= 60) or (match.group(1) is not None and minutes >= 60):
        return None
    return hours * 3600 + minutes * 60 + seconds


def show_time(seconds: int) -> str:
    """65 → '1:05'."""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


class FilmTimeField(forms.CharField):
    """A time in the film, typed as minutes and seconds, cleaned to whole seconds."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "spellcheck": "false", "class": "nhsuk-input--width-5"})

    def clean(self, value):
        value = super().clean(value)
        seconds = parse_time(value)
        if seconds is None:
            enter = self.error_messages.get("required") or f"Enter {str(self.label).lower()}"  # names the field
            raise forms.ValidationError(f"{enter} as minutes and seconds, for example 1:05")
        return seconds

    def prepare_value(self, value):
        return show_time(value) if isinstance(value, int) else value


class StartCycleForm(NHSForm):
    beyond_maximum_reason = SafeNoteField(
        label="Reason for a cycle beyond the service's maximum",
        required=False,
        help_text="Needed only past the service's maximum number of cycles.",
    )

    def __init__(self, *args, beyond_maximum: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not beyond_maximum:
            del self.fields["beyond_maximum_reason"]


def _visit_field(referral) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Visit",
        queryset=referral.visits.in_force().filter(outcome=VisitOutcome.ATTENDED).order_by("-planned_at"),
        required=False,
        empty_label="Not linked to a recorded visit",
        help_text="The visit this took place in, recorded as attended on the same day.",
    )


class FilmingForm(NHSForm):
    filmed_on = NHSDateField(label="Date filmed", help_text="For example, 15 3 2025")
    backdated_reason = backdated_reason_form_field()
    activity = forms.ChoiceField(label="Activity filmed", choices=FilmedActivity.choices, widget=forms.RadioSelect)
    activity_details = SafeFormField(
        label="What was filmed", max_length=200, required=False, help_text="Needed if you chose Other."
    )
    filmed_parents = forms.ModelMultipleChoiceField(
        label="Parents or carers filmed", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    filmed_children = forms.ModelMultipleChoiceField(
        label="Older children filmed",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A child aged 12 or over on the day must have given their own consent to filming.",
    )
    length_seconds = FilmTimeField(label="Length of the film", help_text="Minutes and seconds, for example 7:30")

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filmed_parents"].queryset = referral.parents.all()
        children = referral.other_children.all()
        if children:
            self.fields["filmed_children"].queryset = children
        else:
            del self.fields["filmed_children"]
        self.fields["visit"] = _visit_field(referral)


class ClipForm(NHSForm):
    start_seconds = FilmTimeField(
        label="Start time",
        help_text="Minutes and seconds into the film, e.g. 1:05",
        error_messages={"required": "Enter the clip's start time"},
    )
    end_seconds = FilmTimeField(
        label="End time",
        help_text="Within the film's length",
        error_messages={"required": "Enter the clip's end time"},
    )
    principles = forms.TypedMultipleChoiceField(
        label="Principles of attuned interaction it shows",
        choices=Principle.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one principle of attuned interaction the clip shows"},
    )
    helping_question = forms.ModelChoiceField(
        label="Helping question it speaks to",
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the helping question the clip speaks to"},
    )
    description = SafeNoteField(
        label='The "better than usual" moment',
        max_length=1000,
        help_text="A short description of what happens.",
        error_messages={"required": 'Describe the "better than usual" moment in the clip'},
    )
    marked_for_training = forms.BooleanField(
        label="Mark for use in training",
        required=False,
        help_text="Only if everyone filmed agreed to use in training.",
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helping_question"].queryset = referral.helping_questions.in_force()


class SharedReviewForm(NHSForm):
    reviewed_on = NHSDateField(label="Date of the shared review", help_text="For example, 22 3 2025")
    backdated_reason = backdated_reason_form_field()
    clips_watched = forms.ModelMultipleChoiceField(
        label="Clips watched", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    parent_reflections = SafeNoteField(
        label="The parent's reflections", max_length=5000, help_text='"What do you see?" In their own words.'
    )
    parent_learning = SafeNoteField(label="What the parent learned", max_length=5000, required=False)
    next_focus = SafeNoteField(label="Focus for the next cycle", required=False)

    def __init__(self, *args, referral, filming, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clips_watched"].queryset = filming.clips.in_force() if filming else Clip.objects.none()
        self.fields["clips_watched"].label_from_instance = _clip_label
        self.fields["visit"] = _visit_field(referral)


def _clip_label(clip) -> str:
    return f"{show_time(clip.start_seconds)}–{show_time(clip.end_seconds)}: {clip.description[:80]}"
