"""The film vault: a family's footage kept encrypted inside the service, cut into clips, shown and destroyed.

- `VaultPolicy`: a service's vault settings (ADR 0008: the app that uses a setting owns it): its storage quota,
  the largest film it takes, and whether destroying footage needs a second person.
- `FamilyKey`: the family's data key, stored only wrapped by the key-encryption key held outside the database
  (vault/crypto.py, ADR 0026). Destroying it erases the wrapped key: every copy of the family's films is then noise.
- `Film`: the film of one filming, uploaded in resumable chunks (ADR 0025), checked by its content, kept as
  sealed segments under `films/` in the private store.
- `ClipCut`: the worker's cut of one clip (MP4 H.264/AAC, a WebM for browsers without H.264, a poster frame), its
  state in the database (core.jobs, ADR 0014).
Statuses change only in `vault.actions`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Service
from core.jobs import Job
from cycles.models import Clip, Filming
from referrals.models import Referral

USER = settings.AUTH_USER_MODEL
GB = 1000**3
ERROR_MAX_LENGTH = 300
# The cut job (core.jobs): actions send a cut's id under this name; `vault.tasks` registers the task.
CUT = Job(name="vault.tasks.cut_clip", noun="Clip cut")
# The destruction job: the daily sweep sends the id of each film due for destruction (vault.tasks.destroy_due_film).
DESTROY = Job(name="vault.tasks.destroy_due_film", noun="Film destruction")


def new_blob_id() -> str:
    """A random id for a sealed blob: bound into every chunk, and its objects' folder."""
    return uuid.uuid4().hex


class VaultPolicy(models.Model):
    """A service's film vault settings. No row means the defaults."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="vault_policy")
    quota_bytes = models.PositiveBigIntegerField(
        default=20 * GB, help_text="Storage for the service's films and clips, in bytes (20 GB by default)."
    )
    max_film_bytes = models.PositiveBigIntegerField(
        default=2 * GB, help_text="The largest film one upload may be, in bytes (2 GB by default)."
    )
    two_person_destruction = models.BooleanField(
        default=False, help_text="A second person confirms before a family's films and key are destroyed."
    )

    def __str__(self) -> str:
        return f"Film vault policy of {self.service}"


class FamilyKey(models.Model):
    """A family's data key, wrapped by the key-encryption key `kek_id`. `wrapped` is erased when it is destroyed."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="vault_key")
    kek_id = models.CharField(max_length=40)
    wrapped = models.BinaryField(max_length=60, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    destroyed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(destroyed_at__isnull=True, wrapped__isnull=False)
                | Q(destroyed_at__isnull=False, wrapped__isnull=True),
                name="vault_key_held_or_destroyed",
            )
        ]

    def __str__(self) -> str:
        return f"Vault key of family {self.referral_id}"


class FilmState(models.TextChoices):
    UPLOADING = "uploading", "Uploading"
    READY = "ready", "Ready"
    REFUSED = "refused", "Refused"
    DESTROYED = "destroyed", "Destroyed"


class FilmQuerySet(models.QuerySet):
    def held(self):
        """Films whose ciphertext is (or is being) stored: they count against the quota."""
        return self.filter(state__in=[FilmState.UPLOADING, FilmState.READY])

    def due_for_destruction(self, today):
        """Films in the vault whose footage's destruction date has come (today or earlier) and is not destroyed."""
        return self.filter(
            state=FilmState.READY,
            filming__footage__destroy_by__lte=today,
            filming__footage__destroyed_on__isnull=True,
        )


