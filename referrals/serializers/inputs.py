"""What the referral API accepts. Input serializers check types, NHS numbers and dates (with the same
`referrals.validation` the page form uses) and that the site and source belong to the service; the actions then
check permission and state again."""

import re

from django.core.validators import RegexValidator
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from accounts.models import ReferralSource, Service, Site
from accounts.permissions import Perm, services_with
from core import languages, postcodes
from core.text import SafeCharSerializerField, SafeNoteSerializerField, serializer_field_for
from web.api import BoundedListSerializer

from .. import nhs_number
from ..eligibility import RULE_FIELDS
from ..models import (
    OTHER_CHILD_FIELDS,
    PARENT_FIELDS,
    REFERRAL_FIELDS,
    CommunicationFormat,
    Concern,
    EthnicCategory,
    OtherChild,
    Parent,
    Referral,
    SafeguardingStatus,
    TriageDecision,
    TriageDecisionKind,
    YesNoUnknown,
)
from ..states import ReferralStatus
from ..validation import referral_date_errors

# Ten digits, with spaces or dashes between them if typed that way (blank, when allowed, is stated beside it).
NHS_NUMBER_PATTERN = re.compile(r"^[0-9](?:[ -]*[0-9]){9}\Z")


class NHSNumberField(serializers.CharField):
    """An NHS number typed with or without spaces or dashes; validated (Modulus 11) and cleaned to ten digits.

    The shape is a `RegexValidator` so the schema states it as `pattern`; the check digit can only be described.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 14)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("help_text", "")
        kwargs["help_text"] = " ".join(
            part
            for part in (
                kwargs["help_text"],
                "10 digits; spaces or dashes allowed, for example 943 476 5919. The last digit must be the Modulus "
                "11 check digit of the first nine (a mistyped number is refused with a 400).",
            )
            if part
        )
        super().__init__(**kwargs)
        self.validators.append(RegexValidator(NHS_NUMBER_PATTERN, message=nhs_number.FORMAT_MESSAGE))

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            return ""
        try:
            return nhs_number.validate(value)
        except nhs_number.InvalidNHSNumber as error:
            raise serializers.ValidationError(str(error)) from error


class YesNoUnknownField(serializers.ChoiceField):
    """Yes / no / not known (used by more than one field: one named enum in the schema)."""

    def __init__(self, **kwargs):
        super().__init__(choices=YesNoUnknown.choices, **kwargs)


class YesNoUnknownFieldSchema(OpenApiSerializerFieldExtension):
    """Describe every YesNoUnknownField as one shared `YesNoUnknownEnum` component."""

    target_class = YesNoUnknownField

    def map_serializer_field(self, auto_schema, direction):
        schema = {k: v for k, v in build_choice_field(self.target).items() if k != "x-spec-enum-id"}
        component = ResolvedComponent(
            name="YesNoUnknownEnum", type=ResolvedComponent.SCHEMA, object="YesNoUnknownEnum", schema=schema
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def _required(model, name: str, **kwargs) -> serializers.CharField:
    """A required text field, as long as the model's and refusing what it refuses (`core.text`)."""
    return serializer_field_for(model._meta.get_field(name), **kwargs)


def required_message(message: str) -> dict:
    """The same words as the action's refusal, for a required reason left out or blank."""
    return {"required": message, "blank": message}


def _text(model, name: str, **kwargs) -> serializers.CharField:
    """An optional text field that defaults to blank (a full update replaces it with blank when left out)."""
    kwargs.setdefault("default", "")
    return _required(model, name, allow_blank=True, trim_whitespace=True, **kwargs)


