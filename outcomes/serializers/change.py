"""API shape of a family's outcome change: what the family's outcomes page shows (`outcomes.reads.family_outcomes`),
each measure's scales by time point with the change from baseline, and the helping questions start → end."""

from rest_framework import serializers

from ..models import TimePoint


def _number(**kwargs):
    return serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=True, allow_null=True, **kwargs)


class ScalePointOut(serializers.Serializer):
    measure = serializers.IntegerField(source="measure.pk", help_text="Measure id")
    time_point = serializers.ChoiceField(choices=TimePoint.choices)
    label = serializers.CharField()
    completed_on = serializers.DateField(source="measure.completed_on")
    value = _number(help_text="Null when the scale could not be scored (see reason)")
    band = serializers.CharField()
    reason = serializers.CharField(help_text="Why the scale was not scored; blank when it was")
    change = _number(help_text="value minus the baseline's; null at baseline or without one")
    classification = serializers.CharField(help_text="Reliable change, where a threshold exists; blank otherwise")


class ScaleChangeOut(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    low = _number()
    high = _number()
    higher_is = serializers.ChoiceField(choices=["worse", "better", "neither"])
    threshold = _number(help_text="Reliable-change threshold in use; null where the scale has none")
    threshold_note = serializers.CharField()
    points = ScalePointOut(many=True)


class InstrumentChangeOut(serializers.Serializer):
    instrument = serializers.CharField(source="instrument.code")
    name = serializers.CharField(source="instrument.short_name")
    scales = ScaleChangeOut(many=True)


class GoalOut(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk", help_text="Helping question id")
    number = serializers.IntegerField(source="question.number")
    text = serializers.CharField(source="question.text")
    start = serializers.IntegerField(allow_null=True)
    end = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(allow_null=True)
    classification = serializers.CharField()


class OutcomeChangeOut(serializers.Serializer):
    """A family's outcome change, as the outcomes page shows it (current measures only)."""

    referral = serializers.IntegerField()
    measure_count = serializers.IntegerField(help_text="Current measures recorded")
    instruments = InstrumentChangeOut(many=True, source="sections")
    goals = GoalOut(many=True, help_text="Goal Based Outcomes: each helping question, start → end")
    gbo_threshold = _number()
