"""In-app notices: something a person must see and act on (footage past its destruction date, an overdue visit,
a risk answer on a questionnaire, a letter that failed).

A notice names its recipient, its kind, the family's referral it concerns (for access checks and the link) and the
record it is about (type and id). It stays open until someone acknowledges it and records the action taken; then
it stays in the history. One open notice per recipient, kind and record: raising it again changes nothing, so beat
tasks can run as often as they like.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.text import NOTE_MAX_LENGTH, SafeCharField, SafeTextField
from referrals.models import Referral


class NoticeKind(models.TextChoices):
    FOOTAGE_OVERDUE = "footage_overdue", "Footage past its destruction date"
    VISIT_OVERDUE = "visit_overdue", "Visit not recorded"
    RISK_ANSWER = "risk_answer", "Risk answer on a questionnaire"
    LETTER_FAILED = "letter_failed", "Letter failed"
    OTHER = "other", "Other"


class NoticeQuerySet(models.QuerySet):
    def open(self):
        return self.filter(acknowledged_at__isnull=True)

    def for_user(self, user):
        """A person's own notices, newest first, with what the list shows."""
        return self.filter(recipient=user).select_related("referral").order_by("-created_at", "-pk")


class Notice(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="notices")
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = SafeCharField(max_length=300)
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_taken = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"], condition=Q(acknowledged_at__isnull=True), name="notice_open_mine"
            ),
            # The dashboard's risk alerts: one kind of notice raised in a period.
            models.Index(fields=["kind", "created_at"], name="notice_kind_raised"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "object_type", "object_id"],
                condition=Q(acknowledged_at__isnull=True),
                name="one_open_notice_per_record",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | (Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False) & ~Q(action_taken="")),
                name="acknowledgement_has_who_when_and_action",
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    def case_practitioner_ids(self) -> set[int]:
        return {self.recipient_id}