class ParentIn(serializers.Serializer):
    """A parent or carer: one or two per referral."""

    class Meta:
        list_serializer_class = BoundedListSerializer

    name = _required(Parent, "name")
    relationship = _text(Parent, "relationship", help_text="For example mother, father, carer.")
    date_of_birth = serializers.DateField()
    nhs_number = NHSNumberField(default="")
    address = _text(Parent, "address")
    postcode = _text(Parent, "postcode")
    phone = _text(Parent, "phone")
    preferred_language = _required(Parent, "preferred_language", default="English")
    letter_language = serializers.ChoiceField(
        choices=languages.CHOICES,
        default="",
        allow_blank=True,
        help_text="ISO 639 code of the language the family's letters are written in. Blank: read from "
        "preferred_language when that names one language in the list; otherwise a 400 asks for it.",
    )
    interpreter_needed = serializers.BooleanField(default=False)
    communication_format = serializers.ChoiceField(choices=CommunicationFormat.choices, default="", allow_blank=True)
    communication_support = _text(Parent, "communication_support")
    ethnic_category = serializers.ChoiceField(choices=EthnicCategory.choices, default=EthnicCategory.Z)

    def validate_postcode(self, value: str) -> str:
        return postcodes.normalise(value)


class OtherChildIn(serializers.Serializer):
    """A child aged 12 or over who may appear in the filming."""

    name = _required(OtherChild, "name")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    consent_to_filming = YesNoUnknownField(default=YesNoUnknown.UNKNOWN)


RULE_FIELD_NOTE = (
    "May be required by the service's eligibility criteria: see required_fields in GET /api/v1/services/{slug}/."
)


@extend_schema_field({"type": "string", "maxLength": 50, "pattern": r"^[-a-zA-Z0-9_]+$"})
class _ServiceSlugField(serializers.SlugRelatedField):
    """A service named by its slug; the schema states the slug's shape and length."""


