"""Every write to the film vault: uploading a film, cutting its clips, the family's copy, and destroying it all.

Who may act is decided by `@requires` on each action (the family's practitioner records casework; destruction
needs footage.confirm_destruction); what the film's state allows is decided here (409). The family's history
records each change through `referrals.history.record_change`; viewing is logged by the views.
"""

import logging
import os
import time
import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction, Service, User
from accounts.permissions import Perm, requires
from core.jobs import lost_workers_message, stuck_since
from core.refusals import ActionRefused
from cycles import actions as cycle_actions
from cycles.models import ConsentItem, FamilyCopy, Filming, Footage
from cycles.reads.consents import needs_own_consent, refusal_for_item
from notices.escalation import system_user
from referrals.history import record_change

from . import blobs, crypto, keys, media, storage
from .models import CUT, DESTROY, IN_PROGRESS, ClipCut, CutState, Film, FilmState, VaultPolicy
from .reads import used_bytes

logger = logging.getLogger(__name__)
VAULT_LOCATION = "The service's film vault"
FAMILY_COPY_HOW = "Downloaded from the film vault on the day, one file per clip"
DESTROYED_BY_VAULT = "Destroyed by the vault on its destruction date"
MAX_CUT_ATTEMPTS = 3
CUT_FAILED = "The clip could not be cut. Try again; if it fails again, tell your system administrator."


def policy_of(service: Service) -> VaultPolicy:
    """The service's vault policy, or the defaults (unsaved) when it has none."""
    return VaultPolicy.objects.filter(service=service).first() or VaultPolicy(service=service)


def _filmed_people(filming: Filming, day: date) -> list:
    children = [c for c in filming.filmed_children.all() if needs_own_consent(c, day)]
    return [*filming.filmed_parents.all(), *children]


def consent_refusal(filming: Filming, item: str, doing: str) -> str:
    """'' if everyone filmed consents to `item` today; otherwise why not (read at each use, never cached)."""
    day = timezone.localdate()
    return refusal_for_item(
        filming.cycle.referral, people=_filmed_people(filming, day), item=item, day=day, doing=doing
    )


# ---------------------------------------------------------------------------------------------------------------
# Upload (ADR 0025: a tus-like protocol in the app)
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="filming.cycle.referral")
def start_upload(*, filming: Filming, size: int, by: User, request=None) -> Film:
    """Open an upload of `size` bytes for a filming's film; a second call while it is open returns the same one (a
    double submit resumes rather than starting over). Refused when the vault is closed, the filming already has its
    film, the footage was destroyed, or the film is larger than the service's limit or its space left."""
    if not crypto.vault_open():
        raise ActionRefused("The film vault is not set up on this system. Tell your system administrator.")
    referral = filming.cycle.referral
    Filming.objects.select_for_update().filter(pk=filming.pk).first()
    if Footage.objects.filter(filming=filming, destroyed_on__isnull=False).exists():
        raise ActionRefused("This filming's footage was destroyed: no film can be added to it.")
    held = Film.objects.held().filter(filming=filming).first()
    if held is not None and held.state == FilmState.READY:
        raise ActionRefused("This filming's film is already in the vault.")
    if held is not None and held.size == size and held.uploaded_by_id == by.pk:
        return held
    if held is not None and held.uploaded_by_id != by.pk:
        raise ActionRefused("A colleague's upload of this filming's film is under way. Wait for it to finish.")
    if held is not None:
        # The same person chose another file: the unfinished upload is dropped, its segments deleted.
        held.state, held.refusal = FilmState.REFUSED, "Replaced by another file before it finished."
        held.save(update_fields=["state", "refusal"])
        dropped = (held.referral_id, held.blob_id, held.size)
        transaction.on_commit(lambda: blobs.delete(referral_id=dropped[0], blob_id=dropped[1], size=dropped[2]))
    policy = policy_of(referral.service)
    if size <= 0:
        raise ValidationError({"film": "The file is empty. Choose the film from the camera or phone"})
    if size > policy.max_film_bytes:
        raise ValidationError({"film": f"The film must be smaller than {policy.max_film_bytes / 1000**3:.1f} GB"})
    Service.objects.select_for_update().filter(pk=referral.service_id).first()
    if used_bytes(referral.service_id) + size > policy.quota_bytes:
        raise ValidationError(
            {"film": "The service's film vault is full. Destroy footage past its date, or ask for more space"}
        )
    keys.family_key_for_new_film(referral)
    film = Film.objects.create(
        filming=filming, referral=referral, service_id=referral.service_id, size=size, uploaded_by=by
    )
    log_access(action=AccessAction.CREATE, request=request, user=by, obj=film, detail={"filming": filming.pk})
    return film


