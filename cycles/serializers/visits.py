"""API shapes for visits, the diary and liaison: separate In and Out; `cycles.actions` does the writing."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.text import SafeNoteSerializerField, serializer_field_for
from cycles.dates import backdated_reason_serializer_field
from referrals.serializers.entered_in_error import EnteredInErrorFields
from web.api import PersonOut

from ..models import ActivityKind, Liaison, LiaisonMethod, Visit, VisitOutcome, VisitPlace

# ---------------------------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------------------------

PLANNED_AT_HELP = (
    "Planned date and time: no later than the service's booking horizon (CyclePolicy.booking_horizon_days, default "
    "365 days from today; a later date is refused with the latest allowed), and not before the family's first "
    "allocation unless backdated_reason says why."
)


def _activities(**kwargs):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=ActivityKind.choices),
        help_text="What the visit is for; several at once (a shared review and the next filming, say).",
        **kwargs,
    )


class VisitBookIn(serializers.Serializer):
    planned_at = serializers.DateTimeField(help_text=PLANNED_AT_HELP)
    backdated_reason = backdated_reason_serializer_field()
    place = serializers.ChoiceField(choices=VisitPlace.choices)
    place_details = serializer_field_for(Visit._meta.get_field("place_details"), default="", allow_blank=True)
    activities = _activities(default=list)


class VisitRecordIn(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=VisitOutcome.choices)
    outcome_reason = SafeNoteSerializerField(
        default="", allow_blank=True, help_text="Needed unless attended (did not attend, cancelled)."
    )
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=600, help_text="Needed for an attended visit."
    )
    present = serializer_field_for(Visit._meta.get_field("present"), default="", allow_blank=True)
    notes = serializer_field_for(Visit._meta.get_field("notes"), default="", allow_blank=True)
    activities = _activities(required=False)


class VisitRescheduleIn(serializers.Serializer):
    planned_at = serializers.DateTimeField(help_text="The new date and time. " + PLANNED_AT_HELP)
    backdated_reason = backdated_reason_serializer_field()
    reason = SafeNoteSerializerField(default="", allow_blank=True)


class LiaisonIn(serializers.Serializer):
    contacted_on = serializers.DateField(help_text="Not in the future")
    method = serializers.ChoiceField(choices=LiaisonMethod.choices)
    summary = serializer_field_for(Liaison._meta.get_field("summary"))


class DiaryParams(serializers.Serializer):
    weeks = serializers.IntegerField(default=6, min_value=1, max_value=12, help_text="How far ahead to look")


# ---------------------------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------------------------


class VisitActivityOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    cycle = serializers.IntegerField(source="cycle_id", allow_null=True, help_text="Cycle id, once linked")


PractitionerRefOut = PersonOut  # the one shape of a person in the API


class VisitOut(EnteredInErrorFields):
    id = serializers.IntegerField()
    referral = serializers.IntegerField(source="referral_id", help_text="Referral id")
    reference = serializers.CharField(source="referral.reference")
    child_display_name = serializers.CharField(source="referral.child_display_name")
    practitioner = PractitionerRefOut()
    planned_at = serializers.DateTimeField()
    place = serializers.ChoiceField(choices=VisitPlace.choices)
    place_details = serializers.CharField()
    backdated_reason = serializers.CharField(help_text="Why it is dated before the family's allocation, if it is")
    activities = VisitActivityOut(many=True, source="activities.all")
    outcome = serializers.CharField(
        help_text="Blank until recorded; otherwise one of " + ", ".join(VisitOutcome.values)
    )
    outcome_display = serializers.CharField(source="get_outcome_display")
    outcome_reason = serializers.CharField()
    duration_minutes = serializers.IntegerField(allow_null=True)
    present = serializers.CharField()
    notes = serializers.CharField()
    recorded_at = serializers.DateTimeField(allow_null=True)
    not_yet_recorded = serializers.SerializerMethodField()

    @extend_schema_field(serializers.BooleanField(help_text="Its time has passed and no outcome is recorded"))
    def get_not_yet_recorded(self, visit: Visit) -> bool:
        return not visit.outcome and visit.planned_at < timezone.now()


class LiaisonOut(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField(source="referral_id")
    contacted_on = serializers.DateField()
    method = serializers.ChoiceField(choices=LiaisonMethod.choices)
    method_display = serializers.CharField(source="get_method_display")
    summary = serializers.CharField()
    recorded_by = PractitionerRefOut()
    recorded_at = serializers.DateTimeField()
