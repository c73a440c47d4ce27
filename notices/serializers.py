from rest_framework import serializers

from core.text import SafeNoteSerializerField
from web.api import PersonOut

from .models import Notice


class NoticeOut(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    referral_id = serializers.IntegerField(allow_null=True)
    acknowledged_by = PersonOut(allow_null=True, help_text="Null until acknowledged")
    state = serializers.ChoiceField(
        choices=["open", "escalated", "handled"],
        help_text="open; escalated (open, and nobody acted within the service's working hours); handled (someone "
        "recorded the action: acknowledged_by, acknowledged_at and action_taken say who, when and what).",
    )

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "kind_display",
            "summary",
            "urgent",
            "referral_id",
            "object_type",
            "object_id",
            "created_at",
            "state",
            "escalated_at",
            "acknowledged_at",
            "acknowledged_by",
            "action_taken",
        ]
        read_only_fields = fields


class AcknowledgeIn(serializers.Serializer):
    action_taken = SafeNoteSerializerField(help_text="What was done about it.")