class _ShortBody(Exception):
    pass


def _read_exactly(stream, length: int) -> bytes:
    """`length` bytes from the request body, or _ShortBody when it ends first (a dropped connection)."""
    parts, wanted = [], length
    while wanted:
        try:
            piece = stream.read(min(wanted, 1024 * 1024))
        except OSError:
            piece = b""
        if not piece:
            raise _ShortBody
        parts.append(piece)
        wanted -= len(piece)
    return b"".join(parts)


@requires(Perm.CASEWORK_RECORD, on="film.referral")
def receive_chunk(*, film: Film, offset: int, stream, length: int | None, by: User, request=None) -> Film:
    """Store what the body holds from `offset`, one sealed 8 MiB segment at a time, never the whole film in memory.

    The offset must be where the film stands now (409 otherwise: the client asks HEAD and resumes from there). Only
    whole segments (and the film's last) are kept: a body cut off mid-segment leaves the offset at the last whole
    segment, and the client resends from there. After the last byte the film is checked by its content."""
    if film.uploaded_by_id != by.pk:
        raise PermissionDenied("Only the person who started an upload may continue it.")
    if film.state != FilmState.UPLOADING:
        raise ActionRefused("This upload is finished.")
    if offset != film.received:
        raise ActionRefused(f"The upload stands at byte {film.received}, not {offset}.")
    if length is not None and offset + length > film.size:
        raise ValidationError({"film": "More bytes were sent than the upload's length"})
    key = keys.family_key(film.referral_id)
    blob = crypto.Blob(film.blob_id, film.size, key)
    available = film.size - offset if length is None else length
    while available > 0 and film.received < film.size:
        segment = film.received // crypto.SEGMENT
        wanted = min(crypto.SEGMENT, film.size - film.received)
        if wanted > available:
            break  # a body ending mid-segment: the client sends the rest from the segment's start
        try:
            plain = _read_exactly(stream, wanted)
        except _ShortBody:
            break
        storage.put_segment(film.prefix, segment, blob.seal_segment(segment, plain))
        moved = Film.objects.filter(pk=film.pk, received=film.received, state=FilmState.UPLOADING).update(
            received=film.received + wanted
        )
        if not moved:
            raise ActionRefused("This upload was changed by another request: ask where it stands and resume.")
        film.received += wanted
        available -= wanted
    if film.received == film.size:
        return finish_upload(film=film, by=by, request=request)
    return film


