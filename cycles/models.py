"""A family's VIG work once allocated: consent, helping questions, visits, cycles (filming, clips, shared review),
the footage, and trainees' supervision.

Every record hangs off the referral (the family's record), so permissions, history and retention follow it. Writes
go through `cycles.actions`, which check the order rules and what the family's consent covers; reads that several
pages share are QuerySet methods here or in `cycles/consents.py`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership, Service
from core.entered_in_error import EnteredInError, InForceQuerySet, in_force_q, paired_constraint
from core.text import NOTE_MAX_LENGTH, SafeCharField, SafeTextField
from cycles.rules import supervision_sessions_q
from referrals.models import OtherChild, Parent, Referral

from .uploads import consent_form_name, private_storage

USER = settings.AUTH_USER_MODEL
MAX_BOOKING_HORIZON_DAYS = 1095


def backdated_reason_field() -> SafeTextField:
    """Why a casework record is dated before the family's allocation (`cycles.dates`); blank when it is not."""
    return SafeTextField("Reason for a date before the allocation", max_length=500, blank=True)


class Principle(models.IntegerChoices):
    """The six principles of attuned interaction and guidance (Kennedy, Landor & Todd, 2011)."""

    BEING_ATTENTIVE = 1, "Being attentive"
    ENCOURAGING_INITIATIVES = 2, "Encouraging initiatives"
    RECEIVING_INITIATIVES = 3, "Receiving initiatives"
    DEVELOPING_ATTUNED_INTERACTIONS = 4, "Developing attuned interactions"
    GUIDING = 5, "Guiding"
    DEEPENING_DISCUSSION = 6, "Deepening discussion"


class CyclePolicy(models.Model):
    """A service's footage policy (ADR 0008: cycles owns cycle settings). No row means the defaults."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="cycle_policy")
    footage_keep_months = models.PositiveSmallIntegerField(
        default=2, help_text="Months after the end of involvement before footage must be destroyed."
    )
    booking_horizon_days = models.PositiveSmallIntegerField(
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_BOOKING_HORIZON_DAYS)],
        help_text="How many days ahead a visit may be booked (1 to 1,095); a later date is refused as a mistake.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(booking_horizon_days__gte=1, booking_horizon_days__lte=1095),
                name="cycle_policy_booking_horizon_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"Cycle policy of {self.service}"


# ---------------------------------------------------------------------------------------------------------------
# Consent
# ---------------------------------------------------------------------------------------------------------------


class ConsentItem(models.TextChoices):
    """What a consent covers, each agreed or not separately."""

    FILMING = "filming", "Filming"
    SUPERVISOR_VIEWING = "supervisor_viewing", "Viewing by the VIG supervisor"
    PEER_SUPERVISION = "peer_supervision", "Peer supervision"
    TRAINING = "training", "Use in training"
    SHARING_CLIPS = "sharing_clips", "Sharing clips with named others"
    FAMILY_COPY = "family_copy", "Keeping clips for the family"
    EVALUATION = "evaluation", "Use of anonymised data in an evaluation"


class Consent(models.Model):
    """One written consent agreement: the date, the signed form, and who gave which items (ConsentGiver)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="consents")
    given_on = models.DateField()
    backdated_reason = backdated_reason_field()
    written_agreement_given = models.BooleanField(
        default=False,
        help_text="The family received the written agreement: the video will not be shown outside the service "
        "without their permission.",
    )
    sharing_with = SafeCharField(max_length=300, blank=True, help_text="Named others clips may be shared with.")
    # Private storage outside the web roots, random names, no URL: served only by the access-checked download view.
    signed_form = models.FileField(upload_to=consent_form_name, storage=private_storage, blank=True, max_length=200)
    signed_form_content_type = models.CharField(max_length=40, blank=True)
    notes = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["referral_id", "given_on", "pk"]

    def __str__(self) -> str:
        return f"Consent of {self.given_on:%d %b %Y}"


