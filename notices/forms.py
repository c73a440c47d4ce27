from django import forms

from core.forms import NHSForm
from core.text import SafeFormField, SafeNoteField


class AcknowledgeForm(NHSForm):
    action_taken = SafeNoteField(
        label="What did you do about it?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: phoned the parent, discussed with the safeguarding lead, confirmed destruction.",
    )


class NoticeSettingsForm(NHSForm):
    escalate_after_hours = forms.IntegerField(
        label="Working hours before a risk answer nobody acted on escalates",
        min_value=1,
        max_value=40,
        help_text="Counted Monday to Friday within the working day below. The default is 4: a risk answer raised on "
        "a Friday at 15:00 escalates on Monday at 11:00.",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-3"}),
    )
    working_day_starts = forms.TimeField(
        label="Working day starts (24-hour clock, UK time)", help_text="For example 09:00", input_formats=["%H:%M"]
    )
    working_day_ends = forms.TimeField(
        label="Working day ends (24-hour clock, UK time)", help_text="For example 17:00", input_formats=["%H:%M"]
    )
    tell_coordinators = forms.BooleanField(label="Tell every coordinator covering the family", required=False)
    tell_managers = forms.BooleanField(label="Tell every manager covering the family", required=False)
    remind_awaiting_after_days = forms.IntegerField(
        label="Days before a reminder about information asked for and not received",
        min_value=1,
        max_value=90,
        help_text="The coordinator who asked for more information about a referral gets a notice on their home page "
        "when it has not arrived after this many days. The default is 14.",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-3"}),
    )
    duty_contact = SafeFormField(
        label="Duty contact shown on the escalation warning",
        required=False,
        max_length=200,
        help_text="For example: Duty senior practitioner, 01632 960123.",
    )