@requires(Perm.CASEWORK_RECORD, on="film.referral")
def finish_upload(*, film: Film, by: User, request=None) -> Film:
    """Check the complete film by its content (a video stream, a duration, within the service's limit): decrypted
    into a private temporary folder for ffprobe and removed at once. A file that is not a film is refused with a
    plain message, and its segments deleted."""
    key = keys.family_key(film.referral_id)
    refusal, facts = "", None
    with blobs.private_temp() as folder:
        path = os.path.join(folder, "film")
        blobs.decrypt_to(path, referral_id=film.referral_id, blob_id=film.blob_id, size=film.size, key=key)
        try:
            facts = media.probe(path)
        except media.NotAVideo as error:
            refusal = str(error)
    with transaction.atomic():
        film = Film.objects.select_for_update().select_related("filming__cycle__referral").get(pk=film.pk)
        if film.state != FilmState.UPLOADING:
            return film
        if refusal:
            film.state, film.refusal = FilmState.REFUSED, refusal[:300]
            film.save(update_fields=["state", "refusal"])
        else:
            _keep(film, facts, by=by, request=request)
    if refusal:
        # Saved as refused first: its segments are never read again, so they are deleted now.
        blobs.delete(referral_id=film.referral_id, blob_id=film.blob_id, size=film.size)
    return film


def _keep(film: Film, facts, *, by: User, request) -> None:
    film.state, film.uploaded_at = FilmState.READY, timezone.now()
    film.duration_seconds, film.width, film.height = facts.duration_seconds, facts.width, facts.height
    film.video_codec, film.audio_codec = facts.video_codec[:40], (facts.audio_codec or "")[:40]
    film.content_type = "video/webm" if "webm" in facts.format_name else "video/mp4"
    film.save()
    filming = film.filming
    footage = Footage.objects.filter(filming=filming).first()
    if footage is None:
        cycle_actions.record_footage(filming=filming, location=VAULT_LOCATION, by=by, request=request)
    record_change(
        referral=filming.cycle.referral,
        by=by,
        kind="film_uploaded",
        summary=f"Film of cycle {filming.cycle.number} kept in the film vault",
        changes={"film": [None, f"{round(film.duration_seconds)} seconds, {film.width}×{film.height}"]},
        request=request,
        obj=film,
        access=AccessAction.CREATE,
    )


def upload_film_file(*, filming: Filming, uploaded, by: User, request=None) -> Film:
    """The page's plain form (no JavaScript): the whole file in one request, streamed from Django's temporary
    upload file into the same segments."""
    film = start_upload(filming=filming, size=uploaded.size, by=by, request=request)
    uploaded.seek(0)
    return receive_chunk(film=film, offset=film.received, stream=uploaded, length=None, by=by, request=request)


# ---------------------------------------------------------------------------------------------------------------
# Clips cut by the worker (core.jobs, ADR 0014)
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="film.referral")
def request_cuts(*, film: Film, by: User, request=None) -> list[ClipCut]:
    """Ask the worker to cut each clip of the film's filming that has no cut at its current times (a clip whose
    times changed is cut again). Idempotent: asking twice sends nothing new."""
    film = Film.objects.select_for_update().select_related("filming__cycle__referral").get(pk=film.pk)
    if film.state != FilmState.READY:
        raise ActionRefused("The film is not in the vault, so no clips can be cut from it.")
    made = []
    live = {c.clip_id: c for c in ClipCut.objects.filter(film=film, state__in=[*IN_PROGRESS, CutState.READY])}
    for clip in film.filming.clips.in_force().order_by("start_seconds", "pk"):
        current = live.get(clip.pk)
        if current and (current.start_seconds, current.end_seconds) == (clip.start_seconds, clip.end_seconds):
            continue
        if current is not None:
            _retire_cut(current)
        cut = ClipCut.objects.create(
            clip=clip, film=film, start_seconds=clip.start_seconds, end_seconds=clip.end_seconds, requested_by=by
        )
        CUT.send_on_commit(cut.pk)
        made.append(cut)
    if made:
        record_change(
            referral=film.filming.cycle.referral,
            by=by,
            kind="clips_cut_requested",
            summary=f"{len(made)} clip{'s' if len(made) != 1 else ''} sent to be cut from the film",
            request=request,
            obj=film,
        )
    return made


def _retire_cut(cut: ClipCut) -> None:
    """A cut of times no longer the clip's: its files deleted after commit, the row kept as destroyed."""
    cut.state = CutState.DESTROYED
    cut.save(update_fields=["state"])
    transaction.on_commit(lambda: _delete_cut_files(cut))


