"""Instruments (definitions) and completed measures in the API. Answers are option positions, 0 = the top of the
printed list, keyed by item number; the instrument resource gives every item's options with their scores."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.text import SafeNoteSerializerField
from referrals.serializers.entered_in_error import EnteredInErrorFields

from ..models import TimePoint

ANSWERS_HELP = (
    'Item number → option position as printed, counted from 0 at the top (e.g. {"1": 0, "2": 3}); null or absent = '
    "not answered; text for a text item. GET /api/v1/instruments/{code}/ lists each item's options and scores."
)


class OptionOut(serializers.Serializer):
    position = serializers.IntegerField(help_text="0 = top of the printed list")
    score = serializers.IntegerField()
    label = serializers.CharField(help_text="Neutral label, or a special one such as 'Not applicable (scored 2)'")


class ItemOut(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["choice", "text"])
    scored = serializers.BooleanField()
    options = OptionOut(many=True)


class BandOut(serializers.Serializer):
    from_value = serializers.DecimalField(max_digits=6, decimal_places=2, source="from")
    label = serializers.CharField()


class ReliableChangeOut(serializers.Serializer):
    threshold = serializers.DecimalField(max_digits=5, decimal_places=2)
    confidence = serializers.CharField()
    configurable = serializers.BooleanField()
    source = serializers.CharField()


class ScaleOut(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    items = serializers.ListField(child=serializers.IntegerField())
    combine = serializers.ChoiceField(choices=["sum", "mean"])
    range = serializers.ListField(child=serializers.DecimalField(max_digits=6, decimal_places=2))
    higher_is = serializers.ChoiceField(choices=["worse", "better", "neither"])
    missing_rule = serializers.ChoiceField(choices=["none", "prorate"])
    max_missing = serializers.IntegerField()
    missing_note = serializers.CharField()
    bands = BandOut(many=True)
    bands_by_set = serializers.DictField(child=BandOut(many=True))
    reliable_change = ReliableChangeOut(allow_null=True)


class RiskItemOut(serializers.Serializer):
    item = serializers.IntegerField()
    score_above = serializers.IntegerField()
    message = serializers.CharField()


class InstrumentOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    version = serializers.CharField()
    citation = serializers.CharField()
    sources = serializers.ListField(child=serializers.CharField())
    completed_by = serializers.CharField()
    recorded_with = serializers.CharField(help_text="'helping_questions' for GBO (rated with the helping questions)")
    wording_shipped = serializers.BooleanField()
    wording_licence = serializers.DictField(child=serializers.JSONField())
    items = serializers.SerializerMethodField()
    scales = ScaleOut(many=True)
    primary_scale = serializers.CharField(allow_null=True)
    risk_items = RiskItemOut(many=True)
    threshold_sets = serializers.DictField(child=serializers.JSONField())

    @extend_schema_field(ItemOut(many=True))
    def get_items(self, instrument):
        return ItemOut(
            [
                {
                    "number": item.number,
                    "kind": item.kind,
                    "scored": item.scored,
                    "options": [
                        {"position": p, "score": s, "label": item.neutral_label(p)} for p, s in enumerate(item.scores)
                    ],
                }
                for item in instrument.items
            ],
            many=True,
        ).data


class ScaleResultOut(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    scorable = serializers.BooleanField()
    value = serializers.CharField(allow_null=True, help_text="Exact decimal as text; null when not scorable")
    raw = serializers.IntegerField(allow_null=True)
    band = serializers.CharField()
    cutoffs = serializers.ListField(child=serializers.CharField())
    prorated = serializers.BooleanField()
    reason = serializers.CharField()
    missing_items = serializers.ListField(child=serializers.IntegerField())


class RiskOut(serializers.Serializer):
    item = serializers.IntegerField()
    score = serializers.IntegerField()
    message = serializers.CharField()


class MeasureOut(EnteredInErrorFields):
    id = serializers.IntegerField()
    referral = serializers.IntegerField(source="referral_id")
    instrument = serializers.CharField()
    instrument_version = serializers.CharField()
    time_point = serializers.ChoiceField(choices=TimePoint.choices)
    completed_on = serializers.DateField()
    answers = serializers.DictField(child=serializers.JSONField(), help_text=ANSWERS_HELP)
    scales = ScaleResultOut(many=True)
    risk = RiskOut(many=True)
    risk_flagged = serializers.BooleanField()
    recorded_by = serializers.CharField(source="recorded_by.get_full_name")
    recorded_at = serializers.DateTimeField()
    is_current = serializers.BooleanField()
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    correction_reason = serializers.CharField()


class MeasureIn(serializers.Serializer):
    instrument = serializers.CharField(max_length=20)
    time_point = serializers.ChoiceField(choices=TimePoint.choices)
    completed_on = serializers.DateField()
    answers = serializers.DictField(child=serializers.JSONField(allow_null=True), help_text=ANSWERS_HELP)


class CorrectionIn(serializers.Serializer):
    time_point = serializers.ChoiceField(choices=TimePoint.choices, required=False)
    completed_on = serializers.DateField()
    answers = serializers.DictField(child=serializers.JSONField(allow_null=True), help_text=ANSWERS_HELP)
    reason = SafeNoteSerializerField()