class Film(models.Model):
    """The film of one filming, as sealed segments in the store. Its size and the film's facts come from ffprobe
    (`vault.media.probe`) after the last chunk, never from its name."""

    filming = models.ForeignKey(Filming, on_delete=models.CASCADE, related_name="films")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    blob_id = models.CharField(max_length=32, default=new_blob_id, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=FilmState.choices, default=FilmState.UPLOADING)
    size = models.PositiveBigIntegerField(help_text="Bytes of the film (the upload's length).")
    received = models.PositiveBigIntegerField(default=0, help_text="Bytes stored so far (the upload's offset).")
    content_type = models.CharField(max_length=40, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    video_codec = models.CharField(max_length=40, blank=True)
    audio_codec = models.CharField(max_length=40, blank=True)
    refusal = models.CharField(max_length=ERROR_MAX_LENGTH, blank=True)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    destroyed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Destroyed by the daily task on its destruction date (services that do not ask for two people): no person.
    destroyed_by_vault = models.BooleanField(default=False)
    # The daily task's last failure to delete the film's objects (the film stays held and is tried again next run).
    destruction_error = models.CharField(max_length=ERROR_MAX_LENGTH, blank=True)
    destruction_failed_at = models.DateTimeField(null=True, blank=True)
    # Where the service asks for two people: who asked first (the second person's confirmation destroys).
    destruction_requested_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    destruction_requested_at = models.DateTimeField(null=True, blank=True)

    objects = FilmQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["filming"], condition=Q(state__in=["uploading", "ready"]), name="vault_one_film_per_filming"
            ),
            models.CheckConstraint(condition=Q(received__lte=models.F("size")), name="vault_film_received_le_size"),
            models.CheckConstraint(
                condition=~Q(state="destroyed")
                | Q(destroyed_at__isnull=False, destroyed_by__isnull=False, destroyed_by_vault=False)
                | Q(destroyed_at__isnull=False, destroyed_by__isnull=True, destroyed_by_vault=True),
                name="vault_film_destroyed_has_who_and_when",
            ),
        ]
        indexes = [
            models.Index(fields=["service"], name="vault_film_held", condition=Q(state__in=["uploading", "ready"]))
        ]

    def __str__(self) -> str:
        return f"Film {self.pk} of filming {self.filming_id}"

    @property
    def prefix(self) -> str:
        """The film's objects' folder under `films/`: the family's id and the blob's."""
        return f"{self.referral_id}/{self.blob_id}"


class CutState(models.TextChoices):
    PENDING = "pending", "Waiting to be cut"
    CUTTING = "cutting", "Being cut"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    DESTROYED = "destroyed", "Destroyed"


IN_PROGRESS = (CutState.PENDING, CutState.CUTTING)


class ClipCutQuerySet(models.QuerySet):
    def stuck(self, before):
        """Cuts the workers still owe, not sent since `before`: the sweep sends them again."""
        return self.filter(
            Q(state=CutState.PENDING) | Q(state=CutState.CUTTING, heartbeat_at__lt=before), enqueued_at__lt=before
        )


class ClipCut(models.Model):
    """One clip cut from one film by the worker: its renditions, each a sealed blob under the family's key."""

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="cuts")
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="cuts")
    start_seconds = models.PositiveIntegerField()
    end_seconds = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=CutState.choices, default=CutState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    run_token = models.CharField(max_length=32, blank=True)
    error = models.CharField(max_length=ERROR_MAX_LENGTH, blank=True)
    mp4_blob = models.CharField(max_length=32, blank=True)
    mp4_size = models.PositiveBigIntegerField(default=0)
    webm_blob = models.CharField(max_length=32, blank=True)
    webm_size = models.PositiveBigIntegerField(default=0)
    poster_blob = models.CharField(max_length=32, blank=True)
    poster_size = models.PositiveBigIntegerField(default=0)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    enqueued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ClipCutQuerySet.as_manager()

    class Meta:
        ordering = ["clip__start_seconds", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clip", "film"],
                condition=Q(state__in=["pending", "cutting", "ready"]),
                name="vault_one_live_cut_per_clip",
            ),
            models.CheckConstraint(condition=~Q(state="ready") | ~Q(mp4_blob=""), name="vault_ready_cut_has_mp4"),
        ]
        indexes = [
            models.Index(fields=["enqueued_at"], name="vault_cut_in_progress", condition=Q(state__in=IN_PROGRESS))
        ]

    def __str__(self) -> str:
        return f"Cut of clip {self.clip_id}"

    def blob(self, rendition: str) -> tuple[str, int]:
        """(blob id, size) of a rendition: "mp4", "webm" or "poster"."""
        return getattr(self, f"{rendition}_blob"), getattr(self, f"{rendition}_size")

    def prefix(self, rendition: str) -> str:
        """A rendition's objects' folder under `films/`."""
        return f"{self.film.referral_id}/{self.blob(rendition)[0]}"