def _delete_cut_files(cut: ClipCut) -> None:
    for rendition in ("mp4", "webm", "poster"):
        blob_id, size = cut.blob(rendition)
        blobs.delete(referral_id=cut.film.referral_id, blob_id=blob_id, size=size)


def _may_start(cut: ClipCut) -> bool:
    presumed_lost = stuck_since(settings.VAULT_CUT_SWEEP_AFTER_SECONDS)
    live = cut.state == CutState.CUTTING and cut.heartbeat_at and cut.heartbeat_at >= presumed_lost
    return cut.state in IN_PROGRESS and not live


def _start(cut: ClipCut) -> list[str]:
    cut.state, cut.run_token = CutState.CUTTING, uuid.uuid4().hex
    cut.started_at = cut.heartbeat_at = timezone.now()
    cut.error = ""
    return ["state", "run_token", "started_at", "heartbeat_at", "error"]


def _give_up(cut: ClipCut, error: str) -> list[str]:
    cut.state, cut.finished_at, cut.error = CutState.FAILED, timezone.now(), error[:300]
    return ["state", "finished_at", "error"]


def run_cut(*, cut_id: int) -> str:
    """The cut task's one function, idempotent: claim the cut (an attempt counted in its own transaction), decrypt
    the film into a private temporary folder, cut it with ffmpeg, seal and store each rendition under the cut's
    own blob names (a re-run overwrites them), and mark it ready while the run still holds the claim."""
    cut = CUT.start_attempt(
        ClipCut.objects.all(),
        cut_id,
        max_attempts=MAX_CUT_ATTEMPTS,
        may_start=_may_start,
        start=_start,
        give_up=_give_up,
    )
    if cut is None:
        return ClipCut.objects.filter(pk=cut_id).values_list("state", flat=True).first() or "missing"
    token, film = cut.run_token, Film.objects.get(pk=cut.film_id)
    if settings.VAULT_CUT_DELAY_SECONDS:  # tests only: time to kill the worker mid-cut
        time.sleep(settings.VAULT_CUT_DELAY_SECONDS)
    holding = ClipCut.objects.filter(pk=cut_id, run_token=token, state=CutState.CUTTING)
    try:
        key = keys.family_key(film.referral_id)
        stored = {}
        with blobs.private_temp() as folder:
            source = os.path.join(folder, "film")
            blobs.decrypt_to(source, referral_id=film.referral_id, blob_id=film.blob_id, size=film.size, key=key)
            holding.update(heartbeat_at=timezone.now())
            result = media.cut_clip(source, cut.start_seconds, cut.end_seconds, os.path.join(folder, "out"))
            holding.update(heartbeat_at=timezone.now())
            for rendition, path in (("mp4", result.mp4), ("webm", result.webm), ("poster", result.poster)):
                if path is not None:
                    stored[rendition] = blobs.store_file(
                        str(path),
                        referral_id=film.referral_id,
                        key=key,
                        blob_id=f"cut{cut.pk}{rendition}",
                    )
    except (ValueError, media.NotAVideo) as error:
        holding.update(state=CutState.FAILED, error=str(error)[:300], finished_at=timezone.now())
        return "failed"
    except crypto.Unreadable:
        holding.update(state=CutState.FAILED, error="The film's key was destroyed.", finished_at=timezone.now())
        return "failed"
    except Exception:
        logger.exception("Clip cut %s failed", cut_id)
        if cut.attempts >= MAX_CUT_ATTEMPTS:
            holding.update(state=CutState.FAILED, error=CUT_FAILED, finished_at=timezone.now())
            return "failed"
        holding.update(state=CutState.PENDING, error=CUT_FAILED)
        raise
    with transaction.atomic():
        row = ClipCut.objects.select_for_update().get(pk=cut_id)
        if row.run_token != token or row.state != CutState.CUTTING:
            # Another run took over: it writes the same objects (one name per cut and rendition), so keep them.
            return "superseded"
        for rendition, (blob_id, size) in stored.items():
            setattr(row, f"{rendition}_blob", blob_id)
            setattr(row, f"{rendition}_size", size)
        row.state, row.finished_at = CutState.READY, timezone.now()
        row.heartbeat_at = row.finished_at
        row.save()
    return "ready"