class ConsentGiver(models.Model):
    """A person who gave consent: a parent or carer on the referral, or an older child (12+) who is filmed."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="givers")
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    other_child = models.ForeignKey(OtherChild, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["consent_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=False, other_child__isnull=True)
                | Q(parent__isnull=True, other_child__isnull=False),
                name="consent_giver_is_one_person",
            )
        ]

    def __str__(self) -> str:
        return str(self.parent or self.other_child)


class ConsentDecision(models.Model):
    """One giver's answer to one item. Withdrawal sets the date and reason; the record of what was agreed stays."""

    giver = models.ForeignKey(ConsentGiver, on_delete=models.CASCADE, related_name="decisions")
    item = models.CharField(max_length=30, choices=ConsentItem.choices)
    agreed = models.BooleanField()
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    withdrawal_reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["giver_id", "item"]
        # The dashboard's consents withdrawn in a period: the few withdrawn among every decision ever recorded.
        indexes = [
            models.Index(fields=["withdrawn_on"], condition=Q(withdrawn_on__isnull=False), name="consent_withdrawn_on")
        ]
        constraints = [
            models.UniqueConstraint(fields=["giver", "item"], name="one_decision_per_item_per_giver"),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_on__isnull=False, withdrawn_by__isnull=False, agreed=True),
                name="withdrawal_has_date_and_who_and_was_agreed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {'agreed' if self.agreed else 'not agreed'}"

    def covers(self, day) -> bool:
        """Agreed, and not withdrawn on or before `day`."""
        return self.agreed and (self.withdrawn_on is None or self.withdrawn_on > day)


# ---------------------------------------------------------------------------------------------------------------
# Helping questions (Goal Based Outcomes)
# ---------------------------------------------------------------------------------------------------------------


class RatingPoint(models.TextChoices):
    START = "start", "Start"
    MID = "mid", "Part-way"
    END = "end", "End"


class HelpingQuestion(EnteredInError):
    """One of the family's one to three goals, in the parent's own words. One entered in error frees its number."""

    error_type, error_label = "helping-question", "helping question"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="helping_questions")
    number = models.PositiveSmallIntegerField()
    text = SafeCharField(max_length=300, help_text="In the parent's own words.")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["referral_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "number"], condition=in_force_q(), name="helping_question_number_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=3), name="helping_question_one_to_three"),
            paired_constraint("helping_question"),
        ]

    def __str__(self) -> str:
        return self.text

    def error_description(self) -> str:
        return f"Helping question {self.number}: {self.text}"

    def error_return_url(self) -> str:
        from django.urls import reverse

        return reverse("cycles:helping_questions", kwargs={"pk": self.referral_id})


class HelpingQuestionRating(EnteredInError):
    """A GBO rating, 0 (no progress) to 10 (goal reached). Every rating is kept, so the history shows the change."""

    error_type, error_label, error_family_path = "helping-question-rating", "rating", "question__referral"

    question = models.ForeignKey(HelpingQuestion, on_delete=models.CASCADE, related_name="ratings")
    point = models.CharField(max_length=5, choices=RatingPoint.choices)
    rated_on = models.DateField()
    backdated_reason = backdated_reason_field()
    score = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["question_id", "rated_on", "pk"]
        # A question's first start and last end rating, for the outcomes figures (one index step each).
        indexes = [models.Index(fields=["question", "point", "rated_on"], name="rating_question_point_day")]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=10), name="gbo_rating_zero_to_ten"),
            paired_constraint("gbo_rating"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/10 ({self.get_point_display()})"

    def error_description(self) -> str:
        return f"Rating {self} on {self.rated_on:%-d %B %Y}"

    def error_return_url(self) -> str:
        from django.urls import reverse

        return reverse("cycles:helping_questions", kwargs={"pk": self.question.referral_id})


# ---------------------------------------------------------------------------------------------------------------
# Visits and liaison
# ---------------------------------------------------------------------------------------------------------------


class VisitPlace(models.TextChoices):
    HOME = "home", "Home"
    CLINIC = "clinic", "Clinic"
    VIDEO_CALL = "video_call", "Video call"
    OTHER = "other", "Other"


class VisitOutcome(models.TextChoices):
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED_BY_FAMILY = "cancelled_by_family", "Cancelled by the family"
    CANCELLED_BY_SERVICE = "cancelled_by_service", "Cancelled by the service"


class ActivityKind(models.TextChoices):
    INTRODUCTION = "introduction", "Introduction and consent"
    FILMING = "filming", "Filming"
    SHARED_REVIEW = "shared_review", "Shared review"
    EVALUATION = "evaluation", "Evaluation"
    CLOSING = "closing", "Closing talk"


class VisitQuerySet(InForceQuerySet):
    def planned(self):
        """Booked and not yet recorded (and not entered in error)."""
        return self.in_force().filter(outcome="")

    def overdue(self, now=None):
        """Planned visits whose time has passed but whose outcome is not recorded."""
        return self.planned().filter(planned_at__lt=now or timezone.now())


class Visit(EnteredInError):
    """Any contact with the family. Booked ahead with a planned time; recorded with its outcome afterwards.

    One visit can hold several activities (the shared review of cycle n and the filming of cycle n+1, say).
    """

    error_type, error_label, error_author_field = "visit", "visit", "created_by"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="visits")
    practitioner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="vig_visits")
    planned_at = models.DateTimeField()
    backdated_reason = backdated_reason_field()
    place = models.CharField(max_length=12, choices=VisitPlace.choices, default=VisitPlace.HOME)
    place_details = SafeCharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=24, choices=VisitOutcome.choices, blank=True)
    outcome_reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    present = SafeCharField(max_length=300, blank=True, help_text="Who was present.")
    notes = SafeTextField(blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["planned_at", "pk"]
        indexes = [
            models.Index(fields=["practitioner", "planned_at"], name="visit_practitioner_diary"),
            models.Index(fields=["referral", "planned_at"], name="visit_referral_time"),
            # The dashboard's visits planned in a period (rates, protected days).
            models.Index(fields=["planned_at"], name="visit_planned_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", recorded_at__isnull=True) | (~Q(outcome="") & Q(recorded_at__isnull=False)),
                name="visit_outcome_and_recorded_at_together",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__lte=600),
                name="visit_duration_at_most_ten_hours",
            ),
            paired_constraint("visit"),
        ]

    def __str__(self) -> str:
        return f"Visit {timezone.localtime(self.planned_at):%d %b %Y %H:%M}"


