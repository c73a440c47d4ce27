from django import forms

from core.forms import NHSForm
from core.text import SafeNoteField


class AcknowledgeForm(NHSForm):
    action_taken = SafeNoteField(
        label="What did you do about it?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: phoned the parent, discussed with the safeguarding lead, confirmed destruction.",
    )