def sweep_cuts(*, after_seconds: int | None = None) -> int:
    """Re-send cuts the broker lost or a dead worker held (beat, every minute, and each worker as it starts)."""
    after = settings.VAULT_CUT_SWEEP_AFTER_SECONDS if after_seconds is None else after_seconds
    stuck = ClipCut.objects.stuck(stuck_since(after))
    gave_up = ClipCut.objects.filter(state=CutState.PENDING, attempts__gte=MAX_CUT_ATTEMPTS)
    gave_up.update(state=CutState.FAILED, error=lost_workers_message(MAX_CUT_ATTEMPTS), finished_at=timezone.now())
    return CUT.resend_stuck(stuck, clock="enqueued_at")


# ---------------------------------------------------------------------------------------------------------------
# The family's copy
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="film.referral")
def hand_over_family_copy(*, film: Film, by: User, request=None) -> Footage:
    """Record that the family is given its clips today, one file per clip, downloaded from the vault on the day.

    Needs the family's consent to keep clips (checked today) and every chosen clip cut. Records today's
    `family_copy` fields on the footage record; the downloads are open only today."""
    film = Film.objects.select_for_update().select_related("filming__cycle__referral").get(pk=film.pk)
    if film.state != FilmState.READY:
        raise ActionRefused("The film is not in the vault.")
    refusal = consent_refusal(film.filming, ConsentItem.FAMILY_COPY, "give the family its copy")
    if refusal:
        raise ActionRefused(refusal)
    clips = list(film.filming.clips.in_force())
    ready = set(
        ClipCut.objects.filter(film=film, state=CutState.READY, clip__in=clips).values_list("clip_id", flat=True)
    )
    if not clips or len(ready) < len(clips):
        raise ActionRefused("Cut every clip first: the family's copy is one file per clip.")
    footage = Footage.objects.filter(filming=film.filming).first()
    return cycle_actions.record_footage(
        filming=film.filming,
        location=footage.location if footage else VAULT_LOCATION,
        reference=footage.reference if footage else "",
        family_copy=FamilyCopy.GIVEN,
        family_copy_how=FAMILY_COPY_HOW,
        family_copy_on=timezone.localdate(),
        by=by,
        request=request,
    )