class VisitActivity(models.Model):
    """What a visit was for; a filming or shared-review activity names its cycle."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    cycle = models.ForeignKey("Cycle", on_delete=models.CASCADE, null=True, blank=True, related_name="activities")

    class Meta:
        ordering = ["visit_id", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class LiaisonMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    LETTER = "letter", "Letter"
    OTHER = "other", "Other"


class Liaison(models.Model):
    """Contact with the referrer after allocation: the caseload shows whether it is done."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="liaisons")
    contacted_on = models.DateField()
    method = models.CharField(max_length=10, choices=LiaisonMethod.choices)
    summary = SafeTextField(max_length=NOTE_MAX_LENGTH)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["referral_id", "contacted_on", "pk"]

    def __str__(self) -> str:
        return f"Liaison on {self.contacted_on:%d %b %Y}"


class Draft(models.Model):
    """A half-written form, kept per person and form so an idle sign-out loses nothing.

    `key` names the form and its record ("visit-record:42"); `data` is the posted fields. Deleted when the form is
    saved for real.
    """

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="drafts")
    key = models.CharField(max_length=100)
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_draft_per_form_per_user")]

    def __str__(self) -> str:
        return f"Draft {self.key}"


# ---------------------------------------------------------------------------------------------------------------
# Cycles: filming, clips, shared review
# ---------------------------------------------------------------------------------------------------------------


class Cycle(models.Model):
    """Cycle n of the family's VIG work: a filming, then a shared review of its clips."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField()
    beyond_maximum_reason = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["referral_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "number"], name="cycle_number_unique_per_family"),
            models.CheckConstraint(condition=Q(number__gte=1), name="cycle_number_from_one"),
            models.CheckConstraint(
                condition=Q(signed_off_at__isnull=True, signed_off_by__isnull=True)
                | Q(signed_off_at__isnull=False, signed_off_by__isnull=False),
                name="cycle_sign_off_has_when_and_who",
            ),
        ]

    def __str__(self) -> str:
        return f"Cycle {self.number}"

    def _in_force_one(self, related: str):
        """The one in-force row of a reverse relation, from the prefetch when there is one (no query)."""
        cached = getattr(self, "_prefetched_objects_cache", {})
        rows = cached[related] if related in cached else getattr(self, related).in_force()
        return next((row for row in rows if row.entered_in_error_at is None), None)

    @property
    def filming(self):
        """The cycle's filming in force, or None (prefetch `filmings` to read it without a query)."""
        return self._in_force_one("filmings")

    @property
    def shared_review(self):
        """The cycle's shared review in force, or None (prefetch `shared_reviews`)."""
        return self._in_force_one("shared_reviews")


def _cycle_page(cycle_id: int) -> str:
    from django.urls import reverse

    return reverse("cycles:cycle_detail", kwargs={"pk": cycle_id})


class FilmedActivity(models.TextChoices):
    FEEDING = "feeding", "Feeding"
    PLAY = "play", "Play"
    BATH = "bath", "Bath"
    NAPPY_CHANGE = "nappy_change", "Nappy change"
    BOOK_SHARING = "book_sharing", "Book sharing"
    OTHER = "other", "Other"


