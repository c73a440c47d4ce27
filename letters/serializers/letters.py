"""Letter API shapes: separate input and output serializers (STYLE.md 7)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.text import LONG_TEXT_MAX_LENGTH, SafeCharSerializerField, SafeTextSerializerField
from web.api import PersonOut

from ..models import RECIPIENT_ADDRESS_MAX_LENGTH, RECIPIENT_NAME_MAX_LENGTH
from ..rules import letter_user_can
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
    recipient_name = SafeCharSerializerField(max_length=RECIPIENT_NAME_MAX_LENGTH)
    recipient_address = SafeTextSerializerField(
        max_length=RECIPIENT_ADDRESS_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
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


class LetterLanguageOut(serializers.Serializer):
    """Which language and wording the letter was drafted with (`letters.languages`)."""

    code = serializers.CharField(help_text="ISO 639 code of the service wording the letter uses (en for English)")
    name = serializers.CharField()
    wording = serializers.ChoiceField(
        choices=["translation", "english"], help_text="The service's translated wording, or English"
    )
    summary = serializers.CharField(help_text="Why: whose translation, or why English. Blank for professionals.")


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
    approved_by = PersonOut(allow_null=True, help_text="Null until approved")
    approved_at = serializers.DateTimeField(allow_null=True)
    bereavement_confirmed_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    sent_how = serializers.CharField()
    download_url = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()

    @extend_schema_field(LetterLanguageOut)
    def get_language(self, letter) -> dict:
        used = letter.content.get("language") or {}
        return {
            "code": used.get("code", "en"),
            "name": used.get("name", "English"),
            "wording": used.get("wording", "english"),
            "summary": used.get("summary", ""),
        }

    def get_sections(self, letter) -> list[dict]:
        from ..wording import SECTIONS

        sections = letter.content.get("sections", {})
        return [{"key": k, "label": label, "text": sections.get(k, "")} for k, label in SECTIONS[letter.kind]]

    def get_download_url(self, letter) -> str | None:
        if letter.status != "ready":
            return None
        return reverse("api:letter-download", kwargs={"letter_id": letter.pk})


class LetterUserCanOut(serializers.Serializer):
    """What the requesting user may do to the letter now, as the letter page offers it."""

    edit = serializers.BooleanField()
    preview = serializers.BooleanField()
    approve = serializers.BooleanField()
    confirm_bereavement = serializers.BooleanField()
    download = serializers.BooleanField(help_text="False for a ready letter whose PDF is missing from storage.")
    mark_sent = serializers.BooleanField()
    regenerate = serializers.BooleanField(
        help_text="A failed letter, or a ready one whose PDF is missing: POST to the letter's regenerate/."
    )


class LetterDetailOut(LetterOut):
    """One letter, with what the user may do to it. Only here is storage asked whether a ready letter's PDF is
    still there (once): lists give `download_url` from the status alone."""

    user_can = serializers.SerializerMethodField()

    @extend_schema_field(LetterUserCanOut)
    def get_user_can(self, letter) -> dict[str, bool]:
        return self._user_can(letter)

    def get_download_url(self, letter) -> str | None:
        return super().get_download_url(letter) if self._user_can(letter)["download"] else None

    def _user_can(self, letter) -> dict[str, bool]:
        """Worked out once per letter: download_url and user_can read the same look in storage."""
        known = self.__dict__.setdefault("_can", {})
        if letter.pk not in known:
            known[letter.pk] = letter_user_can(self.context["request"].user, letter)
        return known[letter.pk]
