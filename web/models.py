"""What the page and API plumbing keeps for itself: the submissions already saved, so a second send lands on the
first one's result (web.submissions)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Submission(models.Model):
    """A one-time form token or an API Idempotency-Key that was used, and where its result is.

    Claimed in the same transaction as the action it guards, so it exists exactly when the action's writes do. It
    holds no personal data: a random nonce (forms) or a hash of the client's key (API), the user, the path, a
    keyed hash of the API body, and ids and URLs of what was made. Purged after `web.submissions.KEEP_FOR`.
    """

    class Kind(models.TextChoices):
        FORM = "form", "Page form"
        API = "api", "API call"

    kind = models.CharField(max_length=4, choices=Kind.choices)
    key = models.CharField(max_length=64, help_text="The form token's nonce, or SHA-256 of the Idempotency-Key")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=500, help_text="Where it was sent (ids only)")
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="Keyed hash of the API call's method, path and body"
    )
    result_url = models.CharField(max_length=500, blank=True, help_text="The page the first submission went on to")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    results = models.JSONField(default=list, blank=True, help_text="What the action returned, as [model label, id]")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="submission_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} submission {self.pk} to {self.path}"
