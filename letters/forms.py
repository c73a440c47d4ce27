"""Letter forms: edit a letter's sections, approve, mark sent, regenerate a month, and a service's wording."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import NHSForm
from core.text import LONG_TEXT_MAX_LENGTH, SafeFormField, SafeNoteField
from core.widgets import NHSDateField

from . import whereabouts, wording
from .models import ADDRESS_MAX_LENGTH, PHONE_MAX_LENGTH, RECIPIENT_ADDRESS_MAX_LENGTH, RECIPIENT_NAME_MAX_LENGTH
from .states import LetterKind


class LetterEditForm(NHSForm):
    """The recipient and each free-text section of this kind of letter, prefilled with what the letter says now."""

    recipient_name = SafeFormField(label="To", max_length=RECIPIENT_NAME_MAX_LENGTH)
    recipient_address = SafeNoteField(label="Address or team", max_length=RECIPIENT_ADDRESS_MAX_LENGTH, required=False)

    def __init__(self, *args, letter, **kwargs):
        sections = letter.content.get("sections", {})
        initial = {"recipient_name": letter.recipient_name, "recipient_address": letter.recipient_address}
        initial |= {key: sections.get(key, "") for key, _ in wording.SECTIONS[letter.kind]}
        super().__init__(*args, initial=initial, **kwargs)
        for key, label in wording.SECTIONS[letter.kind]:
            self.fields[key] = SafeNoteField(
                label=label,
                max_length=LONG_TEXT_MAX_LENGTH,
                required=False,
                widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),  # Urdu typed right to left
                help_text="You can use {child_name}, {parent_names}, {referrer_name}." if key == "opening" else "",
            )
        self.section_keys = [key for key, _ in wording.SECTIONS[letter.kind]]

    def action_data(self) -> dict:
        data = self.cleaned_data
        return {
            "sections": {key: data.get(key, "") for key in self.section_keys},
            "recipient_name": data["recipient_name"],
            "recipient_address": data.get("recipient_address", ""),
        }


class ConfirmForm(NHSForm):
    """A button with nothing to fill in (approve, confirm, regenerate)."""


class LetterApproveForm(NHSForm):
    """Approve: nothing to fill in, except for a letter to a professional about a family with a confidential
    address, where the approver ticks that it reveals no whereabouts (the action refuses without it too)."""

    def __init__(self, *args, letter, **kwargs):
        super().__init__(*args, **kwargs)
        if whereabouts.withholds_address(letter.referral, letter.kind):
            self.fields[whereabouts.CONFIRM_FIELD] = forms.BooleanField(
                label=whereabouts.CONFIRM_LABEL,
                error_messages={"required": whereabouts.CONFIRM_MISSING},
            )

    def action_data(self) -> dict:
        return {"confirmed_no_whereabouts": bool(self.cleaned_data.get(whereabouts.CONFIRM_FIELD))}


class MarkSentForm(NHSForm):
    sent_on = NHSDateField(label="Date sent")
    how = SafeFormField(label="How it was sent", max_length=200, help_text="For example: post, secure email, by hand.")


class MonthForm(NHSForm):
    month = forms.CharField(
        label="Month approved",
        max_length=7,
        help_text="For example 2026-05.",
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def clean_month(self):
        from datetime import date

        value = self.cleaned_data["month"]
        try:
            year, month = (int(part) for part in value.split("-"))
            return date(year, month, 1)
        except (ValueError, TypeError):
            raise forms.ValidationError("Enter a month like 2026-05") from None


class LetterSettingsForm(NHSForm):
    """The letterhead, how to reach the service (printed in every letter), the team line and the marking."""

    letterhead = SafeNoteField(label="Letterhead", max_length=2000, required=False)
    phone = SafeFormField(
        label="Phone number", max_length=PHONE_MAX_LENGTH, required=False, help_text="For example, 01632 960123"
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        required=False,
        help_text="A secure address families and health visitors can write to, for example vig.team@nhs.net",
        error_messages={"invalid": "Enter an email address like vig.team@nhs.net"},
    )
    address_block = SafeNoteField(
        label="Postal address", max_length=ADDRESS_MAX_LENGTH, required=False, help_text="The team's postal address."
    )
    sign_off = SafeNoteField(
        label="Team line",
        max_length=1000,
        required=False,
        help_text="Printed under the practitioner's name and role, for example the team and organisation.",
    )
    confidential_marking = SafeFormField(label="Confidential marking", max_length=100)

    def clean_phone(self):
        """The same check as the action, shown beside the box before anything is saved."""
        from .actions.settings import check_contact

        phone = " ".join((self.cleaned_data.get("phone") or "").split())
        try:
            check_contact(phone=phone, email="")
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["phone"]) from None
        return phone


class LetterTemplateForm(NHSForm):
    opening = SafeNoteField(label="Opening", max_length=LONG_TEXT_MAX_LENGTH, required=False)
    closing = SafeNoteField(label="Closing", max_length=LONG_TEXT_MAX_LENGTH, required=False)
    signposting = SafeNoteField(label="Signposting (decline letters)", max_length=LONG_TEXT_MAX_LENGTH, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != LetterKind.DECLINE:
            del self.fields["signposting"]
        placeholders = ", ".join("{" + name + "}" for name in wording.PLACEHOLDERS)
        self.fields["opening"].help_text = f"Placeholders you can use: {placeholders}."


class LetterTranslationForm(NHSForm):
    """A service's wording of the family's letter in one language: the English beside each box as the hint, a
    heading for each section, and who checked the translation. Boxes take the text's own direction (dir="auto")."""

    opening = SafeNoteField(label="Opening", max_length=LONG_TEXT_MAX_LENGTH, required=False)
    closing = SafeNoteField(label="Closing", max_length=LONG_TEXT_MAX_LENGTH, required=False)
    checked_by = SafeFormField(
        label="Checked by",
        max_length=200,
        help_text="The qualified translator who checked this wording, and their organisation.",
    )
    checked_on = NHSDateField(label="Date checked")
    in_use = forms.BooleanField(
        label="Use this wording for new letters to families who read this language",
        required=False,
        initial=True,
    )

    def __init__(self, *args, language, english: dict, headed_sections: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.heading_keys = [key for key, _ in headed_sections]
        attrs = {"dir": "auto", "lang": language.code}
        for name in ("opening", "closing"):
            self.fields[name].widget = forms.Textarea(attrs={**attrs, "rows": 4})
            self.fields[name].help_text = f"In English: {english.get(name) or '(none)'}"
        for key, label in headed_sections:
            self.fields[f"heading_{key}"] = SafeFormField(
                label=f"Heading: {label}",
                max_length=200,
                help_text=f"In English: {label}",
                widget=forms.TextInput(attrs=attrs),
            )
        self.order_fields(["opening", *(f"heading_{k}" for k in self.heading_keys), "closing"])

    def action_data(self) -> dict:
        data = self.cleaned_data
        return {
            "opening": data.get("opening", ""),
            "closing": data.get("closing", ""),
            "headings": {key: data.get(f"heading_{key}", "") for key in self.heading_keys},
            "checked_by": data["checked_by"],
            "checked_on": data["checked_on"],
            "in_use": bool(data.get("in_use")),
        }


class TranslationLanguageForm(NHSForm):
    """Which language to add the family's letter in (the languages the letters have a font for)."""

    language = forms.ChoiceField(label="Language", choices=())

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = choices
