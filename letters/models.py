"""Letters to families and professionals, and each service's letter settings and wording.

A `Letter` is one version of one kind of letter about one family. Its editable sections are a JSON `content`,
frozen (with the service's letterhead and wording copied in) when it is drafted, so an approved letter renders the
same PDF whatever changes later; `content_hash` names that content. Statuses change only in `letters.actions`
(the table in `letters.states`); the pipeline's state (queued, rendering, ready, failed, attempts) lives here, in
the database, never only in the broker.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Service
from accounts.permissions import Perm
from core.jobs import Job
from core.text import LONG_TEXT_MAX_LENGTH, NOTE_MAX_LENGTH, SafeCharField, SafeTextField
from referrals.models import Referral

from .states import APPROVED_STATUSES, IN_PIPELINE, LetterKind, LetterStatus
from .storage import letter_storage

ADDRESS_MAX_LENGTH = 500
# A letter's recipient is prefilled from the record: every parent's name (two of 200), or a health visitor's name,
# team and address (200 + 200 + 500). The fields hold the longest prefill, so nothing is ever cut to fit.
RECIPIENT_NAME_MAX_LENGTH = 500
RECIPIENT_ADDRESS_MAX_LENGTH = 1000
PHONE_MAX_LENGTH = 40
# The render job (core.jobs): actions send a letter's id under this name; `letters.tasks` registers the task.
RENDER = Job(name="letters.tasks.render_letter", noun="Letter")


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user, perm: Perm = Perm.REFERRAL_VIEW):
        """Letters of the families the user may see (the referral's scope: service, own cases, trainees')."""
        return self.filter(referral__in=Referral.objects.visible_to(user, perm).values("pk"))

    def current(self):
        return self.filter(superseded_at__isnull=True)

    def approved(self):
        return self.filter(status__in=APPROVED_STATUSES)

    def stuck(self, before):
        """Current letters the workers still owe a file for, unchanged since `before` (the sweep re-sends them)."""
        return self.current().filter(status__in=IN_PIPELINE, status_changed_at__lt=before)

    def with_details(self):
        return self.select_related(
            "referral__service", "referral__site", "created_by", "approved_by", "bereavement_confirmed_by"
        )


class Letter(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=12, choices=LetterKind.choices)
    version = models.PositiveSmallIntegerField(default=1)
    recipient_name = SafeCharField(max_length=RECIPIENT_NAME_MAX_LENGTH)
    recipient_address = SafeTextField(max_length=RECIPIENT_ADDRESS_MAX_LENGTH, blank=True)
    content = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)

    status = models.CharField(max_length=12, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    status_changed_at = models.DateTimeField(default=timezone.now)
    error = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    file = models.FileField(storage=letter_storage, max_length=300, blank=True)

    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    bereavement_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bereavement_confirmed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_how = SafeCharField(max_length=200, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Everyone who wrote or edited this letter or any earlier version of it: who may approve reads this, never
    # `created_by` alone (a trainee's edit of a coordinator's draft makes it a trainee's letter).
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["referral_id", "kind", "-version"]
        indexes = [
            models.Index(fields=["status", "status_changed_at"], name="letter_status_changed"),
            models.Index(fields=["approved_at"], name="letter_approved_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "kind"], condition=Q(superseded_at__isnull=True), name="letter_one_current_per_kind"
            ),
            models.UniqueConstraint(fields=["referral", "kind", "version"], name="letter_version_unique"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True, approved_at__isnull=True)
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="letter_approved_by_and_at_paired",
            ),
            models.CheckConstraint(
                condition=Q(bereavement_confirmed_by__isnull=True, bereavement_confirmed_at__isnull=True)
                | Q(bereavement_confirmed_by__isnull=False, bereavement_confirmed_at__isnull=False),
                name="letter_bereavement_confirmation_paired",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True, sent_by__isnull=True, sent_how="")
                | (Q(sent_at__isnull=False, sent_by__isnull=False) & ~Q(sent_how="")),
                name="letter_sent_fields_paired",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False), name="letter_past_draft_is_approved"
            ),
            models.CheckConstraint(condition=~Q(status="ready") | ~Q(file=""), name="letter_ready_has_file"),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True) | Q(superseded_at__isnull=False),
                name="letter_superseded_by_needs_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (version {self.version})"

    # Permission checks read the family's scope.
    @property
    def service_id(self):
        return self.referral.service_id

    def permission_site_ids(self):
        return [self.referral.site_id]

    def case_practitioner_ids(self) -> set[int]:
        return self.referral.case_practitioner_ids()

    def case_supervisor_ids(self) -> set[int]:
        return self.referral.case_supervisor_ids()

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def in_pipeline(self) -> bool:
        return self.status in IN_PIPELINE

    def file_is_missing(self) -> bool:
        """A ready letter whose PDF is gone from storage (lost, or restored without its files): it can only be
        made again. One look in storage per call, so for one letter's page or API answer, never for a list."""
        return self.status == LetterStatus.READY and not (self.file and self.file.storage.exists(self.file.name))

    def canonical_content(self) -> dict:
        return {
            "referral": self.referral_id,
            "kind": self.kind,
            "version": self.version,
            "recipient_name": self.recipient_name,
            "recipient_address": self.recipient_address,
            "content": self.content,
        }

    def compute_hash(self) -> str:
        """sha256 of the letter's canonical content: what was approved is what is rendered and sent."""
        text = json.dumps(self.canonical_content(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


class LetterSettings(models.Model):
    """A service's letterhead, contact details, team line and footer marking (ADR 0008: letters own these).

    Every letter prints the phone, email and postal address where it says how to reach the service, so a family or
    a health visitor never reads "Please contact us" without a way to do it.
    """

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="letter_settings")
    letterhead = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True, help_text="The service's name and team.")
    address_block = SafeTextField(
        "Postal address", max_length=ADDRESS_MAX_LENGTH, blank=True, help_text="Where families and professionals write."
    )
    phone = SafeCharField(max_length=PHONE_MAX_LENGTH, blank=True, help_text="The number families and staff call.")
    email = models.EmailField(max_length=254, blank=True, help_text="A secure email address (nhs.net or similar).")
    sign_off = SafeTextField(
        "Team line",
        max_length=1000,
        blank=True,
        help_text="Printed under the practitioner's name and role, for example the team and organisation.",
    )
    confidential_marking = SafeCharField(max_length=100, default="OFFICIAL-SENSITIVE: PERSONAL")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Letter settings of {self.service}"

    @property
    def has_contact(self) -> bool:
        return bool(self.phone or self.email or self.address_block)