# ---------------------------------------------------------------------------------------------------------------
# Destruction
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
@requires(Perm.FOOTAGE_DESTRUCTION_CONFIRM, on="film.referral")
def destroy_film(*, film: Film, by: User, request=None) -> Film:
    """On (or after) the footage's destruction date: delete the film and its clips from the store and, when the
    family holds no other film, destroy the family's key, so every copy (backups too) is unreadable; record who and
    when, and confirm the footage destroyed. Where the service asks for two people, the first asks and a second,
    different person confirms before anything goes."""
    film = Film.objects.select_for_update().select_related("filming__cycle__referral").get(pk=film.pk)
    referral = film.filming.cycle.referral
    if film.state == FilmState.DESTROYED:
        raise ActionRefused("This film was already destroyed.")
    footage = Footage.objects.filter(filming=film.filming).first()
    today = timezone.localdate()
    if film.state == FilmState.READY and (footage is None or footage.destroy_by is None or footage.destroy_by > today):
        raise ActionRefused("This film is not due for destruction yet.")
    if policy_of(referral.service).two_person_destruction:
        if film.destruction_requested_by_id is None:
            film.destruction_requested_by, film.destruction_requested_at = by, timezone.now()
            film.save(update_fields=["destruction_requested_by", "destruction_requested_at"])
            record_change(
                referral=referral,
                by=by,
                kind="film_destruction_requested",
                summary=f"Film of cycle {film.filming.cycle.number}: destruction asked for, a second person confirms",
                request=request,
                obj=film,
            )
            return film
        if film.destruction_requested_by_id == by.pk:
            raise PermissionDenied("A second person must confirm this destruction.")
    now = timezone.now()
    film.state, film.destroyed_at, film.destroyed_by = FilmState.DESTROYED, now, by
    film.save(update_fields=["state", "destroyed_at", "destroyed_by"])
    cuts = list(ClipCut.objects.filter(film=film).exclude(state=CutState.DESTROYED))
    ClipCut.objects.filter(pk__in=[c.pk for c in cuts]).update(state=CutState.DESTROYED)
    key_destroyed = False
    if not Film.objects.held().filter(referral_id=film.referral_id).exists():
        key_destroyed = keys.destroy_family_key(film.referral_id, by=by)
    if footage is not None and footage.destroyed_on is None:
        cycle_actions.confirm_footage_destroyed(footage=footage, destroyed_on=today, by=by, request=request)
    record_change(
        referral=referral,
        by=by,
        kind="film_destroyed",
        summary=f"Film of cycle {film.filming.cycle.number} and its clips destroyed"
        + (", and the family's key" if key_destroyed else ""),
        changes={"destroyed": [None, now.isoformat()]},
        request=request,
        obj=film,
    )
    film_id, blob, size = film.referral_id, film.blob_id, film.size

    def delete_objects():
        blobs.delete(referral_id=film_id, blob_id=blob, size=size)
        for cut in cuts:
            _delete_cut_files(cut)

    transaction.on_commit(delete_objects)
    return film


# ---------------------------------------------------------------------------------------------------------------
# Destruction on the date, by the vault itself (the daily task; ADR 0026)
# ---------------------------------------------------------------------------------------------------------------


def sweep_due_films(*, today: date | None = None, inline: bool = False) -> dict:
    """The daily task (and `manage.py destroy_due_films`): send each film due today or earlier, of a service that
    does not ask for two people, to be destroyed (ids only, on commit; `inline`: destroyed here and now, for the
    operator's command); for a service that asks for two people, destroy nothing and put a notice on the
    practitioner's and coordinators' home pages instead, so the two people's destruction is not forgotten. A film
    the broker lost, or one that failed, is found again by the next run. Returns counts."""
    today = today or timezone.localdate()
    due = Film.objects.due_for_destruction(today)
    two_person = Q(service__vault_policy__two_person_destruction=True)
    counts = {"sent": 0, "destroyed": 0, "failed": 0, "needs_two_people": 0}
    ids = list(due.exclude(two_person).order_by("pk").values_list("pk", flat=True))
    if inline:
        for pk in ids:
            outcome = destroy_due_film(film_id=pk, today=today)
            if outcome in ("destroyed", "failed"):
                counts[outcome] += 1
    else:
        with transaction.atomic():
            for pk in ids:
                DESTROY.send_on_commit(pk)
        counts["sent"] = len(ids)
    waiting = 0
    for film in due.filter(two_person).select_related("filming__cycle__referral").order_by("pk"):
        footage = Footage.objects.select_related("filming__cycle__referral").get(filming_id=film.filming_id)
        waiting += 1
        cycle_actions.notify_about_footage(
            footage,
            f"Destruction due: the film of cycle {film.filming.cycle.number} for {film.referral.reference} needs "
            f"two people (due {footage.destroy_by:%-d %B %Y}). One confirms on the film's page; a second person "
            "completes it.",
        )
    counts["needs_two_people"] = waiting
    return counts


