"""Consent and helping-question API shapes. Inputs check types and the documented rules (items from the enum,
scores 0–10); the actions check the rest and their refusals come back as 400 or 409."""

import json

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from core.text import serializer_field_for
from cycles.dates import backdated_reason_serializer_field
from referrals.serializers.entered_in_error import ENTERED_IN_ERROR_FIELDS, EnteredInErrorFields
from web.api import PersonOut

from ..models import (
    Consent,
    ConsentDecision,
    ConsentGiver,
    ConsentItem,
    HelpingQuestion,
    HelpingQuestionRating,
    RatingPoint,
)

ITEMS_HELP = "Each consent item, true if agreed. An item left out is recorded as not agreed. Items: " + ", ".join(
    f"`{item.value}` ({item.label})" for item in ConsentItem
)


class ItemsIn(serializers.Serializer):
    """One boolean per consent item (the enum is the set of property names)."""

    def get_fields(self):
        return {
            item.value: serializers.BooleanField(required=False, default=False, help_text=item.label)
            for item in ConsentItem
        }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(ConsentItem.values))
            if unknown:
                raise serializers.ValidationError(
                    f"Unknown consent item: {', '.join(unknown)}. Items: {', '.join(ConsentItem.values)}"
                )
        return super().to_internal_value(data)


class GiverIn(serializers.Serializer):
    parent = serializers.IntegerField(required=False, help_text="Id of a parent or carer on the referral.")
    other_child = serializers.IntegerField(
        required=False, help_text="Id of an older child on the referral (each child aged 12+ who is filmed)."
    )
    items = ItemsIn(help_text=ITEMS_HELP)

    def validate(self, data):
        if ("parent" in data) == ("other_child" in data):
            raise serializers.ValidationError("Give either parent or other_child (one person per giver).")
        return data


class GiversField(serializers.ListField):
    """A JSON list of givers; in a multipart upload, the same list as a JSON string."""

    child = GiverIn()

    def __init__(self, **kwargs):
        super().__init__(child=GiverIn(), min_length=1, **kwargs)

    def get_value(self, dictionary):
        if html.is_html_input(dictionary):
            return dictionary.get(self.field_name, empty)
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError as error:
                raise serializers.ValidationError("Send givers as a JSON list.") from error
        return super().to_internal_value(data)


class ConsentIn(serializers.Serializer):
    given_on = serializers.DateField(
        help_text="Not in the future, not before the referral's date received, and not before the family's first "
        "allocation unless backdated_reason says why."
    )
    backdated_reason = backdated_reason_serializer_field()
    givers = GiversField(
        help_text="Who gave consent: each parent or carer, and each child aged 12 or over who will be filmed, "
        "with what they agreed to. In a multipart upload, send this list as a JSON string."
    )
    written_agreement_given = serializers.BooleanField(
        help_text="The family received the written agreement (the video is not shown outside the service without "
        "their permission)."
    )
    sharing_with = serializer_field_for(
        Consent._meta.get_field("sharing_with"), required=False, default="", allow_blank=True
    )
    notes = serializer_field_for(Consent._meta.get_field("notes"), required=False, default="", allow_blank=True)
    signed_form = serializers.FileField(
        required=False,
        help_text="The signed form (multipart only): PDF, JPEG or PNG, checked by content, at most "
        "CONSENT_FORM_MAX_BYTES (10 MB by default).",
    )

    def action_data(self, referral) -> dict:
        """The givers' ids turned into the family's people; an id not on this referral is a 400."""
        parents = {p.pk: p for p in referral.parents.all()}
        children = {c.pk: c for c in referral.other_children.all()}
        givers = []
        for index, giver in enumerate(self.validated_data["givers"]):
            kind, pool = ("parent", parents) if "parent" in giver else ("other_child", children)
            if giver[kind] not in pool:
                raise serializers.ValidationError({"givers": {index: {kind: ["Not a person on this referral."]}}})
            givers.append({kind: pool[giver[kind]], "items": giver["items"]})
        return {**self.validated_data, "givers": givers}


class ConsentWithdrawIn(serializers.Serializer):
    givers = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of this consent's givers who withdraw; leave out for everyone who gave it.",
    )
    items = serializers.ListField(
        child=serializers.ChoiceField(choices=ConsentItem.choices),
        required=False,
        help_text="Items withdrawn; leave out to withdraw consent wholly.",
    )
    withdrawn_on = serializers.DateField(help_text="Not in the future, not before the consent was given.")
    reason = serializer_field_for(ConsentDecision._meta.get_field("withdrawal_reason"))


class DecisionOut(serializers.ModelSerializer):
    item_display = serializers.CharField(source="get_item_display")
    withdrawn_by = PersonOut(allow_null=True, help_text="Null unless withdrawn")

    class Meta:
        model = ConsentDecision
        fields = ["item", "item_display", "agreed", "withdrawn_on", "withdrawn_by", "withdrawal_reason"]
        read_only_fields = fields


class GiverOut(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")
    decisions = DecisionOut(many=True)

    class Meta:
        model = ConsentGiver
        fields = ["id", "parent", "other_child", "name", "decisions"]
        read_only_fields = fields


class ConsentOut(serializers.ModelSerializer):
    referral_id = serializers.IntegerField()
    recorded_by = PersonOut()
    givers = GiverOut(many=True)
    signed_form = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "referral_id",
            "given_on",
            "written_agreement_given",
            "sharing_with",
            "notes",
            "backdated_reason",
            "signed_form",
            "signed_form_content_type",
            "recorded_by",
            "recorded_at",
            "givers",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_signed_form(self, consent: Consent) -> str | None:
        """The access-checked download's path, or null when no form was uploaded."""
        if not consent.signed_form:
            return None
        return reverse("api:consent-signed-form", kwargs={"consent_id": consent.pk})


# --- helping questions -------------------------------------------------------------------------------------------


class HelpingQuestionIn(serializers.Serializer):
    text = serializer_field_for(HelpingQuestion._meta.get_field("text"), help_text="In the parent's own words.")


class RatingIn(serializers.Serializer):
    point = serializers.ChoiceField(choices=RatingPoint.choices, help_text="start, mid (part-way) or end")
    rated_on = serializers.DateField(
        help_text="Not in the future; part-way and end ratings not before the start; not before the family's first "
        "allocation unless backdated_reason says why."
    )
    backdated_reason = backdated_reason_serializer_field()
    score = serializers.IntegerField(
        min_value=0, max_value=10, help_text="Goal Based Outcomes: 0 = no progress, 10 = goal reached."
    )


class RatingOut(EnteredInErrorFields, serializers.ModelSerializer):
    recorded_by = PersonOut()

    class Meta:
        model = HelpingQuestionRating
        fields = [
            "id",
            "point",
            "rated_on",
            "score",
            "backdated_reason",
            "recorded_by",
            "recorded_at",
            *ENTERED_IN_ERROR_FIELDS,
        ]
        read_only_fields = fields


class HelpingQuestionOut(EnteredInErrorFields, serializers.ModelSerializer):
    referral_id = serializers.IntegerField()
    start = RatingOut(allow_null=True, help_text="The start rating.")
    latest = RatingOut(allow_null=True, help_text="The latest rating after the start, if any.")
    ratings = RatingOut(many=True, help_text="Every rating, oldest first.")

    class Meta:
        model = HelpingQuestion
        fields = ["id", "referral_id", "number", "text", "start", "latest", "ratings", *ENTERED_IN_ERROR_FIELDS]
        read_only_fields = fields