class LetterTemplate(models.Model):
    """The wording of one kind of letter in one service: an opening and a closing, with {placeholders}."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="letter_templates")
    kind = models.CharField(max_length=12, choices=LetterKind.choices)
    opening = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    closing = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    signposting = SafeTextField(
        max_length=LONG_TEXT_MAX_LENGTH, blank=True, help_text="Other services to suggest (decline letters)."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "kind"], name="letter_template_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} wording of {self.service}"

    # A service admin's permission is checked against the service.
    def permission_site_ids(self):
        return None


class LetterTranslation(models.Model):
    """A service's own wording of one kind of letter in another language (today the family's letter only).

    It holds what the service writes once for every family: the opening, the closing and the section headings,
    with the same {placeholders} as the English wording. What the practitioner writes for one family stays as they
    write it. A letter uses this only while it is in use and in step with the English wording
    (`letters.languages`); otherwise the letter is in English and its history says why. Never deleted: taken out
    of use instead, and who checked the translation is kept.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="letter_translations")
    kind = models.CharField(max_length=12, choices=LetterKind.choices, default=LetterKind.FAMILY)
    language = models.CharField(max_length=8, help_text="ISO 639 code (core.languages).")
    opening = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    closing = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    headings = models.JSONField(default=dict, blank=True, help_text="Section key → heading in this language.")
    checked_by = SafeCharField(
        max_length=200, help_text="The qualified translator who checked this wording, and their organisation."
    )
    checked_on = models.DateField()
    in_use = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["service_id", "kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["service", "kind", "language"], name="letter_translation_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} wording of {self.service} in {self.language}"

    # A service admin's permission is checked against the service.
    def permission_site_ids(self):
        return None