class Filming(EnteredInError):
    """The filming of a cycle: when, what, who was filmed and how long the film is. One in force per cycle: one
    entered in error frees the cycle for the right one (its footage record stays, for the destruction duty)."""

    error_type, error_label, error_family_path = "filming", "filming", "cycle__referral"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="filmings")
    visit = models.ForeignKey(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="filmings")
    filmed_on = models.DateField()
    backdated_reason = backdated_reason_field()
    activity = models.CharField(max_length=14, choices=FilmedActivity.choices)
    activity_details = SafeCharField(max_length=200, blank=True)
    filmed_parents = models.ManyToManyField(Parent, related_name="+")
    filmed_children = models.ManyToManyField(OtherChild, blank=True, related_name="+")
    length_seconds = models.PositiveIntegerField(help_text="Length of the film, in seconds.")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(length_seconds__gte=1), name="film_has_a_length"),
            models.UniqueConstraint(fields=["cycle"], condition=in_force_q(), name="filming_one_in_force_per_cycle"),
            paired_constraint("filming"),
        ]

    def __str__(self) -> str:
        return f"Filming of {self.filmed_on:%d %b %Y}"

    def error_return_url(self) -> str:
        return _cycle_page(self.cycle_id)

    def entered_in_error_refusal(self) -> str:
        if SharedReview.objects.in_force().filter(cycle_id=self.cycle_id).exists():
            return (
                f"Cycle {self.cycle.number}'s shared review was recorded from this filming: mark the shared review "
                "entered in error first."
            )
        return ""


class Clip(EnteredInError):
    """A short "better than usual" moment chosen in micro-analysis, and the principles it shows."""

    error_type, error_label, error_family_path = "clip", "clip", "filming__cycle__referral"

    filming = models.ForeignKey(Filming, on_delete=models.CASCADE, related_name="clips")
    start_seconds = models.PositiveIntegerField()
    end_seconds = models.PositiveIntegerField()
    principles = models.JSONField(default=list, help_text="Principles of attuned interaction shown (1–6).")
    helping_question = models.ForeignKey(
        HelpingQuestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="clips"
    )
    description = SafeTextField(max_length=1000)
    marked_for_training = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["filming_id", "start_seconds", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_seconds__gt=models.F("start_seconds")), name="clip_ends_after_start"
            ),
            paired_constraint("clip"),
        ]

    def __str__(self) -> str:
        return f"Clip {self.start_seconds}s–{self.end_seconds}s"

    def error_return_url(self) -> str:
        return _cycle_page(self.filming.cycle_id)

    def principle_labels(self) -> list[str]:
        return [Principle(p).label for p in self.principles if p in Principle.values]


class SharedReview(EnteredInError):
    """The shared review of a cycle's clips with the parent: what they saw and learned, and the next focus. One in
    force per cycle."""

    error_type, error_label, error_family_path = "shared-review", "shared review", "cycle__referral"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="shared_reviews")
    visit = models.ForeignKey(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews")
    reviewed_on = models.DateField()
    backdated_reason = backdated_reason_field()
    clips_watched = models.ManyToManyField(Clip, related_name="reviews")
    parent_reflections = SafeTextField(help_text="What do you see?")
    parent_learning = SafeTextField(blank=True)
    next_focus = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # A trainee's cycles completed since they reached their stage (their progress, on the dashboard too).
        indexes = [models.Index(fields=["recorded_by", "reviewed_on"], name="review_by_day")]
        constraints = [
            models.UniqueConstraint(fields=["cycle"], condition=in_force_q(), name="shared_review_one_in_force"),
            paired_constraint("shared_review"),
        ]

    def __str__(self) -> str:
        return f"Shared review of {self.reviewed_on:%d %b %Y}"

    def error_return_url(self) -> str:
        return _cycle_page(self.cycle_id)


# ---------------------------------------------------------------------------------------------------------------
# Footage
# ---------------------------------------------------------------------------------------------------------------


class FamilyCopy(models.TextChoices):
    NOT_YET = "not_yet", "Not yet"
    GIVEN = "given", "Given"
    DECLINED = "declined", "Declined"


class FootageQuerySet(models.QuerySet):
    def past_destruction_date(self, today=None):
        """Footage whose destruction date has passed and whose destruction is not yet confirmed."""
        return self.filter(destroy_by__lt=today or timezone.localdate(), destroyed_on__isnull=True)


class Footage(models.Model):
    """Where a filming's footage is held (in the vault, or elsewhere as recorded here), the family's copy, and its
    destruction."""

    filming = models.OneToOneField(Filming, on_delete=models.CASCADE, related_name="footage")
    location = SafeCharField(max_length=200, help_text="The service's encrypted device or share.")
    reference = SafeCharField(max_length=100, blank=True)
    family_copy = models.CharField(max_length=10, choices=FamilyCopy.choices, default=FamilyCopy.NOT_YET)
    family_copy_how = SafeCharField(max_length=200, blank=True)
    family_copy_on = models.DateField(null=True, blank=True)
    destroy_by = models.DateField(null=True, blank=True, help_text="Set at discharge from the service's policy.")
    destroyed_on = models.DateField(null=True, blank=True)
    destruction_confirmed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The film vault destroyed it by itself on its destruction date (vault.actions.destroy_due_film): no person
    # confirmed it, so no person is named (never a made-up user).
    destroyed_by_vault = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FootageQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["destroy_by"], condition=Q(destroyed_on__isnull=True), name="footage_awaiting_destruction"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(destroyed_on__isnull=True, destruction_confirmed_by__isnull=True, destroyed_by_vault=False)
                | Q(destroyed_on__isnull=False, destruction_confirmed_by__isnull=False, destroyed_by_vault=False)
                | Q(destroyed_on__isnull=False, destruction_confirmed_by__isnull=True, destroyed_by_vault=True),
                name="footage_destruction_has_date_and_who",
            )
        ]

    def __str__(self) -> str:
        return f"Footage of {self.filming}"


