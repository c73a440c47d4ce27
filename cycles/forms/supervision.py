"""Forms for recording supervision and a stage reached."""

from django import forms

from core.forms import NHSForm
from core.text import SafeFormField
from core.widgets import NHSDateField

from ..actions.supervision import MAX_SUPERVISION_MINUTES


class CycleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, cycle):
        reviewed = cycle.shared_review
        state = f"reviewed {reviewed.reviewed_on:%-d %b %Y}" if reviewed else "not reviewed yet"
        signed = "; signed off" if cycle.signed_off_at else ""
        return f"{cycle.referral.reference} {cycle.referral.child_display_name}: cycle {cycle.number} ({state}{signed})"


class SupervisionForm(NHSForm):
    held_on = NHSDateField(label="Date of the session", help_text="For example, 15 3 2025")
    duration_minutes = forms.IntegerField(
        label="Duration in minutes",
        min_value=1,
        max_value=MAX_SUPERVISION_MINUTES,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}),
    )
    cycles = CycleChoiceField(
        label="Cycles discussed",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only cycles whose filmed family members consent to viewing by the supervisor can be discussed.",
    )
    signed_off = CycleChoiceField(
        label="Cycles whose work you sign off",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A cycle can be signed off once its shared review is recorded.",
    )
    feedback = SafeFormField(
        label="Feedback", required=False, multiline=True, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, cycles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycles"].queryset = cycles
        self.fields["signed_off"].queryset = cycles


class StageReachedForm(NHSForm):
    stage = forms.TypedChoiceField(
        label="Stage reached",
        coerce=int,
        choices=[(1, "Stage 1"), (2, "Stage 2"), (3, "Stage 3")],
        widget=forms.RadioSelect,
    )
    reached_on = NHSDateField(label="Date reached", help_text="For example, 15 3 2025")
