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
