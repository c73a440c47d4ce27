"""Forms for discharging a family and reopening a discharged one."""

from django import forms

from core.forms import NHSForm
from core.text import SafeFormField, SafeNoteField
from core.widgets import NHSDateField

from .actions.discharge import MAX_REQUESTED_ACTIONS
from .models import Discharge, DischargeReason

ACTION_ROWS = MAX_REQUESTED_ACTIONS


def _max(field: str) -> int:
    return Discharge._meta.get_field(field).max_length


class DischargeForm(NHSForm):
    discharged_on = NHSDateField(label="Date of discharge", help_text="For example, 15 3 2026")
    reason = forms.ChoiceField(
        label="Why is the family discharged?", choices=DischargeReason.choices, widget=forms.RadioSelect
    )
    reason_details = SafeNoteField(
        label="More about the reason (needed for Other)", max_length=_max("reason_details"), required=False
    )
    summary = SafeNoteField(label="Summary of the work", max_length=_max("summary"))
    did_well = SafeNoteField(
        label="What the family did well",
        max_length=_max("did_well"),
        required=False,
        help_text="In warm, plain words: this goes into the family's letter.",
    )
    ideas = SafeNoteField(label="Ideas for the future", max_length=_max("ideas"), required=False)
    health_visitor = SafeFormField(label="Named health visitor", max_length=_max("health_visitor"), required=False)
    plan = SafeNoteField(label="Plan for the health visitor", max_length=_max("plan"), required=False)
    letter_to_referrer_agreed = forms.BooleanField(
        label="The family agreed to a letter to the referrer", required=False
    )
    letter_to_health_visitor_agreed = forms.BooleanField(
        label="The family agreed to a letter to the named health visitor", required=False
    )
    family_copy_given = forms.BooleanField(label="The family has been given their copy of the footage", required=False)

    def __init__(self, *args, missing_measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{n}_who"] = SafeFormField(
                label=f"Requested action {n}: who", max_length=200, required=False
            )
            self.fields[f"action_{n}_what"] = SafeNoteField(
                label=f"Requested action {n}: what", max_length=2000, required=False
            )
            self.fields[f"action_{n}_by_when"] = NHSDateField(label=f"Requested action {n}: by when", required=False)
        if missing_measures:
            names = ", ".join(m["label"] for m in missing_measures)
            self.fields["missing_measures_reason"] = SafeNoteField(
                label="Why are the end measures missing?",
                help_text=f"Not recorded yet: {names}. Record them first, or say why they are missing.",
                max_length=_max("missing_measures_reason"),
                required=False,
            )

    def clean(self):
        """Rows past the third are refused, not dropped: a hand-made or stale form never loses an action silently."""
        cleaned = super().clean()
        extra = [
            key
            for key, value in self.data.items()
            if value
            and key.startswith("action_")
            and key.split("_")[1].isdigit()
            and int(key.split("_")[1]) > ACTION_ROWS
        ]
        if extra:
            self.add_error(None, f"Requested actions: enter at most {ACTION_ROWS}")
        return cleaned

    def action_data(self) -> dict:
        """The cleaned data as the action's keyword arguments (requested actions as a list)."""
        data = dict(self.cleaned_data)
        actions = []
        for n in range(1, ACTION_ROWS + 1):
            row = {key: data.pop(f"action_{n}_{key}") for key in ("who", "what", "by_when")}
            actions.append(row)
        data["requested_actions"] = actions
        data.setdefault("missing_measures_reason", "")
        return data


class ReopenForm(NHSForm):
    reason = SafeNoteField(label="Why is the referral reopened?", max_length=_max("reopen_reason"))
    allocate_again = forms.BooleanField(
        label="Give the family back to the practitioner who discharged them",
        help_text="Otherwise the family goes back on the waiting list.",
        required=False,
    )
    over_capacity_reason = SafeNoteField(
        label="Reason for giving the family back past capacity or during a pause",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only if that practitioner is now full or their availability is paused.",
    )