class ReferralIn(serializers.Serializer):
    """A whole referral, to record it. `confirm_not_duplicate` saves it despite possible duplicates."""

    service = _ServiceSlugField(
        slug_field="slug",
        queryset=Service.objects.filter(is_active=True),
        help_text="Slug of a service in which you may record referrals.",
    )
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), help_text="Id of a site of the service.")
    date_received = serializers.DateField()
    referral_source = serializers.PrimaryKeyRelatedField(
        queryset=ReferralSource.objects.all(), help_text="Id of an active referral source of the service."
    )
    referrer_name = _required(Referral, "referrer_name")
    referrer_role = _required(Referral, "referrer_role")
    referrer_organisation = _required(Referral, "referrer_organisation")
    referrer_contact = _required(Referral, "referrer_contact", help_text="Phone number or secure email address.")

    child_unborn = serializers.BooleanField(default=False)
    child_name = _text(Referral, "child_name")
    child_date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    expected_delivery_date = serializers.DateField(required=False, allow_null=True, default=None)
    child_nhs_number = NHSNumberField(default="")
    child_send = serializers.BooleanField(default=False)
    child_send_details = _text(Referral, "child_send_details")

    gp_practice = _text(Referral, "gp_practice")
    named_health_visitor = _text(Referral, "named_health_visitor")
    named_health_visitor_team = _text(Referral, "named_health_visitor_team")
    named_health_visitor_address = _text(Referral, "named_health_visitor_address")
    named_health_visitor_contact = _text(Referral, "named_health_visitor_contact")

    concerns = serializers.ListField(child=serializers.ChoiceField(choices=Concern.choices), default=list)
    reason_details = _text(Referral, "reason_details")
    attachment_concerns = _text(Referral, "attachment_concerns")
    mental_health_concerns = _text(Referral, "mental_health_concerns")
    hoped_for_change = _text(Referral, "hoped_for_change")
    change_agreed_with_parent = YesNoUnknownField(default=YesNoUnknown.UNKNOWN)
    impact_on_child = _text(Referral, "impact_on_child")
    parent_consented_to_referral = serializers.BooleanField(default=False)
    prfq_completed = serializers.BooleanField(default=False)
    question_answers = serializers.DictField(
        child=SafeNoteSerializerField(allow_blank=True, label="Answer"),
        default=dict,
        help_text=(
            "Answers to the service's referral questions, keyed by question key. Unanswered required questions "
            "make the referral ineligible: see questions in GET /api/v1/services/{slug}/."
        ),
    )

    safeguarding_status = serializers.ChoiceField(choices=SafeguardingStatus.choices)
    risks_to_staff = _text(Referral, "risks_to_staff")
    confidential_address = serializers.BooleanField(default=False)
    bereavement = serializers.BooleanField(default=False)

    parents = ParentIn(many=True, min_length=1, max_length=2, help_text="One or two parents or carers.")
    other_children = OtherChildIn(many=True, default=list)

    confirm_not_duplicate = serializers.BooleanField(
        default=False, help_text="Record the referral even though possible duplicates were reported (409)."
    )

    def get_fields(self):
        """Say on each field a service's rules may require that they may (the schema shows it)."""
        fields = super().get_fields()
        for name in RULE_FIELDS:
            fields[name].help_text = " ".join(filter(None, [fields[name].help_text, RULE_FIELD_NOTE]))
        return fields

    def _service(self, attrs) -> Service:
        return attrs["service"]

    def validate_service(self, service: Service) -> Service:
        user = self.context["request"].user
        if service.pk not in services_with(user, Perm.REFERRAL_CREATE):
            raise serializers.ValidationError("You cannot record referrals for this service")
        return service

    def _source_allowed(self, source: ReferralSource) -> bool:
        return source.is_active

    def validate(self, attrs):
        service = self._service(attrs)
        errors: dict = {}
        if attrs["site"].service_id != service.pk:
            errors["site"] = ["Choose a site of this service"]
        source = attrs["referral_source"]
        if source.service_id != service.pk or not self._source_allowed(source):
            errors["referral_source"] = ["Choose a referral source of this service"]
        answers = {k: v.strip() for k, v in attrs["question_answers"].items() if v and v.strip()}
        unknown = sorted(set(answers) - set(service.referral_questions.values_list("key", flat=True)))
        if unknown:
            errors["question_answers"] = [f"Not a question of this service: {', '.join(unknown)}"]
        attrs["question_answers"] = answers

        parents = attrs["parents"]
        dates = referral_date_errors(
            date_received=attrs["date_received"],
            child_unborn=attrs["child_unborn"],
            child_date_of_birth=attrs["child_date_of_birth"],
            expected_delivery_date=attrs["expected_delivery_date"],
            parent_dates_of_birth=[p["date_of_birth"] for p in parents],
        )
        parent_message = dates.pop("parent_date_of_birth", None)
        for field, message in dates.items():
            errors[field] = [message]
        if parent_message:
            today = timezone.localdate()
            # Keyed by the parent's index, as DRF reports errors in a list of nested items.
            errors["parents"] = {
                index: {"date_of_birth": [parent_message]}
                for index, p in enumerate(parents)
                if p["date_of_birth"] > today
            }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def referral_data(self) -> dict:
        """The referral's own fields, as `actions.create_referral` / `update_referral` take them."""
        return {name: self.validated_data[name] for name in REFERRAL_FIELDS}

    def parents_data(self) -> list[dict]:
        return [{name: p[name] for name in PARENT_FIELDS} for p in self.validated_data["parents"]]

    def other_children_data(self) -> list[dict]:
        return [{name: c[name] for name in OTHER_CHILD_FIELDS} for c in self.validated_data["other_children"]]


class ReferralUpdateIn(ReferralIn):
    """The whole referral again, to correct or complete it (fields left out are cleared to their defaults).

    The service cannot change; a referral source no longer active may be kept if the referral already has it.
    """

    service = None
    confirm_not_duplicate = serializers.BooleanField(
        default=False,
        help_text=(
            "Save the correction even though possible duplicates were reported (409). An NHS number, or a parent's "
            "name and date of birth, that the correction adds is checked as a new referral's are."
        ),
    )

    def _service(self, attrs) -> Service:
        return self.context["referral"].service

    def _source_allowed(self, source: ReferralSource) -> bool:
        return source.is_active or source.pk == self.context["referral"].referral_source_id


class _TriageDecisionIn(serializers.Serializer):
    """The fields every decision may carry; each decision's serializer makes its own one required."""

    reason = _text(TriageDecision, "reason", help_text="Needed to decline. The referrer will be told.")
    missing_information = _text(TriageDecision, "missing_information", help_text="Needed to request more information.")
    override_reason = _text(
        TriageDecision,
        "override_reason",
        help_text="Needed only to accept a referral the service's rules found ineligible (see eligible).",
    )


