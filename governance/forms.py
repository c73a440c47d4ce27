"""Forms of the governance pages: keep a record longer, propose destruction, and a subject access request."""

from django import forms

from core.forms import NHSForm
from core.text import SafeNoteField
from core.widgets import NHSDateField


class ExtendForm(NHSForm):
    until = NHSDateField(label="Review again on", help_text="For example, 15 3 2030")
    reason = SafeNoteField(label="Why keep the record longer", help_text="For example: a complaint is still open.")


class ProposeForm(NHSForm):
    reason = SafeNoteField(label="Note for the approver", required=False)


class ApproveForm(NHSForm):
    """No fields: the button is the decision."""


class SubjectAccessForm(NHSForm):
    parent = forms.ModelChoiceField(label="Whose data was requested", queryset=None, empty_label="Choose a person")
    received_on = NHSDateField(label="Date the request was received", help_text="For example, 15 3 2025")

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class RedactionForm(NHSForm):
    redact = forms.MultipleChoiceField(
        label="Withhold these items", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    include_family_text = forms.MultipleChoiceField(
        label="Include these family records (only after checking they do not mention anyone else)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )

    def __init__(self, *args, redact_choices, family_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["redact"].choices = redact_choices
        self.fields["include_family_text"].choices = family_choices


class ReleaseForm(NHSForm):
    """No fields: the button releases the reviewed export."""
