"""Referral forms. One flat form per page so the error summary lists every problem, in page order.

Parent and other-children fields are prefixed (`parent1_name`, `parent2_name`, `older_child1_name`); the form turns
them into the lists the actions take. Validation of dates against each other is shared with the API
(`referrals.validation`).
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone

from accounts.models import Membership, ReferralSource, Role, Service, Site, User
from core import postcodes
from core.entered_in_error import REASON_MAX_LENGTH
from core.forms import NHSForm
from core.text import SafeFormField, SafeNoteField
from core.widgets import NHSDateField, QuickSelect

from . import nhs_number
from .models import (
    CHILD_FIELDS,
    HANDOVER_FIELDS,
    OTHER_CHILD_FIELDS,
    PARENT_FIELDS,
    REASON_FIELDS,
    REFERRAL_FIELDS,
    REFERRER_FIELDS,
    SAFETY_FIELDS,
    Concern,
    EligibilityRule,
    EligibilityRuleKind,
    OtherChild,
    Parent,
    Referral,
    SafeguardingStatus,
    TriageDecisionKind,
)
from .validation import referral_date_errors

PARENT_SLOTS = 2
OLDER_CHILD_SLOTS = 2
BOOLEAN_YES_NO = [("yes", "Yes"), ("no", "No")]


class NHSNumberField(forms.CharField):
    """Accepts spaces or dashes; cleans to ten digits after the Modulus 11 check."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 14)
        kwargs.setdefault("help_text", "10 digits, for example 943 476 5919")
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "spellcheck": "false", "class": "nhsuk-input--width-10"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        try:
            return nhs_number.validate(value)
        except nhs_number.InvalidNHSNumber as error:
            raise forms.ValidationError(str(error)) from error

    def prepare_value(self, value):
        return nhs_number.display(value) if isinstance(value, str) and value.isdigit() else value


def _model_fields(model, names, prefix, labels_prefix=""):
    fields = fields_for_model(model, fields=names)
    out = {}
    for name, field in fields.items():
        if isinstance(field, forms.DateField):
            field = NHSDateField(label=field.label, required=field.required, help_text="For example, 15 3 2025")
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs["rows"] = 3
        if name == "nhs_number":
            field = NHSNumberField(label="NHS number", required=False)
        field.label = f"{labels_prefix}{field.label[:1].upper()}{field.label[1:]}" if labels_prefix else field.label
        out[f"{prefix}{name}"] = field
    return out


