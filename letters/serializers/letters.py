"""Letter API shapes: separate input and output serializers (STYLE.md 7)."""

from django.urls import reverse
from rest_framework import serializers

from core.text import LONG_TEXT_MAX_LENGTH, SafeCharSerializerField, SafeTextSerializerField

from ..states import LetterKind


class NoInput(serializers.Serializer):
    """Nothing to send: the action needs only the letter."""


class LetterApproveIn(serializers.Serializer):
    confirmed_no_whereabouts = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Required, and must be true, for a letter to a professional (referrer, handover, decline) about a "
        "family whose address is confidential: the approver confirms the letter says nothing about where the family "
        "lives or stays. Without it the answer is 400 with a message under `confirmed_no_whereabouts`. Ignored for "
        "other letters.",
    )


class LetterDraftIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LetterKind.choices)


class LetterEditIn(serializers.Serializer):
    recipient_name = SafeCharSerializerField(max_length=200)
    recipient_address = SafeTextSerializerField(max_length=500, required=False, allow_blank=True, default="")
    sections = serializers.DictField(
        child=SafeTextSerializerField(max_length=LONG_TEXT_MAX_LENGTH, allow_blank=True),
        help_text="Section key → text; keys as in the letter's `sections`.",
    )


class MarkSentIn(serializers.Serializer):
    sent_on = serializers.DateField()
    how = SafeCharSerializerField(max_length=200)


class LetterSectionOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    text = serializers.CharField()


class LetterOut(serializers.Serializer):
    id = serializers.IntegerField()
    referral = serializers.IntegerField(source="referral_id")
    kind = serializers.CharField()
    version = serializers.IntegerField()
    is_current = serializers.BooleanField()
    superseded_by = serializers.IntegerField(source="superseded_by_id", allow_null=True)
    recipient_name = serializers.CharField()
    recipient_address = serializers.CharField()
    sections = serializers.SerializerMethodField()
    content_hash = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    error = serializers.CharField()
    approved_by = serializers.CharField(source="approved_by.get_full_name", allow_null=True, default=None)
    approved_at = serializers.DateTimeField(allow_null=True)
    bereavement_confirmed_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    sent_how = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_sections(self, letter) -> list[dict]:
        from ..wording import SECTIONS

        sections = letter.content.get("sections", {})
        return [{"key": k, "label": label, "text": sections.get(k, "")} for k, label in SECTIONS[letter.kind]]

    def get_download_url(self, letter) -> str | None:
        if letter.status != "ready":
            return None
        return reverse("api:letter-download", kwargs={"letter_id": letter.pk})
