"""API shapes for supervision sessions, trainee progress and stages reached (separate In and Out)."""

from rest_framework import serializers

from core.text import serializer_field_for
from referrals.serializers.entered_in_error import EnteredInErrorFields

from ..actions.supervision import MAX_SUPERVISION_MINUTES
from ..models import SupervisionSession


class SupervisionSessionIn(serializers.Serializer):
    trainee = serializers.IntegerField(help_text="Membership id of the trainee (their practitioner membership).")
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
    supervisor = serializers.IntegerField(source="supervisor_id")
    supervisor_name = serializers.CharField(source="supervisor.get_full_name")
    trainee = serializers.IntegerField(source="trainee_id", help_text="User id of the trainee.")
    trainee_name = serializers.CharField(source="trainee.get_full_name")
    held_on = serializers.DateField()
    duration_minutes = serializers.IntegerField()
    feedback = serializers.CharField()
    cycles = SupervisedCycleOut(source="supervised_cycles.all", many=True)
    recorded_at = serializers.DateTimeField()


class SupervisionListParams(serializers.Serializer):
    trainee = serializers.IntegerField(required=False, help_text="Only this trainee's sessions (membership id).")


class StageReachedIn(serializers.Serializer):
    stage = serializers.ChoiceField(choices=[1, 2, 3])
    reached_on = serializers.DateField()


class StageReachedOut(serializers.Serializer):
    stage = serializers.IntegerField()
    reached_on = serializers.DateField()
    recorded_by = serializers.IntegerField(source="recorded_by_id")


class TraineeProgressOut(serializers.Serializer):
    membership = serializers.IntegerField(source="membership.pk")
    user = serializers.IntegerField(source="membership.user_id")
    name = serializers.CharField(source="membership.user.get_full_name")
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