def _delete_everything(film: Film, cuts: list[ClipCut]) -> None:
    """Delete the film's and its cuts' objects, then check that none is left (raises if one is)."""
    blobs.delete(referral_id=film.referral_id, blob_id=film.blob_id, size=film.size)
    for cut in cuts:
        _delete_cut_files(cut)
    held = [(film.blob_id, film.size)] + [cut.blob(r) for cut in cuts for r in ("mp4", "webm", "poster")]
    for blob_id, size in held:
        if blob_id and any(storage.stored_objects(f"{film.referral_id}/{blob_id}", size)):
            raise OSError(f"Objects of blob {blob_id} are still in the store after deleting them.")


def destroy_due_film(*, film_id: int, today: date | None = None) -> str:
    """The destruction task's one function, idempotent: destroy a film due today or earlier, of a service that does
    not ask for two people, by the vault itself. Objects are deleted first and checked gone; only then, in one
    transaction, is the film marked destroyed (no person: `destroyed_by_vault`), its clips destroyed, the family's
    key erased when no other film of the family is held, the footage recorded destroyed, and the family's history
    written. A failure deleting leaves the film held (tried again by the next run) and raises the overdue notice.
    Returns what happened: "destroyed", "failed", or why it was skipped."""
    today = today or timezone.localdate()
    film = Film.objects.select_related("filming__cycle__referral", "service").filter(pk=film_id).first()
    if film is None:
        return "missing"
    if film.state != FilmState.READY:
        return film.state
    footage = Footage.objects.filter(filming_id=film.filming_id).select_related("filming__cycle__referral").first()
    if footage is None or footage.destroyed_on is not None or footage.destroy_by is None or footage.destroy_by > today:
        return "not due"
    if policy_of(film.service).two_person_destruction:
        return "needs two people"
    try:
        _delete_everything(film, list(ClipCut.objects.filter(film=film)))
    except Exception as error:
        logger.exception("Film %s could not be destroyed on its destruction date", film_id)
        Film.objects.filter(pk=film_id, state=FilmState.READY).update(
            destruction_error=f"The film's objects could not be deleted: {type(error).__name__}"[:300],
            destruction_failed_at=timezone.now(),
        )
        cycle_actions.notify_about_footage(
            footage,
            f"The film vault could not destroy the film of cycle {film.filming.cycle.number} for "
            f"{film.referral.reference}, due by {footage.destroy_by:%-d %B %Y}: it tries again tomorrow. If this "
            "notice stays, tell your system administrator.",
        )
        return "failed"
    with transaction.atomic():
        film = Film.objects.select_for_update().select_related("filming__cycle__referral").get(pk=film_id)
        if film.state != FilmState.READY:
            return film.state
        now, actor = timezone.now(), system_user()
        film.state, film.destroyed_at, film.destroyed_by_vault = FilmState.DESTROYED, now, True
        film.destruction_error = ""
        film.save(update_fields=["state", "destroyed_at", "destroyed_by_vault", "destruction_error"])
        cuts = list(ClipCut.objects.filter(film=film).exclude(state=CutState.DESTROYED))
        ClipCut.objects.filter(pk__in=[c.pk for c in cuts]).update(state=CutState.DESTROYED)
        key_destroyed = False
        if not Film.objects.held().filter(referral_id=film.referral_id).exists():
            key_destroyed = keys.destroy_family_key(film.referral_id, by=None)
        cycle_actions.record_footage_destroyed_by_vault(footage=footage, destroyed_on=today)
        record_change(
            referral=film.filming.cycle.referral,
            by=actor,
            kind="film_destroyed",
            summary=f"Film of cycle {film.filming.cycle.number} and its clips destroyed by the vault on its "
            "destruction date" + (", and the family's key" if key_destroyed else ""),
            changes={"destroyed": [None, now.isoformat()]},
            obj=film,
        )
        # A clip cut while the objects were being deleted is deleted too, once this commits.
        transaction.on_commit(lambda: [_delete_cut_files(cut) for cut in cuts])
    return "destroyed"
