"""A family's discharge: why and when their VIG work ended, what goes to the health visitor, the family's agreement
to letters, and the footage plan. Every discharge is kept; a reopened one says who reopened it, when and why."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.text import LONG_TEXT_MAX_LENGTH, NOTE_MAX_LENGTH, SafeCharField, SafeTextField
from referrals.models import Referral

USER = settings.AUTH_USER_MODEL


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", "Completed the planned cycles"
    ENDED_EARLY = "ended_early", "The family ended the work early"
    MOVED_AWAY = "moved_away", "Moved away"
    DID_NOT_ENGAGE = "did_not_engage", "Did not engage"
    TRANSFERRED = "transferred", "Transferred to another service"
    OTHER = "other", "Other"


class DischargeQuerySet(models.QuerySet):
    def current(self):
        return self.filter(reopened_at__isnull=True)


class Discharge(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="discharges")
    discharged_on = models.DateField()
    reason = models.CharField(max_length=20, choices=DischargeReason.choices)
    reason_details = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    summary = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH)
    did_well = SafeTextField("What the family did well", max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    ideas = SafeTextField("Ideas for the future", max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    # The service's required end measures that were missing at discharge (instrument codes), and why.
    missing_end_measures = models.JSONField(default=list, blank=True)
    missing_measures_reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    # The plan and requested actions for the named health visitor: [{"who", "what", "by_when"}].
    health_visitor = SafeCharField("Named health visitor", max_length=200, blank=True)
    plan = SafeTextField(max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    requested_actions = models.JSONField(default=list, blank=True)
    letter_to_referrer_agreed = models.BooleanField(default=False)
    letter_to_health_visitor_agreed = models.BooleanField(default=False)
    family_copy_given = models.BooleanField("The family has their copy of the footage", default=False)
    footage_destroy_by = models.DateField(null=True, blank=True)

    discharged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reopen_reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)

    objects = DischargeQuerySet.as_manager()

    class Meta:
        ordering = ["referral_id", "recorded_at", "pk"]
        indexes = [models.Index(fields=["discharged_on"], name="discharge_on")]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=Q(reopened_at__isnull=True), name="discharge_one_current_per_family"
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True, reopened_by__isnull=True, reopen_reason="")
                | (Q(reopened_at__isnull=False, reopened_by__isnull=False) & ~Q(reopen_reason="")),
                name="discharge_reopened_fields_paired",
            ),
        ]

    def __str__(self) -> str:
        return f"Discharged {self.discharged_on:%-d %B %Y} ({self.get_reason_display()})"

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


class RequestedAction:
    """One of a discharge's requested actions (an item of `Discharge.requested_actions`, numbered from 1), in the
    shape the entered-in-error rule reads (`accounts.permissions.may_mark_entered_in_error`): its author is who
    discharged the family. Marked, the item carries the same four fields as every casework record."""

    error_type, error_label, error_family_path = "requested-action", "requested action", "discharge__referral"

    def __init__(self, discharge: Discharge, number: int):
        self.discharge, self.number = discharge, number
        self.item = discharge.requested_actions[number - 1]

    @property
    def error_author_id(self):
        return self.discharge.discharged_by_id

    def error_family(self):
        return self.discharge.referral

    @property
    def entered_in_error(self) -> bool:
        return bool(self.item.get("entered_in_error"))

    def error_description(self) -> str:
        return f"Requested action {self.number}: {self.item.get('who')}: {self.item.get('what')}"


def in_force_actions(requested_actions: list[dict]) -> list[dict]:
    """The requested actions not entered in error: what letters draft from."""
    return [a for a in requested_actions if not a.get("entered_in_error")]
