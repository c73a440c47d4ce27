"""The audit viewer's filters: a family (reference or id), a member of staff, a date range."""

from django import forms

from audit.reads import Filters, audit_staff, find_family
from core.forms import NHSForm
from core.text import SafeFormField
from core.widgets import NHSDateField

NOT_FOUND = "No family with that reference in your services"


class AuditFilterForm(NHSForm):
    family = SafeFormField(
        label="Family's referral reference", required=False, max_length=20, help_text="For example, R000123"
    )
    person = forms.ModelChoiceField(label="Member of staff", queryset=None, required=False, empty_label="Anyone")
    start = NHSDateField(label="From", required=False, help_text="For example, 1 3 2026")
    end = NHSDateField(label="To", required=False, help_text="For example, 31 3 2026")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["person"].queryset = audit_staff(user)
        self.fields["person"].label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.username})"

    def clean_family(self):
        text = self.cleaned_data["family"].strip()
        if not text:
            return None
        referral = find_family(self.user, text)
        if referral is None:  # the same answer for a family that does not exist and one of another service
            raise forms.ValidationError(NOT_FOUND)
        return referral

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The 'to' date must be the same as or after the 'from' date")
        return cleaned

    def filters(self) -> Filters | None:
        """The chosen filters, or None when the form has errors."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return Filters(referral=data["family"], person=data["person"], start=data["start"], end=data["end"])