class TriageAcceptIn(_TriageDecisionIn):
    """Accept onto the waiting list."""

    decision = serializers.ChoiceField(choices=[TriageDecisionKind.ACCEPT])


class TriageDeclineIn(_TriageDecisionIn):
    """Decline, saying why."""

    decision = serializers.ChoiceField(choices=[TriageDecisionKind.DECLINE])
    reason = _required(
        TriageDecision,
        "reason",
        help_text="Why it is declined. The referrer will be told.",
        error_messages=required_message("Enter why the referral is declined"),
    )


class TriageRequestInformationIn(_TriageDecisionIn):
    """Ask the referrer for what is missing."""

    decision = serializers.ChoiceField(choices=[TriageDecisionKind.REQUEST_INFORMATION])
    missing_information = _required(
        TriageDecision,
        "missing_information",
        help_text="What information is missing.",
        error_messages=required_message("Enter what information is missing"),
    )


TRIAGE_INPUTS = {
    TriageDecisionKind.ACCEPT: TriageAcceptIn,
    TriageDecisionKind.DECLINE: TriageDeclineIn,
    TriageDecisionKind.REQUEST_INFORMATION: TriageRequestInformationIn,
}


class TriageIn(serializers.Serializer):
    """A decision and what it needs: `decision` picks the serializer that holds that decision's rules.

    The schema shows the three as oneOf with `decision` as discriminator (`TRIAGE_SCHEMA`), so a client knows a
    decline needs a reason and a request for information says what is missing.
    """

    decision = serializers.ChoiceField(choices=TriageDecisionKind.choices)

    def to_internal_value(self, data):
        decision = super().to_internal_value(data)["decision"]
        chosen = TRIAGE_INPUTS[decision](data=data)
        chosen.is_valid(raise_exception=True)
        return {**chosen.validated_data, "decision": decision}


TRIAGE_SCHEMA = PolymorphicProxySerializer(
    component_name="TriageIn",
    serializers={str(kind): serializer for kind, serializer in TRIAGE_INPUTS.items()},
    resource_type_field_name="decision",
)


class InformationReceivedIn(serializers.Serializer):
    note = SafeNoteSerializerField(help_text="What was received, e.g. a phone call with the referrer.")


class WithdrawIn(serializers.Serializer):
    reason = SafeNoteSerializerField()


class BirthIn(serializers.Serializer):
    date_of_birth = serializers.DateField()
    name = _text(Referral, "child_name", label="Child's name")
    child_nhs_number = NHSNumberField(default="")
    confirm_not_duplicate = serializers.BooleanField(
        default=False,
        help_text="Record the birth even though the baby's NHS number matched another open referral (409).",
    )


class ReferralListParams(serializers.Serializer):
    """Query parameters of the list. Any of nhs_number, name, date_of_birth or postcode makes it a search."""

    SEARCH_FIELDS = ("nhs_number", "name", "date_of_birth", "postcode")

    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False)
    site = serializers.IntegerField(required=False, help_text="Site id")
    service = serializers.SlugField(required=False, help_text="Service slug")
    nhs_number = NHSNumberField(required=False, help_text="Search: the parent's or the child's NHS number")
    name = SafeCharSerializerField(required=False, allow_blank=True, max_length=100, help_text="Search: part of a name")
    date_of_birth = serializers.DateField(required=False, help_text="Search: a parent's or the child's")
    postcode = SafeCharSerializerField(
        required=False,
        allow_blank=True,
        max_length=8,
        help_text="Search: start of a postcode (confidential addresses are never matched)",
    )

    def validate_postcode(self, value: str) -> str:
        return postcodes.normalise(value)

    def validate_name(self, value: str) -> str:
        return value.strip()

    def search_terms(self) -> dict:
        return {k: v for k, v in self.validated_data.items() if k in self.SEARCH_FIELDS and v}
