"""API shapes for supervision sessions, trainee progress and stages reached (separate In and Out)."""

from rest_framework import serializers

from core.text import serializer_field_for
from referrals.serializers.entered_in_error import EnteredInErrorFields
from web.api import MAX_ID, PersonOut

from ..actions.supervision import MAX_SUPERVISION_MINUTES
from ..models import SupervisionSession


class SupervisionSessionIn(serializers.Serializer):
    trainee = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="User id of the trainee.")
    service = serializers.SlugField(
        required=False,
        max_length=50,
        help_text="Service slug: needed only if the trainee trains in more than one of your services.",
    )
    held_on = serializers.DateField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=MAX_SUPERVISION_MINUTES)
    cycles = serializers.ListField(
        child=serializers.IntegerField(), default=list, help_text="Ids of the cycles discussed."
    )
    signed_off = serializers.ListField(
        child=serializers.IntegerField(),
        default=list,
        help_text="Ids of the cycles (among those discussed) whose work the supervisor signs off.",
    )
    feedback = serializer_field_for(SupervisionSession._meta.get_field("feedback"), default="", allow_blank=True)


class SupervisedCycleOut(serializers.Serializer):
    cycle = serializers.IntegerField(source="cycle_id")
    number = serializers.IntegerField(source="cycle.number")
    referral = serializers.IntegerField(source="cycle.referral_id")
    signed_off = serializers.BooleanField()


class SupervisionSessionOut(EnteredInErrorFields):
    id = serializers.IntegerField()
    service = serializers.CharField(source="service.slug")
    supervisor = PersonOut()
    trainee = PersonOut()
    held_on = serializers.DateField()
    duration_minutes = serializers.IntegerField()
    feedback = serializers.CharField(max_length=SupervisionSession._meta.get_field("feedback").max_length)
    cycles = SupervisedCycleOut(source="supervised_cycles.all", many=True)
    recorded_at = serializers.DateTimeField()


class SupervisionListParams(serializers.Serializer):
    trainee = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only this trainee's sessions (user id)."
    )
    service = serializers.SlugField(required=False, max_length=50, help_text="Only this service's sessions (slug).")


class StageReachedIn(serializers.Serializer):
    stage = serializers.ChoiceField(choices=[1, 2, 3])
    reached_on = serializers.DateField()


class StageReachedOut(serializers.Serializer):
    stage = serializers.IntegerField()
    reached_on = serializers.DateField()
    recorded_by = PersonOut()


class TraineeProgressOut(serializers.Serializer):
    trainee = PersonOut(source="membership.user")
    service = serializers.CharField(source="membership.service.slug")
    stage = serializers.IntegerField()
    counting_from = serializers.DateField(allow_null=True, help_text="The date the current stage was reached.")
    cycles_done = serializers.IntegerField()
    cycles_signed_off = serializers.IntegerField()
    cycles_required = serializers.IntegerField(allow_null=True)
    supervised_minutes = serializers.IntegerField()
    supervised_hours = serializers.FloatField()
    hours_required = serializers.IntegerField(allow_null=True)
    cycles_met = serializers.BooleanField()
    hours_met = serializers.BooleanField()
    stages_reached = StageReachedOut(many=True)
