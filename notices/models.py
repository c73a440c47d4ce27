"""In-app notices: something a person must see and act on (footage past its destruction date, an overdue visit,
a risk answer on a questionnaire, a letter that failed).

A notice names its recipient, its kind, the family's referral it concerns (for access checks and the link) and the
record it is about (type and id). It stays open until someone acknowledges it and records the action taken; then
it stays in the history. One open notice per recipient, kind and record: raising it again changes nothing, so beat
tasks can run as often as they like.

A notice about a record is handled once for everyone it went to: when one recipient records the action, every open
notice of that kind about that record closes with the same who, when and action (`acknowledge_notice`), so nobody
is left looking at "act on it" for something already done. A risk answer nobody acts on within the service's
working hours escalates (`notices.escalation`): `escalated_at` is set on its notices, once, and the coordinators and
managers get a `risk_escalated` notice each.
"""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.text import NOTE_MAX_LENGTH, SafeCharField, SafeTextField
from referrals.models import Referral


class NoticeKind(models.TextChoices):
    FOOTAGE_OVERDUE = "footage_overdue", "Footage past its destruction date"
    VISIT_OVERDUE = "visit_overdue", "Visit not recorded"
    RISK_ANSWER = "risk_answer", "Risk answer on a questionnaire"
    RISK_ESCALATED = "risk_escalated", "Risk answer not acted on in time"
    LETTER_FAILED = "letter_failed", "Letter failed"
    AWAITING_INFORMATION = "awaiting_information", "Information asked for, not received"
    OTHER = "other", "Other"


# Kinds closed together: recording the action on one closes the others about the same record.
HANDLED_TOGETHER: dict[str, tuple[str, ...]] = {
    NoticeKind.RISK_ANSWER: (NoticeKind.RISK_ANSWER, NoticeKind.RISK_ESCALATED),
    NoticeKind.RISK_ESCALATED: (NoticeKind.RISK_ANSWER, NoticeKind.RISK_ESCALATED),
}


def kinds_handled_with(kind: str) -> tuple[str, ...]:
    return HANDLED_TOGETHER.get(kind, (kind,))


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
    # Set once, by the escalation sweep, on a risk answer's notices when nobody acted on them in time.
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"], condition=Q(acknowledged_at__isnull=True), name="notice_open_mine"
            ),
            # The dashboard's risk alerts: one kind of notice raised in a period.
            models.Index(fields=["kind", "created_at"], name="notice_kind_raised"),
            # Every notice about one record, whoever it went to: a risk answer's escalation, and whether a request
            # for information was already reminded about (read daily, however many years of notices there are).
            models.Index(fields=["kind", "object_type", "object_id"], name="notice_about_record"),
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
            models.CheckConstraint(
                condition=Q(escalated_at__isnull=True) | Q(kind=NoticeKind.RISK_ANSWER),
                name="only_risk_answers_escalate",
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def referral_reference(self) -> str:
        """The family's reference ("R000013") without loading the family's record (the home page's notices)."""
        return Referral.reference_of(self.referral_id) if self.referral_id else ""

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None

    @property
    def state(self) -> str:
        """ "open", "escalated" (open, and nobody acted in time) or "handled" (someone recorded the action)."""
        if not self.is_open:
            return "handled"
        return "escalated" if self.is_escalated or self.kind == NoticeKind.RISK_ESCALATED else "open"

    @property
    def handled_by_someone_else(self) -> bool:
        return not self.is_open and self.acknowledged_by_id != self.recipient_id

    def case_practitioner_ids(self) -> set[int]:
        return {self.recipient_id}


DEFAULT_ESCALATE_AFTER_HOURS = 4
DEFAULT_DAY_STARTS, DEFAULT_DAY_ENDS = time(9, 0), time(17, 0)
# Days a referral may wait for the information a coordinator asked for before they are reminded to chase it.
DEFAULT_REMIND_AWAITING_AFTER_DAYS = 14
REMIND_AWAITING_DAYS_RANGE = (1, 90)


class NoticeSettings(models.Model):
    """A service's risk-notice escalation: after how many working hours a risk answer nobody acted on escalates,
    the working day those hours are counted in (Monday to Friday, UK time), and who is told. Owned by notices
    (ADR 0008); set by the service admin on the notice settings page, each change kept in `NoticeSettingsChange`.
    A service without a row uses the defaults: four working hours, 09:00 to 17:00, coordinators and managers.

    It also says after how many days a referral still awaiting the information a coordinator asked for brings them a
    reminder (`notices.awaiting_information`; default 14)."""

    service = models.OneToOneField("accounts.Service", on_delete=models.CASCADE, related_name="notice_settings")
    escalate_after_hours = models.PositiveSmallIntegerField(
        default=DEFAULT_ESCALATE_AFTER_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(40)],
        help_text="Working hours a risk answer may wait for someone to record the action before it escalates.",
    )
    remind_awaiting_after_days = models.PositiveSmallIntegerField(
        default=DEFAULT_REMIND_AWAITING_AFTER_DAYS,
        validators=[MinValueValidator(REMIND_AWAITING_DAYS_RANGE[0]), MaxValueValidator(REMIND_AWAITING_DAYS_RANGE[1])],
        help_text="Days a referral may wait for information asked for before the coordinator is reminded.",
    )
    working_day_starts = models.TimeField(default=DEFAULT_DAY_STARTS)
    working_day_ends = models.TimeField(default=DEFAULT_DAY_ENDS)
    tell_coordinators = models.BooleanField("Tell every coordinator", default=True)
    tell_managers = models.BooleanField("Tell every manager", default=True)
    duty_contact = SafeCharField(
        max_length=200,
        blank=True,
        help_text="Shown on the escalation warning, for example: Duty senior practitioner, 01632 960123.",
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "notice settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(escalate_after_hours__gte=1, escalate_after_hours__lte=40),
                name="escalation_hours_in_range",
            ),
            models.CheckConstraint(
                condition=Q(remind_awaiting_after_days__gte=1, remind_awaiting_after_days__lte=90),
                name="awaiting_reminder_days_in_range",
            ),
            models.CheckConstraint(
                condition=Q(working_day_starts__lt=models.F("working_day_ends")),
                name="working_day_starts_before_it_ends",
            ),
            models.CheckConstraint(
                condition=Q(tell_coordinators=True) | Q(tell_managers=True), name="escalation_tells_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"Notice settings of {self.service}"


class NoticeSettingsChange(models.Model):
    """The history of a service's notice settings: who changed what, when, with the old and new values."""

    service = models.ForeignKey("accounts.Service", on_delete=models.CASCADE, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.changed_at:%d %b %Y %H:%M} {', '.join(self.changes)}"
