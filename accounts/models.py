"""Staff, the services they work in, and the append-only access log.

A service is configuration, not code: its sites, referral sources and referral questions are rows, so the five
seed services (and the next one) run on the same code.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_otp.models import Device

from core.text import NOTE_MAX_LENGTH, SafeCharField, SafeTextField


class User(AbstractUser):
    """A member of staff. Families are never users."""

    # Overridden so staff names, shown in every list and on letters, refuse control and text-direction codes.
    first_name = SafeCharField("first name", max_length=150, blank=True)
    last_name = SafeCharField("last name", max_length=150, blank=True)
    job_title = SafeCharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name shown for this person on pages, letters and in the API: never blank, as staff accounts may
        have no first or last name (then the username)."""
        return self.name_of(self.first_name, self.last_name, self.username)

    @staticmethod
    def name_of(first_name: str, last_name: str, username: str) -> str:
        """`display_name` from the three columns, for a list that reads the columns rather than the user
        (`referrals.reads.caseloads.practitioner_loads`): the full name as Django writes it, else the username."""
        return f"{first_name} {last_name}".strip() or username


class Service(models.Model):
    """One VIG service run by one provider (e.g. a trust's perinatal VIG in health visiting)."""

    slug = models.SlugField(unique=True)
    name = SafeCharField(max_length=200)
    organisation = SafeCharField(max_length=200)
    description = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)
    planned_cycles = models.PositiveSmallIntegerField(default=3, help_text="Cycles usually offered to a family.")
    min_cycles = models.PositiveSmallIntegerField(default=2)
    max_cycles = models.PositiveSmallIntegerField(default=4)
    wait_target_weeks = models.PositiveSmallIntegerField(
        default=12, help_text="Target wait from referral received to allocation, in weeks."
    )
    letter_sign_off = SafeTextField(
        max_length=1000, blank=True, help_text="Closing wording used on this service's letters."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_cycles__lte=models.F("planned_cycles"))
                & models.Q(planned_cycles__lte=models.F("max_cycles")),
                name="service_planned_cycles_within_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A site or locality of a service (e.g. Peterborough, Cambridgeshire)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sites")
    name = SafeCharField(max_length=120)
    address = SafeTextField(max_length=500, blank=True)
    postcode_prefixes = SafeCharField(
        max_length=500, blank=True, help_text="Catchment: comma-separated postcode districts, e.g. 'PE1, PE2'."
    )

    class Meta:
        ordering = ["service__name", "name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="site_unique_name_per_service")]

    def __str__(self) -> str:
        return f"{self.name} ({self.service.name})"

    def covers_postcode(self, postcode: str) -> bool:
        """An empty catchment covers everywhere; otherwise the postcode's outward code must be listed."""
        prefixes = [p.strip().upper() for p in self.postcode_prefixes.split(",") if p.strip()]
        if not prefixes:
            return True
        from core.postcodes import outward_code

        return outward_code(postcode) in prefixes


class ReferralSource(models.Model):
    """Who may refer into a service (e.g. specialist midwife, health visitor, Early Help Hub)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="referral_sources")
    name = SafeCharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["service__name", "name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="source_unique_name_per_service")]

    def __str__(self) -> str:
        return self.name


class ReferralQuestion(models.Model):
    """A question a service needs answered on every referral (seed 003's three questions, for example)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="referral_questions")
    key = models.SlugField(max_length=60)
    text = SafeCharField(max_length=300)
    required = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["service__name", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["service", "key"], name="question_unique_key_per_service")]

    def __str__(self) -> str:
        return self.text


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    PRACTITIONER = "practitioner", "Practitioner"
    SUPERVISOR = "supervisor", "Supervisor"
    MANAGER = "manager", "Manager"
    SERVICE_ADMIN = "service_admin", "Service admin"


class TrainingStatus(models.TextChoices):
    TRAINEE = "trainee", "Trainee"
    ACCREDITED = "accredited", "Accredited"


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, service__is_active=True)


class Membership(models.Model):
    """What a person does where: one role in one service, optionally limited to some of its sites.

    No sites means every site of the service. A person may hold several memberships (a coordinator across two
    trusts' services; a supervisor who also practises).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    sites = models.ManyToManyField(Site, blank=True, related_name="memberships")
    training_status = models.CharField(
        max_length=12, choices=TrainingStatus.choices, blank=True, help_text="Practitioners only."
    )
    is_active = models.BooleanField(default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["service__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "service", "role"], name="membership_unique_role_per_service"),
            models.CheckConstraint(
                condition=models.Q(role="practitioner", training_status__in=["trainee", "accredited"])
                | (~models.Q(role="practitioner") & models.Q(training_status="")),
                name="membership_training_status_only_for_practitioners",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.service}"

    def clean(self):
        if self.role == Role.PRACTITIONER and not self.training_status:
            raise ValidationError({"training_status": "Choose whether the practitioner is a trainee or accredited."})
        if self.role != Role.PRACTITIONER and self.training_status:
            raise ValidationError({"training_status": "Only practitioners have a training status."})

    def permission_site_ids(self) -> list[int] | None:
        """The sites this membership works at, for site-limited colleagues' permission checks (None: all); from the
        `site_ids` that `permissions.memberships_for` gave it or the `site_list` a list of practitioners read, if it
        came from there."""
        site_ids = self.__dict__.get("site_ids")
        if site_ids is not None:
            return sorted(site_ids) or None
        site_list = self.__dict__.get("site_list")  # as `referrals.reads.caseloads.practitioners_in` read them
        if site_list is not None:
            return sorted(site.pk for site in site_list) or None
        return [site.pk for site in self.sites.all()] or None

    @property
    def is_trainee(self) -> bool:
        return self.role == Role.PRACTITIONER and self.training_status == TrainingStatus.TRAINEE

    def case_practitioner_ids(self) -> set[int]:
        """For permission scopes: a practitioner's own membership is their 'own case' (their progress, caseload)."""
        return {self.user_id} if self.role == Role.PRACTITIONER else set()

    def case_supervisor_ids(self) -> set[int]:
        """For permission scopes: a trainee's supervisor acts on the trainee's membership (progress, stages)."""
        details = self.details_or_none
        return {details.supervisor_id} if details is not None and details.supervisor_id else set()

    @property
    def details_or_none(self):
        """This practitioner's details, or None (not a practitioner, or details never saved): the one lookup."""
        try:
            return self.practitioner_details
        except PractitionerDetails.DoesNotExist:
            return None

    @property
    def details_or_default(self) -> "PractitionerDetails":
        """The saved details, or the defaults every new practitioner gets (unsaved): never "capacity 0".

        Details are created with the membership (`accounts.actions.ensure_practitioner_details`); this covers a
        row that slipped past that (a bulk insert, say) with the same one definition, the model's defaults.
        """
        return self.details_or_none or PractitionerDetails(membership=self)


