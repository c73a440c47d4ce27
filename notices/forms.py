from django import forms

from core.text import SafeNoteField


class AcknowledgeForm(forms.Form):
    action_taken = SafeNoteField(
        label="What did you do about it?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: phoned the parent, discussed with the safeguarding lead, confirmed destruction.",
    )
