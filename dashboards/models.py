"""A manager's CSV export of the families behind one dashboard figure, prepared in the background.

The export's state lives here, never only in the broker: `queued` → `running` (its progress in `rows_done` of
`rows_total`, `heartbeat_at` at every chunk) → `ready` with its file, or `failed` with a short error; a ready file
is deleted after DASHBOARD_EXPORT_KEEP_DAYS and the export becomes `expired`. Statuses change only in
`dashboards.actions`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Service, Site
from core.jobs import Job
from core.text import NOTE_MAX_LENGTH, SafeTextField

from .storage import export_storage

ERROR_MAX_LENGTH = 300
# The export job (core.jobs): actions send an export's id under this name; `dashboards.tasks` registers the task.
EXPORT = Job(name="dashboards.tasks.make_export", noun="Export")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


IN_PROGRESS = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class DashboardExportQuerySet(models.QuerySet):
    def requested_by(self, user):
        """The user's own exports: nobody else's export is theirs to see, whatever their role."""
        return self.filter(requested_by_id=user.pk)

    def stuck(self, before):
        """Exports the workers still owe, not sent since `before`: queued, or running without progress since then
        (its worker was lost). The sweep sends them again."""
        return self.filter(
            Q(status=ExportStatus.QUEUED) | Q(status=ExportStatus.RUNNING, heartbeat_at__lt=before),
            enqueued_at__lt=before,
        )

    def past_keeping(self, before):
        """Ready exports finished before `before`: their files are deleted and they become expired."""
        return self.filter(status=ExportStatus.READY, finished_at__lt=before)


class DashboardExport(models.Model):
    """One person's request for one figure's families (service, site, period) as CSV, and how far it has got."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    start = models.DateField()
    end = models.DateField()
    figure = models.CharField(max_length=100)
    include_free_text = models.BooleanField(default=False)

    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(storage=export_storage, max_length=200, blank=True)
    error = models.CharField(max_length=ERROR_MAX_LENGTH, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The run that holds the export: a later run that takes over changes it, and the earlier one then stops.
    run_token = models.CharField(max_length=32, blank=True)
    # The families in the file (for the download's access-log entry) and their sites (a download needs them all
    # still covered by the requester's dashboard.view).
    referral_ids = models.JSONField(default=list, blank=True)
    site_ids = models.JSONField(default=list, blank=True)

    enqueued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DashboardExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="dashexport_mine"),
            models.Index(
                fields=["enqueued_at"], name="dashexport_in_progress", condition=Q(status__in=["queued", "running"])
            ),
            models.Index(fields=["finished_at"], name="dashexport_ready", condition=Q(status="ready")),
            # `/metrics` counts exports by state at every scrape, but expired ones (they only grow): by name, here.
            models.Index(fields=["status"], name="dashexport_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status="ready") | ~Q(file=""), name="dashexport_ready_has_file"),
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="dashexport_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"Dashboard export {self.pk} ({self.figure})"

    # Permission checks read the export's scope: its service and, when one was chosen, its site.
    def permission_site_ids(self):
        return [self.site_id] if self.site_id else None

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS


class FamilySummary(models.Model):
    """One family's facts the dashboard counts, worked out from its raw rows (ADR 0022; `dashboards.summaries`).

    Never edited by hand: recomputed whole for a family each time its record changes (the `referrals.FamilyChange`
    outbox) and rebuilt from raw rows by `manage.py rebuild_dashboard_summaries`. Carries the family's service and
    site so a figure reads one table with the same `service_id = X [AND site_id IN (…)]` rule as `visible_to`,
    and its dates so a figure for any period is a range on an index, never a join across ten years of casework."""

    is_family_record = False  # derived from the family's records: never shown or logged as one (audit)

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.CASCADE, primary_key=True, related_name="dashboard_summary"
    )
    # No index of their own: a figure reads by service and date, through the covering indexes below.
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_index=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False)
    referral_source = models.ForeignKey(
        "accounts.ReferralSource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    date_received = models.DateField()
    status = models.CharField(max_length=20)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Triage: the first accept-or-decline decision's local day; whether any accepted or declined; the first accept.
    first_decided_on = models.DateField(null=True, blank=True)
    accepted = models.BooleanField(default=False)
    declined = models.BooleanField(default=False)
    first_accepted_at = models.DateTimeField(null=True, blank=True)
    # The first allocation (its moment and local day), the first filming in force, cycles, outcome measures.
    first_allocated_at = models.DateTimeField(null=True, blank=True)
    first_allocated_on = models.DateField(null=True, blank=True)
    first_filmed_on = models.DateField(null=True, blank=True)
    cycles = models.PositiveIntegerField(default=0)
    baseline_and_end = models.BooleanField(default=False)
    # The family's newest history entry: every change to a record writes one (`referrals.history.record_change`),
    # so "nothing recorded for N weeks" is a range on this, not a look-up in the history per allocated family.
    last_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Each figure reads one of these alone (PostgreSQL: an index-only scan of the period's families).
        indexes = [
            models.Index(
                fields=["service", "date_received"],
                include=["site", "referral_source", "first_decided_on", "accepted"],
                name="summary_received",
            ),
            models.Index(
                fields=["service", "first_allocated_on"],
                include=["site", "date_received", "first_filmed_on", "status", "cycles", "baseline_and_end"],
                name="summary_first_allocated",
            ),
            # The allocated families by their last entry: the quiet families' count reads the old end alone.
            models.Index(
                fields=["service", "last_recorded_at"],
                include=["site"],
                condition=Q(status="allocated"),
                name="summary_allocated_last",
            ),
        ]

    def __str__(self) -> str:
        return f"Summary of family {self.referral_id}"


class ItemKind(models.TextChoices):
    DECLINE = "decline", "Triage decline (key: reason)"
    VISIT = "visit", "Visits planned on a day (key: outcome)"
    WITHDRAWN = "withdrawn", "Consents withdrawn on a day"
    FOOTAGE = "footage", "Footage not yet destroyed, by destruction date"
    DISCHARGE = "discharge", "Standing discharge (key: reason; value: reviewed cycles)"
    PAIR = "pair", "Outcome measure baseline and end (key: instrument; day: first allocated)"
    GOAL = "goal", "Helping question start and end ratings (day: first allocated)"
    REVIEW = "review", "Shared reviews recorded on a day (practitioner: who recorded them; key: signed off or not)"


# A review item's key when its cycle's work is signed off by the supervisor (otherwise empty).
REVIEW_SIGNED_OFF = "signed off"


class SummaryItem(models.Model):
    """A family's countable facts that come many to a family (visits by day, declines, discharges, measure pairs),
    grouped per family and recomputed with its `FamilySummary` (ADR 0022)."""

    is_family_record = False  # derived from the family's records: never shown or logged as one (audit)

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="+", db_index=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_index=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False)
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    day = models.DateField(null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(null=True, blank=True)  # ISO: 1 is Monday
    practitioner_id = models.BigIntegerField(null=True, blank=True)
    key = SafeTextField(max_length=NOTE_MAX_LENGTH, blank=True)  # a copy of a decline reason, outcome, instrument
    n = models.PositiveIntegerField(default=1)
    first = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    last = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["service", "kind", "day"], name="summaryitem_kind_day"),
            models.Index(fields=["referral"], name="summaryitem_referral"),
            # A period's visits (the most numerous items), and the measure pairs of the families first allocated in
            # it: read from the index alone. Their keys are short (an outcome, an instrument); a decline's reason
            # is not, so not here.
            models.Index(
                fields=["service", "day"],
                include=["site", "practitioner_id", "weekday", "key", "n"],
                condition=Q(kind="visit"),
                name="summaryitem_visits",
            ),
            models.Index(
                fields=["service", "day"],
                include=["site", "kind", "key", "first", "last"],
                condition=Q(kind__in=["pair", "goal"]),
                name="summaryitem_pairs",
            ),
            # A trainee's reviews since their stage began (the dashboard's trainees' progress).
            models.Index(
                fields=["service", "practitioner_id", "day"],
                include=["key", "n"],
                condition=Q(kind="review"),
                name="summaryitem_reviews",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of family {self.referral_id}"


class VisitMonth(models.Model):
    """A service's visits (in force) in one calendar month, per site and practitioner, summed over its families'
    visit items (ADR 0022, item 8). A year of a backlogged service is 39,000 visit items but about a thousand of
    these, so the dashboard reads whole months here and only the period's part-months from the items.

    Kept by `dashboards.summaries.refresh` in the same transaction as the items: the family's old visit items are
    subtracted and its new ones added, with an upsert per changed row; rebuilt from the items by
    `summaries.rebuild`. Not a family's record: never shown or logged as one."""

    is_family_record = False

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()  # the month's first day
    # Plain ids, 0 for none: an upsert needs every part of its key to compare equal (NULLs never do).
    site_id = models.BigIntegerField(default=0)
    practitioner_id = models.BigIntegerField(default=0)
    # Visits not cancelled by the service, by ISO weekday (protected days in use)...
    on_mon = models.IntegerField(default=0)
    on_tue = models.IntegerField(default=0)
    on_wed = models.IntegerField(default=0)
    on_thu = models.IntegerField(default=0)
    on_fri = models.IntegerField(default=0)
    on_sat = models.IntegerField(default=0)
    on_sun = models.IntegerField(default=0)
    # ...and every visit by its recorded outcome (none recorded yet: in no outcome column).
    attended = models.IntegerField(default=0)
    did_not_attend = models.IntegerField(default=0)
    cancelled_by_family = models.IntegerField(default=0)
    cancelled_by_service = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "month", "site_id", "practitioner_id"], name="visitmonth_one_row_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"Visits of service {self.service_id} in {self.month:%b %Y}"


# The weekday columns in ISO order (1 is Monday), and the outcome columns by the outcome's value.
VISIT_WEEKDAY_COLUMNS = ("on_mon", "on_tue", "on_wed", "on_thu", "on_fri", "on_sat", "on_sun")
VISIT_OUTCOME_COLUMNS = ("attended", "did_not_attend", "cancelled_by_family", "cancelled_by_service")
