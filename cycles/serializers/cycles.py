"""Cycle API shapes: separate input (one per action, keyword for keyword) and output (a cycle with its work)."""

from rest_framework import serializers

from core.text import SafeNoteSerializerField, serializer_field_for
from cycles.dates import backdated_reason_serializer_field
from cycles.reads.timeline import MAX_FILM_SECONDS
from referrals.serializers.entered_in_error import ENTERED_IN_ERROR_FIELDS, EnteredInErrorFields

from ..models import Clip, FilmedActivity, Filming, SharedReview

# --- output ------------------------------------------------------------------------------------------------------


class ClipOut(EnteredInErrorFields, serializers.ModelSerializer):
    principle_labels = serializers.ListField(child=serializers.CharField())
    principles = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=6))

    class Meta:
        model = Clip
        fields = [
            "id",
            "start_seconds",
            "end_seconds",
            "principles",
            "principle_labels",
            "helping_question",
            "description",
            "marked_for_training",
            "recorded_at",
            *ENTERED_IN_ERROR_FIELDS,
        ]
        read_only_fields = fields


class FilmingOut(EnteredInErrorFields, serializers.ModelSerializer):
    activity_display = serializers.CharField(source="get_activity_display")
    filmed_parents = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    filmed_children = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    clips = ClipOut(many=True, read_only=True)

    class Meta:
        model = Filming
        fields = [
            "id",
            "filmed_on",
            "activity",
            "activity_display",
            "activity_details",
            "filmed_parents",
            "filmed_children",
            "length_seconds",
            "visit",
            "backdated_reason",
            "clips",
            "recorded_at",
            *ENTERED_IN_ERROR_FIELDS,
        ]
        read_only_fields = fields


class SharedReviewOut(EnteredInErrorFields, serializers.ModelSerializer):
    clips_watched = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = SharedReview
        fields = [
            "id",
            "reviewed_on",
            "clips_watched",
            "parent_reflections",
            "parent_learning",
            "next_focus",
            "visit",
            "backdated_reason",
            "recorded_at",
            *ENTERED_IN_ERROR_FIELDS,
        ]
        read_only_fields = fields


class CycleOut(serializers.Serializer):
    """A cycle (read from `cycles.reads.timeline.CycleStep`): where it stands, its filming with clips, its review."""

    id = serializers.IntegerField(source="cycle.pk")
    referral = serializers.IntegerField(source="cycle.referral_id")
    number = serializers.IntegerField(source="cycle.number")
    beyond_maximum_reason = serializers.CharField(source="cycle.beyond_maximum_reason")
    stage = serializers.ChoiceField(choices=["to_film", "filmed", "clips_chosen", "reviewed"])
    stage_display = serializers.CharField(source="label")
    next_step = serializers.CharField()
    review_due_from = serializers.DateField(source="due_from", allow_null=True)
    review_due_by = serializers.DateField(source="due_by", allow_null=True)
    review_overdue = serializers.BooleanField(source="overdue")
    filming = FilmingOut(allow_null=True)
    shared_review = SharedReviewOut(source="review", allow_null=True)
    created_at = serializers.DateTimeField(source="cycle.created_at")


class CyclePlanOut(serializers.Serializer):
    """Where the family's cycles stand against the service's plan (the list itself is cycles/)."""

    planned_cycles = serializers.IntegerField()
    min_cycles = serializers.IntegerField()
    max_cycles = serializers.IntegerField()
    cycles_started = serializers.IntegerField()
    next_number = serializers.IntegerField()
    can_start = serializers.BooleanField()
    start_refused_because = serializers.CharField(help_text="Blank when can_start is true")


# --- input -------------------------------------------------------------------------------------------------------

VISIT_HELP = "Id of this family's visit, recorded as attended on the same day (else 400 on visit)."


def _ids(**kwargs) -> serializers.ListField:
    """A list of record ids; the view looks each up among this family's own records."""
    return serializers.ListField(child=serializers.IntegerField(min_value=1), **kwargs)


class StartCycleIn(serializers.Serializer):
    beyond_maximum_reason = SafeNoteSerializerField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed only for a cycle beyond the service's max_cycles: why this family needs it.",
    )


class FilmingIn(serializers.Serializer):
    filmed_on = serializers.DateField(
        help_text="Not in the future, not before the referral was received, not before the baby (or anyone filmed) "
        "was born (an unborn baby cannot be filmed: 409), and not before the family's first allocation unless "
        "backdated_reason says why."
    )
    backdated_reason = backdated_reason_serializer_field()
    activity = serializers.ChoiceField(choices=FilmedActivity.choices)
    activity_details = serializer_field_for(
        Filming._meta.get_field("activity_details"),
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed when activity is other.",
    )
    filmed_parents = _ids(min_length=1, help_text="Ids of this family's parents or carers who were filmed.")
    filmed_children = _ids(
        required=False,
        default=list,
        help_text="Ids of this family's older children filmed; those aged 12+ on the day need their own consent.",
    )
    length_seconds = serializers.IntegerField(min_value=1, max_value=MAX_FILM_SECONDS)
    visit = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None, help_text=VISIT_HELP)


class ClipIn(serializers.Serializer):
    start_seconds = serializers.IntegerField(min_value=0, help_text="Seconds into the film.")
    end_seconds = serializers.IntegerField(min_value=1, help_text="After start_seconds; at most the film's length.")
    principles = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=6),
        min_length=1,
        max_length=6,
        help_text="Principles of attuned interaction shown: 1 being attentive, 2 encouraging initiatives, "
        "3 receiving initiatives, 4 developing attuned interactions, 5 guiding, 6 deepening discussion.",
    )
    helping_question = serializers.IntegerField(min_value=1, help_text="Id of one of this family's helping questions.")
    description = serializer_field_for(Clip._meta.get_field("description"))
    marked_for_training = serializers.BooleanField(
        default=False, help_text="Needs current training consent from everyone filmed."
    )


class SharedReviewIn(serializers.Serializer):
    reviewed_on = serializers.DateField(
        help_text="Not in the future; on or after the cycle's filming; not before the family's first allocation "
        "unless backdated_reason says why."
    )
    backdated_reason = backdated_reason_serializer_field()
    clips_watched = _ids(min_length=1, help_text="Ids of this cycle's clips.")
    parent_reflections = serializer_field_for(SharedReview._meta.get_field("parent_reflections"))
    parent_learning = serializer_field_for(
        SharedReview._meta.get_field("parent_learning"), required=False, allow_blank=True, default=""
    )
    next_focus = serializer_field_for(
        SharedReview._meta.get_field("next_focus"), required=False, allow_blank=True, default=""
    )
    visit = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None, help_text=VISIT_HELP)
