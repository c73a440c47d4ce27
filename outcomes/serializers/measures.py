"""Instruments (definitions) and completed measures in the API. Answers are option positions, 0 = the top of the
printed list, keyed by item number; the instrument resource gives every item's options with their scores."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.text import SafeNoteSerializerField
from cycles.dates import backdated_reason_serializer_field
from referrals.serializers.entered_in_error import EnteredInErrorFields
from web.api import PersonOut

from ..completeness import needed_items, risk_item_numbers
from ..models import NotScoredReason, RiskResponse, TimePoint

ANSWERS_HELP = (
    'Item number → option position as printed, counted from 0 at the top (e.g. {"1": 0, "2": 3}); null or absent = '
    "not answered; text for a text item. GET /api/v1/instruments/{code}/ lists each item's options and scores. "
    "Every item with `needed_for_score` is required: if the instrument's missing-item rule cannot score the answers "
    "(e.g. any EPDS item blank; two CORE-10 items blank), the answer is 400 with an error under `item_<n>` for each "
    "missing item and under `not_scored_reason`, unless `not_scored_reason` is given (then the measure is kept as "
    "not scored: never a baseline or an end in figures, and it does not block a later scored one). A risk item "
    "(`risk_question`: EPDS 10, PHQ-9 9, CORE-10 6) left blank is 400 unless `risk_responses` says the parent "
    "declined it."
)
NOT_SCORED_HELP = (
    "Only when the answers cannot be scored: why it was not completed. `other` needs `not_scored_note`. Given with "
    "answers that can be scored, it is 400."
)
RISK_RESPONSES_HELP = (
    'Risk item number → what happened, e.g. {"10": "declined"}. `declined`: the parent declined to answer it (leave '
    "the item blank; it is written in the history and shown on the measure, and raises no notice). "
    "`asked_in_person`: asked in person; the item's answer is then required."
)


class OptionOut(serializers.Serializer):
    position = serializers.IntegerField(help_text="0 = top of the printed list")
    score = serializers.IntegerField()
    label = serializers.CharField(help_text="Neutral label, or a special one such as 'Not applicable (scored 2)'")


class ItemOut(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["choice", "text"])
    scored = serializers.BooleanField()
    needed_for_score = serializers.BooleanField(
        help_text="A scale reads this item: required when recording, unless the measure is kept as not scored"
    )
    risk_question = serializers.BooleanField(
        help_text="A risk item: if left blank, `risk_responses` must say the parent declined it"
    )
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
        needed, risky = needed_items(instrument), risk_item_numbers(instrument)
        return ItemOut(
            [
                {
                    "number": item.number,
                    "kind": item.kind,
                    "scored": item.scored,
                    "needed_for_score": item.number in needed,
                    "risk_question": item.number in risky,
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
    backdated_reason = serializers.CharField(help_text="Why it is dated before the family's allocation, if it is")
    answers = serializers.DictField(child=serializers.JSONField(), help_text=ANSWERS_HELP)
    scales = ScaleResultOut(many=True)
    risk = RiskOut(many=True)
    risk_flagged = serializers.BooleanField()
    recorded_by = PersonOut()
    recorded_at = serializers.DateTimeField()
    is_current = serializers.BooleanField()
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    correction_reason = serializers.CharField()
    scored = serializers.BooleanField(source="is_scored", help_text="False: kept as not scored, with the reason")
    not_scored_reason = serializers.ChoiceField(choices=[("", ""), *NotScoredReason.choices])
    not_scored_note = serializers.CharField()
    risk_responses = serializers.DictField(child=serializers.ChoiceField(choices=RiskResponse.choices))


class CompletionIn(serializers.Serializer):
    """Why answers that cannot be scored are kept, and what happened with a blank risk question."""

    not_scored_reason = serializers.ChoiceField(
        choices=NotScoredReason.choices, required=False, allow_blank=True, help_text=NOT_SCORED_HELP
    )
    not_scored_note = SafeNoteSerializerField(required=False, allow_blank=True)
    risk_responses = serializers.DictField(
        child=serializers.ChoiceField(choices=RiskResponse.choices), required=False, help_text=RISK_RESPONSES_HELP
    )


COMPLETED_ON_HELP = "Not in the future, and not before the family's first allocation unless backdated_reason says why."


class MeasureIn(CompletionIn):
    instrument = serializers.CharField(max_length=20)
    time_point = serializers.ChoiceField(choices=TimePoint.choices)
    completed_on = serializers.DateField(help_text=COMPLETED_ON_HELP)
    backdated_reason = backdated_reason_serializer_field()
    answers = serializers.DictField(child=serializers.JSONField(allow_null=True), help_text=ANSWERS_HELP)


class CorrectionIn(CompletionIn):
    time_point = serializers.ChoiceField(choices=TimePoint.choices, required=False)
    completed_on = serializers.DateField(help_text=COMPLETED_ON_HELP)
    backdated_reason = backdated_reason_serializer_field()
    answers = serializers.DictField(child=serializers.JSONField(allow_null=True), help_text=ANSWERS_HELP)
    reason = SafeNoteSerializerField()
