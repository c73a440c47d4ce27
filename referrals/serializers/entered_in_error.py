"""The four fields every casework record's API output carries, so a client sees a record entered in error
(core.entered_in_error) wherever the record is returned. Output serializers add `EnteredInErrorFields` as a base
(a ModelSerializer also lists `ENTERED_IN_ERROR_FIELDS` in its Meta.fields)."""

from rest_framework import serializers

from core.entered_in_error import REASON_MAX_LENGTH
from core.text import SafeNoteSerializerField

ENTERED_IN_ERROR_FIELDS = [
    "entered_in_error",
    "entered_in_error_reason",
    "entered_in_error_by",
    "entered_in_error_at",
]


class EnteredInErrorFields(serializers.Serializer):
    entered_in_error = serializers.BooleanField(
        read_only=True, help_text="Marked entered in error: it no longer counts in figures, letters or limits."
    )
    entered_in_error_reason = serializers.CharField(read_only=True, help_text="Why; blank unless entered in error.")
    entered_in_error_by = serializers.IntegerField(
        source="entered_in_error_by_id", read_only=True, allow_null=True, help_text="User id of who marked it."
    )
    entered_in_error_at = serializers.DateTimeField(read_only=True, allow_null=True)


class EnteredInErrorIn(serializers.Serializer):
    reason = SafeNoteSerializerField(
        max_length=REASON_MAX_LENGTH,
        help_text="Why the record was entered in error (a duplicate, the wrong family). Required.",
    )


class EnteredInErrorOut(EnteredInErrorFields):
    record_type = serializers.CharField(source="error_type")
    id = serializers.IntegerField()
    description = serializers.CharField(source="error_description")
