"""Consent and helping-question page forms. They check what a page can (types, required boxes, the upload's
content) and hand the rest to the actions, whose ValidationErrors land beside the same fields."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import NHSForm
from core.text import SafeFormField, SafeNoteField
from core.widgets import NHSDateField
from cycles.dates import backdated_reason_form_field
from cycles.models import ConsentItem, RatingPoint
from cycles.reads.consents import needs_own_consent
from cycles.uploads import check_signed_form

DATE_HINT = "For example, 15 3 2026"


class ConsentForm(NHSForm):
    """Who gave consent and what each person agreed to, one group of boxes per person on the referral."""

    given_on = NHSDateField(label="Date consent was given", help_text=DATE_HINT)
    backdated_reason = backdated_reason_form_field()

    def __init__(self, *args, referral, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = []
        for parent in referral.parents.all():
            self._add_person("parent", parent, f"{parent.name} ({parent.relationship or 'parent or carer'})")
        for child in referral.other_children.all():
            own = (
                "aged 12 or over: gives their own consent if filmed" if needs_own_consent(child, today) else "under 12"
            )
            self._add_person("other_child", child, f"{child.name} ({own})")
        self.fields["written_agreement_given"] = forms.BooleanField(
            label="The family received the written agreement (the video will not be shown outside the service "
            "without their permission)",
            required=False,
        )
        self.fields["sharing_with"] = SafeFormField(
            label="Named others the clips may be shared with",
            help_text="Needed if anyone agreed to sharing clips with named others.",
            max_length=300,
            required=False,
        )
        self.fields["signed_form"] = forms.FileField(
            label="Signed consent form",
            help_text="A PDF, JPEG or PNG scan or photo of the signed form.",
            required=False,
        )
        self.fields["notes"] = SafeNoteField(label="Notes", required=False)

    def _add_person(self, kind: str, obj, heading: str) -> None:
        key = f"{kind}_{obj.pk}"
        self.fields[f"gave_{key}"] = forms.BooleanField(label=f"{obj} gave consent on this form", required=False)
        self.fields[f"items_{key}"] = forms.MultipleChoiceField(
            label=f"What {obj} agreed to",
            help_text="Leave a box unticked for anything they did not agree to.",
            choices=ConsentItem.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        self.people.append(
            {"kind": kind, "obj": obj, "heading": heading, "gave": f"gave_{key}", "items": f"items_{key}"}
        )

    def person_fields(self):
        """For the template: each person's heading with their two bound fields."""
        return [{"heading": p["heading"], "gave": self[p["gave"]], "items": self[p["items"]]} for p in self.people]

    def clean_signed_form(self):
        upload = self.cleaned_data.get("signed_form")
        if upload:
            try:
                check_signed_form(upload)
            except ValidationError as error:
                raise forms.ValidationError(error.message_dict["signed_form"]) from error
        return upload

    def clean(self):
        data = super().clean()
        chosen = [p for p in self.people if data.get(p["gave"])]
        for p in self.people:
            if data.get(p["items"]) and not data.get(p["gave"]):
                self.add_error(p["gave"], f"Tick that {p['obj']} gave consent, or untick what they agreed to")
        if not chosen and not self.errors:
            first = self.people[0]["gave"] if self.people else None
            self.add_error(first, "Tick who gave consent on this form")
        return data

    def givers(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {p["kind"]: p["obj"], "items": {item: item in data.get(p["items"], []) for item in ConsentItem.values}}
            for p in self.people
            if data.get(p["gave"])
        ]

    def action_data(self) -> dict:
        data = self.cleaned_data
        return {
            "given_on": data["given_on"],
            "givers": self.givers(),
            "written_agreement_given": data["written_agreement_given"],
            "sharing_with": data["sharing_with"],
            "notes": data["notes"],
            "signed_form": data.get("signed_form"),
            "backdated_reason": data.get("backdated_reason", ""),
        }


class WithdrawConsentForm(NHSForm):
    """Wholly or for some items; for everyone who gave the consent or some of them."""

    withdrawn_on = NHSDateField(label="Date consent was withdrawn", help_text=DATE_HINT)
    reason = SafeNoteField(label="Reason", help_text="In the family's words if you can.")

    def __init__(self, *args, consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_givers = list(consent.givers.all())
        self.fields["givers"] = forms.MultipleChoiceField(
            label="Who is withdrawing",
            help_text="Leave all unticked if everyone who gave this consent withdraws.",
            choices=[(str(g.pk), str(g)) for g in self.consent_givers],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        self.fields["items"] = forms.MultipleChoiceField(
            label="What they withdraw consent for",
            help_text="Leave all unticked to withdraw consent wholly.",
            choices=ConsentItem.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        self.order_fields(["givers", "items", "withdrawn_on", "reason"])

    def action_data(self) -> dict:
        data = self.cleaned_data
        chosen = set(data["givers"])
        return {
            "givers": [g for g in self.consent_givers if str(g.pk) in chosen] or None,
            "items": data["items"] or "all",
            "withdrawn_on": data["withdrawn_on"],
            "reason": data["reason"],
        }


class HelpingQuestionForm(NHSForm):
    text = SafeFormField(
        label="Helping question",
        help_text="In the parent's own words, for example: What am I doing well to develop the bond with my baby?",
        max_length=300,
    )


class RatingForm(NHSForm):
    """A GBO rating: 0 (no progress) to 10 (goal reached)."""

    point = forms.ChoiceField(label="When", choices=RatingPoint.choices, widget=forms.RadioSelect)
    rated_on = NHSDateField(label="Date of the rating", help_text=DATE_HINT)
    backdated_reason = backdated_reason_form_field()
    score = forms.IntegerField(
        label="Rating from 0 to 10",
        help_text="0 means no progress towards the goal; 10 means the goal is reached.",
        min_value=0,
        max_value=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-2"}),
        error_messages={
            "min_value": "Enter a rating from 0 (no progress) to 10 (goal reached)",
            "max_value": "Enter a rating from 0 (no progress) to 10 (goal reached)",
            "invalid": "Enter a rating as a whole number from 0 to 10",
            "required": "Enter a rating from 0 to 10",
        },
    )