# ---------------------------------------------------------------------------------------------------------------
# Trainees and supervision
# ---------------------------------------------------------------------------------------------------------------


class SupervisionSession(EnteredInError):
    """A supervision session: a supervisor, a trainee, the cycles discussed and the feedback. One entered in error
    leaves the trainee's hours and undoes the sign-offs it gave."""

    error_type, error_label, error_family_path = "supervision-session", "supervision session", None

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="supervision_sessions")
    supervisor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="supervisions_given")
    trainee = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="supervisions_received")
    held_on = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField()
    feedback = SafeTextField(blank=True)
    cycles = models.ManyToManyField(Cycle, through="SupervisedCycle", related_name="supervision_sessions")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        # A trainee's sessions in one service since a day: their page, and every progress row's hours.
        indexes = [models.Index(fields=["trainee", "service", "held_on"], name="supervision_trainee_service")]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=480), name="supervision_duration_sensible"
            ),
            paired_constraint("supervision"),
        ]

    def __str__(self) -> str:
        return f"Supervision on {self.held_on:%d %b %Y}"

    @classmethod
    def error_visible_to(cls, user):
        """Sessions the user may read: their own as trainee or supervisor, or their service's as coordinator or
        manager (the supervision pages and API read the same)."""
        return cls.objects.filter(supervision_sessions_q(user))

    def error_families(self) -> list:
        return list(Referral.objects.filter(cycles__supervised_in__session=self).distinct())

    def error_return_url(self) -> str:
        from django.urls import reverse

        membership = Membership.objects.filter(user_id=self.trainee_id, service_id=self.service_id).first()
        if membership is None:
            return reverse("cycles:supervision")
        return reverse("cycles:trainee_progress", kwargs={"membership_id": membership.pk})

    def undo_on_entered_in_error(self) -> dict:
        """A session that did not happen signed nothing off: its sign-offs are withdrawn (the cycles are again
        awaiting sign-off)."""
        changes = {}
        signed = Cycle.objects.select_for_update().filter(
            supervised_in__session=self, supervised_in__signed_off=True, signed_off_at__isnull=False
        )
        for cycle in signed:
            changes[f"cycle {cycle.number} ({cycle.referral_id}) signed off"] = ["yes", "no"]
            cycle.signed_off_at = cycle.signed_off_by = None
            cycle.save(update_fields=["signed_off_at", "signed_off_by"])
        return changes


class SupervisedCycle(models.Model):
    """A cycle discussed in a supervision session, and whether the supervisor signed off its work."""

    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="supervised_cycles")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="supervised_in")
    signed_off = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "cycle"], name="cycle_once_per_session")]

    def __str__(self) -> str:
        return f"{self.cycle} ({'signed off' if self.signed_off else 'discussed'})"


class StageReached(models.Model):
    """A supervisor records that a trainee reached an AVIGuk stage (targets: accounts.TrainingStageTarget)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="stages_reached")
    stage = models.PositiveSmallIntegerField(choices=[(1, "Stage 1"), (2, "Stage 2"), (3, "Stage 3")])
    reached_on = models.DateField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["membership_id", "stage"]
        constraints = [models.UniqueConstraint(fields=["membership", "stage"], name="stage_reached_once")]

    def __str__(self) -> str:
        return f"Stage {self.stage} reached on {self.reached_on:%d %b %Y}"
