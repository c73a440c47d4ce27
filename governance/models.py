"""Retention rules, reviews of closed records, the tombstones of destroyed ones, and subject access requests.

The retention periods follow the Records Management Code of Practice for Health and Social Care (NHS England,
2023; README "Retention, destruction and subject access"): a service sets its rule, the monthly task lists closed
records whose review date has come, a reviewer extends or proposes destruction, and a second person approves.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Service
from accounts.permissions import Perm, scope_q
from core.text import NOTE_MAX_LENGTH, SafeTextField
from referrals.models import Parent, Referral

USER = settings.AUTH_USER_MODEL


class RetentionBasis(models.TextChoices):
    CLOSURE = "closure", "Years from the referral's closure"
    BIRTH = "birth", "Until the child reaches an age (years from the child's birth)"


class RetentionRule(models.Model):
    """A service's retention rule. Without one, DEFAULT_RULE applies (until the child's 25th birthday)."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="retention_rule")
    basis = models.CharField(max_length=10, choices=RetentionBasis.choices, default=RetentionBasis.BIRTH)
    years = models.PositiveSmallIntegerField(default=25)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(years__gte=1, years__lte=100), name="retention_years_range")]

    def __str__(self) -> str:
        if self.basis == RetentionBasis.BIRTH:
            return f"Until the child's {self.years}th birthday (at least until closure)"
        return f"{self.years} year{'s' if self.years != 1 else ''} from closure"


# Children's records under the Code: kept until the 25th birthday (26th if 17 at the end of treatment).
DEFAULT_RULE = RetentionRule(basis=RetentionBasis.BIRTH, years=25)


class ReviewStatus(models.TextChoices):
    DUE = "due", "Due for review"
    EXTENDED = "extended", "Kept longer"
    PROPOSED = "proposed", "Destruction proposed"


OPEN_REVIEW_STATUSES = (ReviewStatus.DUE, ReviewStatus.PROPOSED)


class RetentionReviewQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_REVIEW_STATUSES)

    def visible_to(self, user):
        return self.filter(scope_q(user, Perm.RECORD_DESTROY, service="service", site="referral__site"))


class RetentionReview(models.Model):
    """One review of a closed record whose review date has come: kept longer (a reason and a new date) or destruction
    proposed (then approved by someone else, which destroys the record and this row with it)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="retention_reviews")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DUE)
    created_at = models.DateTimeField(default=timezone.now)
    extended_to = models.DateField(null=True, blank=True)
    reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    reviewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = RetentionReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["service", "status", "due_on"], name="retention_review_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=Q(status__in=["due", "proposed"]), name="one_open_review_per_referral"
            ),
            models.CheckConstraint(
                condition=~Q(status="extended") | (Q(extended_to__isnull=False) & ~Q(reason="")),
                name="extension_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="due") | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="reviewed_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Retention review of {self.referral_id} (due {self.due_on:%d %b %Y})"

    def permission_site_ids(self):
        return {self.referral.site_id}


class DestroyedRecord(models.Model):
    """The tombstone of a destroyed referral: which record, when, by whom, under which rule. No personal data, and
    no foreign keys to the family, so it outlives the record (user ids are kept as plain integers too)."""

    referral_id = models.PositiveIntegerField(unique=True)
    reference = models.CharField(max_length=40)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    destroyed_at = models.DateTimeField(default=timezone.now)
    proposed_by_id = models.PositiveIntegerField()
    approved_by_id = models.PositiveIntegerField()
    rule = models.CharField(max_length=200)
    review_due_on = models.DateField()

    class Meta:
        ordering = ["-destroyed_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(proposed_by_id=models.F("approved_by_id")), name="destroyed_by_two")
        ]

    def __str__(self) -> str:
        return f"{self.reference} (destroyed {self.destroyed_at:%d %b %Y})"

    def as_tombstone(self) -> dict:
        return {
            "id": self.referral_id,
            "reference": self.reference,
            "service": self.service_id,
            "destroyed_at": self.destroyed_at.isoformat(),
            "proposed_by": self.proposed_by_id,
            "approved_by": self.approved_by_id,
            "rule": self.rule,
        }


class SarStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEWED = "reviewed", "Reviewed"
    RELEASED = "released", "Released"


class SubjectAccessRequest(models.Model):
    """One person's subject access request (a parent on a referral): the fields to redact, reviewed, then released."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="subject_access_requests")
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=SarStatus.choices, default=SarStatus.DRAFT)
    received_on = models.DateField()
    redact = models.JSONField(default=list, blank=True, help_text="Keys of the fields withheld from the export.")
    include_family_text = models.JSONField(
        default=list, blank=True, help_text="Keys of family free-text fields the reviewer judged safe to include."
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(released_by__isnull=True, released_at__isnull=True)
                | Q(released_by__isnull=False, released_at__isnull=False),
                name="sar_released_by_and_at_paired",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="sar_reviewed_before_release",
            ),
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.pk}"

    @property
    def service_id(self):
        return self.referral.service_id

    def permission_site_ids(self):
        return {self.referral.site_id}


class AccessLogMonthDropped(models.Model):
    """One month of the access log removed whole by retention (ADR 0023): which partition, its range, how many rows,
    when and under which setting. The record an auditor asks for when the log no longer reaches back that far."""

    partition = models.CharField(max_length=63, unique=True)
    month_from = models.DateTimeField()
    month_to = models.DateTimeField()
    rows = models.BigIntegerField()
    retention_months = models.PositiveSmallIntegerField()
    dropped_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month_from"]

    def __str__(self) -> str:
        return f"{self.partition}: {self.rows:,} rows dropped {self.dropped_at:%d %b %Y}"
