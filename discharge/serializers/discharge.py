"""API shapes for discharging a family and reopening a discharged one."""

from rest_framework import serializers

from core.text import SafeCharSerializerField, SafeNoteSerializerField, serializer_field_for

from ..actions.discharge import MAX_REQUESTED_ACTIONS
from ..models import Discharge, DischargeReason


def _text(name: str, **kwargs):
    return serializer_field_for(Discharge._meta.get_field(name), **kwargs)


class RequestedActionIn(serializers.Serializer):
    who = SafeCharSerializerField(max_length=200)
    what = SafeCharSerializerField(max_length=2000)
    by_when = serializers.DateField()


class DischargeIn(serializers.Serializer):
    discharged_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=DischargeReason.choices)
    reason_details = _text("reason_details", default="", allow_blank=True)
    summary = _text("summary")
    did_well = _text("did_well", default="", allow_blank=True)
    ideas = _text("ideas", default="", allow_blank=True)
    missing_measures_reason = _text(
        "missing_measures_reason",
        default="",
        allow_blank=True,
        help_text="Needed when any of the service's end measures is missing.",
    )
    health_visitor = _text("health_visitor", default="", allow_blank=True)
    plan = _text("plan", default="", allow_blank=True)
    requested_actions = RequestedActionIn(
        many=True,
        default=list,
        max_length=MAX_REQUESTED_ACTIONS,
        help_text=f"Up to {MAX_REQUESTED_ACTIONS} actions requested of the health visitor.",
        error_messages={"max_length": f"Enter at most {MAX_REQUESTED_ACTIONS} requested actions"},
    )
    letter_to_referrer_agreed = serializers.BooleanField(default=False)
    letter_to_health_visitor_agreed = serializers.BooleanField(default=False)
    family_copy_given = serializers.BooleanField(default=False)


class ReopenIn(serializers.Serializer):
    reason = _text("reopen_reason")
    allocate_again = serializers.BooleanField(
        default=False, help_text="Give the family back to the practitioner who discharged them."
    )
    over_capacity_reason = SafeNoteSerializerField(
        default="",
        allow_blank=True,
        help_text="With allocate_again: needed only if that practitioner is now at capacity or their availability "
        "is paused (a 400 naming this field says so).",
    )


class DischargeOut(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField(source="referral_id")
    status = serializers.CharField(source="referral.status")
    discharged_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=DischargeReason.choices)
    reason_details = serializers.CharField()
    summary = serializers.CharField()
    missing_end_measures = serializers.ListField(child=serializers.CharField())
    missing_measures_reason = serializers.CharField()
    health_visitor = serializers.CharField()
    requested_actions = serializers.ListField(child=serializers.DictField())
    letter_to_referrer_agreed = serializers.BooleanField()
    letter_to_health_visitor_agreed = serializers.BooleanField()
    family_copy_given = serializers.BooleanField()
    footage_destroy_by = serializers.DateField(allow_null=True)
    letters = serializers.SerializerMethodField()
    reopened_at = serializers.DateTimeField(allow_null=True)
    reopen_reason = serializers.CharField()

    def get_letters(self, discharge) -> list[dict]:
        return [
            {"id": letter.pk, "kind": letter.kind, "status": letter.status}
            for letter in discharge.referral.letters.filter(superseded_at__isnull=True).order_by("kind")
        ]
