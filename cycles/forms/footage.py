"""Forms for the footage record and for confirming its destruction."""

from django import forms

from core.forms import NHSForm
from core.text import SafeFormField
from core.widgets import NHSDateField

from ..models import FamilyCopy, Footage


def _max(field: str) -> int:
    return Footage._meta.get_field(field).max_length


class FootageForm(NHSForm):
    location = SafeFormField(
        label="Where the footage is held",
        max_length=_max("location"),
        help_text="The service's encrypted device or share. The app stores no video.",
    )
    reference = SafeFormField(label="Reference", max_length=_max("reference"), required=False)
    family_copy = forms.ChoiceField(
        label="Has the family received its copy of the clips?", choices=FamilyCopy.choices, widget=forms.RadioSelect
    )
    family_copy_how = SafeFormField(
        label="How the family received it",
        max_length=_max("family_copy_how"),
        required=False,
        help_text="For example, on an encrypted USB stick or by secure email.",
    )
    family_copy_on = NHSDateField(
        label="Date the family received it", required=False, help_text="For example, 15 3 2025"
    )


class DestructionForm(NHSForm):
    destroyed_on = NHSDateField(label="Date the footage was destroyed", help_text="For example, 15 3 2025")