class AccessAction(models.TextChoices):
    VIEW = "view", "View"
    LIST = "list", "List"
    SEARCH = "search", "Search"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    EXPORT = "export", "Export"
    DOWNLOAD = "download", "Download"
    LOGIN = "login", "Log-in"
    LOGOUT = "logout", "Log-out"
    FAILED_LOGIN = "failed_login", "Failed log-in"
    PERMISSION_DENIED = "permission_denied", "Permission denied"


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an access-log row."""


class AccessEvent(models.Model):
    """Who did what to which record, when and from where. Append-only.

    It holds no personal data values (only ids and types), so it can outlive the records it describes. No foreign
    keys for the same reason. On PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002); everywhere the
    model itself refuses to save an existing row or delete one.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The audit viewer (issue 13): a family's rows newest first, a person's rows newest first.
            models.Index(fields=["object_type", "object_id", "-at", "-id"], name="accessevent_object_at"),
            models.Index(fields=["user_id", "-at", "-id"], name="accessevent_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access log is append-only.")


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


# Open families a practitioner takes unless a coordinator sets otherwise: the one definition of the default.
DEFAULT_CAPACITY = 6


class PractitionerDetails(models.Model):
    """How much VIG work a practitioner can take in one service, and when.

    Hangs off their practitioner membership, created with it at the defaults below (`ensure_practitioner_details`).
    A trainee needs a named supervisor before any family is allocated.
    """

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="practitioner_details")
    capacity = models.PositiveSmallIntegerField(default=DEFAULT_CAPACITY, help_text="Open VIG families at one time.")
    protected_days = models.JSONField(default=list, blank=True, help_text="Weekdays (0 = Monday) kept for VIG work.")
    sessions_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    supervisor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="supervised_practitioners"
    )
    training_stage = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(1, "Stage 1"), (2, "Stage 2"), (3, "Stage 3")]
    )
    paused_from = models.DateField(null=True, blank=True)
    paused_until = models.DateField(null=True, blank=True)
    pause_reason = SafeCharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(paused_from__isnull=True, paused_until__isnull=True)
                | models.Q(paused_from__isnull=False, paused_until__isnull=True)
                | models.Q(paused_from__isnull=False, paused_until__gte=models.F("paused_from")),
                name="practitioner_pause_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership.user} in {self.membership.service}"

    def is_paused_on(self, day) -> bool:
        if not self.paused_from or day < self.paused_from:
            return False
        return self.paused_until is None or day <= self.paused_until


class TrainingStageTarget(models.Model):
    """AVIGuk-style stage targets for trainees, configurable per service (e.g. 6 cycles / 7 h supervision)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="training_stage_targets")
    stage = models.PositiveSmallIntegerField(choices=[(1, "Stage 1"), (2, "Stage 2"), (3, "Stage 3")])
    cycles_required = models.PositiveSmallIntegerField()
    supervision_hours_required = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["service_id", "stage"]
        constraints = [models.UniqueConstraint(fields=["service", "stage"], name="one_target_per_stage_per_service")]

    def __str__(self) -> str:
        return f"{self.service}: stage {self.stage}"


class ProviderIdentity(Device):
    """A member of staff's identity at the trust's OpenID Connect provider (NHS CIS2, say): issuer + subject.

    Set by an admin on the staff account (never by signing in, never from an email address), so an identity that
    nobody linked signs in to nothing. It is a django-otp device so that a sign-in whose provider asserted the
    assurance this install requires counts as the second step (`is_verified()`), everywhere that already asks;
    it never accepts a typed code. Unlinking it (unticking *confirmed*) ends that shortcut at the next request.
    See ADR 0028.
    """

    issuer = SafeCharField(max_length=255, help_text="The provider's issuer, exactly as in its ID tokens (iss).")
    subject = SafeCharField(max_length=255, help_text="The person's stable identifier at the provider (sub).")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="provider_identity_unique_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"

    def save(self, *args, **kwargs):
        """The admin sets issuer and subject only; the device's name is ours."""
        self.name = self.name or "NHS identity"
        super().save(*args, **kwargs)

    def verify_token(self, token) -> bool:
        """Never: the provider vouches for the person at sign-in; there is no code to type."""
        return False