class ReferralForm(NHSForm):
    """The whole referral, as the coordinator records it from the referral form or phone call.

    Three things keep the form saying what it means:
    - a field the service's eligibility rules need is never labelled "(optional)": its hint names the service
      (`needed_for`). The form still saves without it, so an incomplete referral can be recorded, and the page
      says what is missing after saving (`criteria_gaps`);
    - a service question whose key names a general referral field (Together for Families' `hoped_for_change`,
      `impact_on_child`) takes that field's place: one question, one box, and only the service's answer counts;
    - the child's name and date of birth are revealed under "Yes, the child is born" and the expected date under
      "not born yet" (NHS.UK conditional reveal; all shown without JavaScript), and each is needed in its case.
    """

    # (id, heading) of each fieldset, in page order: the contents list at the top links to them.
    SECTIONS = [
        ("section-referral", "Referral"),
        ("section-parent-1", "Parent or carer 1"),
        ("section-parent-2", "Parent or carer 2 (optional)"),
        ("section-child", "The child"),
        ("section-older-child-1", "Older child 1 who may be filmed (optional)"),
        ("section-older-child-2", "Older child 2 who may be filmed (optional)"),
        ("section-reason", "Reason for referral"),
        ("section-safety", "Safety"),
        ("section-handover", "GP and health visitor"),
    ]
    CHILD_REVEALS = {"no": ["child_name", "child_date_of_birth"], "yes": ["expected_delivery_date"]}

    def __init__(self, *args, service: Service, referral: Referral | None = None, **kwargs):
        self.service, self.referral = service, referral
        if referral is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from_referral(referral)
        elif referral is None:
            kwargs.setdefault("initial", {"date_received": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self._add_referral_fields()
        self._add_people_fields()
        self._mark_needed_for_criteria()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's own <form> carries the token
        self.helper.layout = self._layout()

    def _add_referral_fields(self):
        fields = _model_fields(Referral, [f for f in REFERRAL_FIELDS if f not in ("concerns", "question_answers")], "")
        fields["site"].queryset = self.service.sites.all()
        fields["site"].empty_label = None if self.service.sites.count() == 1 else "Choose a site"
        fields["referral_source"].queryset = self.service.referral_sources.filter(is_active=True)
        fields["child_nhs_number"] = NHSNumberField(label="Child's NHS number", required=False)
        fields["child_unborn"] = forms.TypedChoiceField(
            label="Is the baby born yet?",
            choices=[("no", "Yes, the child is born"), ("yes", "No, the baby is not born yet")],
            coerce=lambda v: v == "yes",
            widget=forms.RadioSelect,
        )
        fields["concerns"] = forms.MultipleChoiceField(
            label="Concerns",
            choices=Concern.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Select all that apply",
        )
        fields["safeguarding_status"].widget = forms.RadioSelect(choices=SafeguardingStatus.choices)
        for question in self.service.referral_questions.all():
            fields[f"question_{question.key}"] = SafeNoteField(label=question.text, required=False)
            fields[f"question_{question.key}"].needed_for = "criteria" if question.required else ""
            fields.pop(question.key, None)  # the service asks this itself: one question, one box
        labels = {
            "child_name": "Child's name",
            "gp_practice": "GP practice",
            "child_date_of_birth": "Child's date of birth",
            "child_send_details": "SEND details",
            "risks_to_staff": "Risks to staff visiting the home",
            "confidential_address": "The family's address is confidential",
            "parent_consented_to_referral": "The parent consented to this referral",
        }
        for name, label in labels.items():
            fields[name].label = label
        fields["expected_delivery_date"].label = "Expected date of delivery"
        fields["expected_delivery_date"].help_text = "Needed if the baby is not born yet. For example, 15 3 2026"
        fields["child_date_of_birth"].help_text = "Needed if the child is born. For example, 15 3 2025"
        fields["child_unborn"].reveals = self.CHILD_REVEALS
        fields["child_date_of_birth"].needed_for = "the child is born"
        fields["expected_delivery_date"].needed_for = "the baby is not born yet"
        fields["confidential_address"].help_text = "The address will not be shown in lists or printed"
        self.fields.update(fields)

    def _add_people_fields(self):
        for slot in range(1, PARENT_SLOTS + 1):
            fields = _model_fields(Parent, PARENT_FIELDS, f"parent{slot}_", f"Parent {slot}: ")
            if slot > 1:
                for field in fields.values():
                    field.required = False
            self.fields.update(fields)
        for slot in range(1, OLDER_CHILD_SLOTS + 1):
            fields = _model_fields(OtherChild, OTHER_CHILD_FIELDS, f"older_child{slot}_", f"Older child {slot}: ")
            for field in fields.values():
                field.required = False
            self.fields.update(fields)

    def _mark_needed_for_criteria(self) -> None:
        """Fields this service's `required_answers` rules need: not "(optional)", and the hint says why."""
        for name in self.criteria_fields():
            field = self.fields.get(name)
            if field is not None and not field.required:
                field.needed_for = "criteria"
                hint = f"Needed for {self.service.name}'s referral criteria."
                field.help_text = f"{hint} {field.help_text}" if field.help_text else hint
        for name, field in self.fields.items():
            if name.startswith("question_") and getattr(field, "needed_for", ""):
                field.help_text = f"Needed for {self.service.name}'s referral criteria."

    def criteria_fields(self) -> list[str]:
        """The referral fields the service's `required_answers` rules name, in rule order."""
        rules = EligibilityRule.objects.filter(service=self.service, kind=EligibilityRuleKind.REQUIRED_ANSWERS)
        return [name for rule in rules for name in rule.params.get("fields", [])]

    def criteria_gaps(self) -> list[str]:
        """After a valid submission: the labels of fields the criteria need that were left empty."""
        gaps = []
        for name, field in self.fields.items():
            if getattr(field, "needed_for", "") == "criteria" and self.cleaned_data.get(name) in ("", None, [], False):
                gaps.append(str(field.label))
        return gaps

    def _layout(self) -> Layout:
        def names(prefix, items):
            return [f"{prefix}{n}" for n in items if f"{prefix}{n}" in self.fields]

        revealed = {name for shown in self.CHILD_REVEALS.values() for name in shown}
        reason = [*names("", REASON_FIELDS), *(n for n in self.fields if n.startswith("question_"))]
        contents = [
            REFERRER_FIELDS,
            *(names(f"parent{slot}_", PARENT_FIELDS) for slot in range(1, PARENT_SLOTS + 1)),
            [n for n in CHILD_FIELDS if n not in revealed],
            *(names(f"older_child{slot}_", OTHER_CHILD_FIELDS) for slot in range(1, OLDER_CHILD_SLOTS + 1)),
            reason,
            SAFETY_FIELDS,
            HANDOVER_FIELDS,
        ]
        return Layout(
            *(
                Fieldset(title, *fields, css_id=section_id)
                for (section_id, title), fields in zip(self.SECTIONS, contents, strict=True)
            )
        )

    def clean(self):
        cleaned = super().clean()
        for slot in range(2, PARENT_SLOTS + 1):
            if any(cleaned.get(f"parent{slot}_{n}") for n in ("nhs_number", "address", "phone")) and not cleaned.get(
                f"parent{slot}_name"
            ):
                self.add_error(f"parent{slot}_name", f"Enter parent {slot}'s name, or clear their details")
            if cleaned.get(f"parent{slot}_name") and not cleaned.get(f"parent{slot}_date_of_birth"):
                self.add_error(f"parent{slot}_date_of_birth", f"Enter parent {slot}'s date of birth")
        errors = referral_date_errors(
            date_received=cleaned.get("date_received"),
            child_unborn=bool(cleaned.get("child_unborn")),
            child_date_of_birth=cleaned.get("child_date_of_birth"),
            expected_delivery_date=cleaned.get("expected_delivery_date"),
            parent_dates_of_birth=[cleaned.get(f"parent{s}_date_of_birth") for s in range(1, PARENT_SLOTS + 1)],
        )
        for field, message in errors.items():
            target = "parent1_date_of_birth" if field == "parent_date_of_birth" else field
            if target in self.fields and target not in self.errors:
                self.add_error(target, message)
        return cleaned

    def referral_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in REFERRAL_FIELDS if name in self.cleaned_data}
        data["question_answers"] = {
            name.removeprefix("question_"): value.strip()
            for name, value in self.cleaned_data.items()
            if name.startswith("question_") and value and value.strip()
        }
        return data

    def parents(self) -> list[dict]:
        found = []
        for slot in range(1, PARENT_SLOTS + 1):
            parent = {n: self.cleaned_data.get(f"parent{slot}_{n}") for n in PARENT_FIELDS}
            if parent["name"]:
                found.append({k: ("" if v is None and k != "date_of_birth" else v) for k, v in parent.items()})
        return found

    def other_children(self) -> list[dict]:
        found = []
        for slot in range(1, OLDER_CHILD_SLOTS + 1):
            child = {n: self.cleaned_data.get(f"older_child{slot}_{n}") for n in OTHER_CHILD_FIELDS}
            if child["name"]:
                child["consent_to_filming"] = child["consent_to_filming"] or "unknown"
                found.append(child)
        return found


def initial_from_referral(referral: Referral) -> dict:
    """The form's starting values when correcting an existing referral."""
    initial = {name: getattr(referral, name) for name in REFERRAL_FIELDS if name != "question_answers"}
    initial["site"], initial["referral_source"] = referral.site_id, referral.referral_source_id
    initial["child_unborn"] = "yes" if referral.child_unborn else "no"
    for key, answer in (referral.question_answers or {}).items():
        initial[f"question_{key}"] = answer
    for slot, parent in enumerate(referral.parents.all(), start=1):
        for name in PARENT_FIELDS:
            initial[f"parent{slot}_{name}"] = getattr(parent, name)
    for slot, child in enumerate(referral.other_children.all(), start=1):
        for name in OTHER_CHILD_FIELDS:
            initial[f"older_child{slot}_{name}"] = getattr(child, name)
    return initial


class TriageForm(NHSForm):
    """Accept, decline or request more information; the reason fields that go with each.

    Each reason belongs to one decision, so it sits under that decision's radio (the NHS.UK conditional reveal)
    and says which decision needs it: without JavaScript all three show, and none is labelled "(optional)" when
    one of them is required. The action checks the same rules; the form says so beside the field first.
    """

    decision = forms.ChoiceField(label="Decision", choices=TriageDecisionKind.choices, widget=forms.RadioSelect)
    reason = SafeNoteField(label="Reason for declining", required=False, help_text="The referrer will be told.")
    missing_information = SafeNoteField(label="What information is missing", required=False)
    override_reason = SafeNoteField(
        label="Reason for accepting outside the criteria",
        required=False,
        help_text="Only when the service's rules found the referral ineligible.",
    )
    # The pack shows these after the label: "Reason for declining – needed if you decline".
    NEEDED_WHEN = {
        "reason": "if you decline",
        "missing_information": "if you request more information",
        "override_reason": "if you accept a referral found ineligible",
    }
    REVEALS = {
        TriageDecisionKind.ACCEPT: ["override_reason"],
        TriageDecisionKind.DECLINE: ["reason"],
        TriageDecisionKind.REQUEST_INFORMATION: ["missing_information"],
    }
    NEEDED = {
        TriageDecisionKind.DECLINE: ("reason", "Enter why the referral is declined"),
        TriageDecisionKind.REQUEST_INFORMATION: ("missing_information", "Enter what information is missing"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].reveals = {str(k): v for k, v in self.REVEALS.items()}
        for name, when in self.NEEDED_WHEN.items():
            self.fields[name].needed_when = when

    def clean(self):
        cleaned = super().clean()
        needed = self.NEEDED.get(cleaned.get("decision"))
        if needed and needed[0] not in self.errors and not (cleaned.get(needed[0]) or "").strip():
            self.add_error(*needed)
        return cleaned


class ReasonForm(NHSForm):
    reason = SafeNoteField(label="Reason")


class InformationReceivedForm(NHSForm):
    note = SafeNoteField(
        label="What was received",
        help_text="For example: phone call with the referrer confirmed the mental-health concerns.",
    )


class BirthForm(NHSForm):
    date_of_birth = NHSDateField(label="Date of birth")
    name = SafeFormField(label="Child's name", max_length=200, required=False)
    child_nhs_number = NHSNumberField(label="Child's NHS number", required=False)


class SearchForm(NHSForm):
    """Find a family by NHS number, name, date of birth or postcode (at least one)."""

    nhs_number = NHSNumberField(label="NHS number", required=False, help_text="The parent's or the child's")
    name = SafeFormField(label="Name", required=False, max_length=100, help_text="Part of a parent's or child's name")
    date_of_birth = NHSDateField(label="Date of birth", required=False)
    postcode = SafeFormField(label="Postcode", required=False, max_length=8)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(k) for k in ("nhs_number", "name", "date_of_birth", "postcode")):
            raise forms.ValidationError("Enter an NHS number, name, date of birth or postcode")
        if cleaned.get("postcode"):
            cleaned["postcode"] = postcodes.normalise(cleaned["postcode"])
        return cleaned


def offer(field: forms.ModelChoiceField, model, objects: list) -> None:
    """Offer exactly `objects` (already read, `accounts.choices`) in a drop-down: its options are drawn from them,
    and what is sent is still checked against them in the database (the field's queryset, read only then)."""
    field.queryset = model._default_manager.filter(pk__in=[obj.pk for obj in objects])
    field.choices = [("", field.empty_label), *((obj.pk, field.label_from_instance(obj)) for obj in objects)]


class ServiceFilterForm(NHSForm):
    """A list's filters. The service filter only appears for someone who covers more than one service."""

    service = forms.ModelChoiceField(
        label="Service", queryset=None, required=False, empty_label="All services", widget=QuickSelect
    )

    def __init__(self, *args, services: list, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["service"], Service, services)
        if len(services) < 2:
            del self.fields["service"]

    def filter(self, queryset):
        """The queryset narrowed by whatever valid filters were chosen."""
        if self.is_valid() and self.cleaned_data.get("service"):
            queryset = queryset.filter(service=self.cleaned_data["service"])
        return queryset


class TriageQueueFilterForm(ServiceFilterForm):
    site = forms.ModelChoiceField(
        label="Site", queryset=None, required=False, empty_label="All sites", widget=QuickSelect
    )
    source = forms.ModelChoiceField(
        label="Referral source", queryset=None, required=False, empty_label="All sources", widget=QuickSelect
    )

    def __init__(self, *args, sites: list, sources: list, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["site"], Site, sites)
        offer(self.fields["source"], ReferralSource, sources)


# ---------------------------------------------------------------------------------------------------------------
# Allocation and practitioner details
# ---------------------------------------------------------------------------------------------------------------


class AllocationForm(NHSForm):
    practitioner = forms.TypedChoiceField(label="Practitioner", coerce=int, widget=forms.RadioSelect)
    over_capacity_reason = SafeNoteField(
        label="Reason for allocating past capacity or during a pause",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only if the practitioner is full or their availability is paused.",
    )
    reason = SafeNoteField(
        label="Reason for reallocating",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: practitioner has left, or the family moved site.",
    )

    def __init__(self, *args, candidates, reallocating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # One list: each radio is the practitioner, its hint the figures the choice rests on (no separate table).
        self.fields["practitioner"].choices = [(c.user.pk, str(c.user)) for c in candidates]
        self.fields["practitioner"].choice_hints = {str(c.user.pk): _candidate_hint(c) for c in candidates}
        if not reallocating:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True


def _candidate_hint(c) -> str:
    """What the allocation rests on, in the order people weigh it: capacity, training, site, availability."""
    if not c.is_trainee:
        training = "Accredited"
    else:
        training = f"Trainee supervised by {c.supervisor}" if c.supervisor else "Trainee with no supervisor set"
    capacity = f"{c.open_cases} of {c.capacity} families" + (" (full)" if not c.has_spare_capacity else "")
    parts = [capacity, training, "Same site" if c.same_site else "Other site"]
    parts.append("Availability paused" if c.paused else "Available")
    day = f"{c.next_protected_day:%a %-d %b}" if c.next_protected_day else "none set"
    parts.append(f"Next protected day: {day}")
    return " · ".join(parts)


class UnallocateForm(NHSForm):
    reason = SafeNoteField(label="Reason for unallocating", widget=forms.Textarea(attrs={"rows": 3}))


class PractitionerDetailsForm(NHSForm):
    capacity = forms.IntegerField(
        label="Caseload capacity", min_value=0, max_value=50, help_text="Open VIG families at one time"
    )
    protected_days = forms.TypedMultipleChoiceField(
        label="Protected VIG days",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday")],
    )
    supervisor = forms.ModelChoiceField(
        label="Supervisor",
        queryset=User.objects.none(),
        required=False,
        help_text="Needed for a trainee before any family is allocated",
    )
    training_stage = forms.TypedChoiceField(
        label="Training stage",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Not a trainee"), (1, "Stage 1"), (2, "Stage 2"), (3, "Stage 3")],
    )
    paused_from = NHSDateField(label="Availability paused from", required=False)
    paused_until = NHSDateField(label="Paused until", required=False, help_text="Leave blank if not known")
    pause_reason = SafeFormField(
        label="Reason for the pause", required=False, max_length=200, help_text="For example: annual leave, sickness"
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = (
            User.objects.filter(
                memberships__service=membership.service, memberships__role=Role.SUPERVISOR, memberships__is_active=True
            )
            .exclude(pk=membership.user_id)
            .distinct()
        )


class EnteredInErrorForm(NHSForm):
    reason = SafeNoteField(
        label="Why was this entered in error?",
        max_length=REASON_MAX_LENGTH,
        help_text="For example: a duplicate made by going back and saving again, or recorded for the wrong family. "
        "The record stays in the family's history, struck through, with this reason.",
        error_messages={"required": "Enter why this record was entered in error"},
    )
