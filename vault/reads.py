"""What the vault's pages and API read: a filming's film, and its clips in order with their cuts."""

from django.db.models import OuterRef, Subquery, Sum

from accounts.models import Service
from core.prepared import prepared
from cycles.forms.cycles import show_time

from .models import IN_PROGRESS, ClipCut, CutState, Film, FilmState, VaultPolicy


def film_of(filming) -> Film | None:
    """The filming's film held (or uploading), else the last destroyed one (its page says so), else None."""
    films = list(Film.objects.filter(filming=filming).exclude(state=FilmState.REFUSED).order_by("-pk")[:5])
    held = [f for f in films if f.state in (FilmState.UPLOADING, FilmState.READY)]
    return held[0] if held else (films[0] if films else None)


def clips_in_order(filming, film: Film | None) -> list[dict]:
    """The filming's clips in force, in the film's order, each with its live cut (or None) and whether that cut is
    of times the clip no longer has (two queries)."""
    clips = list(filming.clips.in_force().order_by("start_seconds", "pk"))
    cuts = {}
    if film is not None:
        live = ClipCut.objects.filter(film=film).exclude(state=CutState.DESTROYED).order_by("pk")
        cuts = {cut.clip_id: cut for cut in live}
    rows = []
    for clip in clips:
        cut = cuts.get(clip.pk)
        rows.append(
            {
                "clip": clip,
                "cut": cut,
                "stale": bool(cut and (cut.start_seconds, cut.end_seconds) != (clip.start_seconds, clip.end_seconds)),
                "start": show_time(clip.start_seconds),
                "end": show_time(clip.end_seconds),
            }
        )
    return rows


def stored_files(referral_id: int) -> list:
    """(storage, name) of every sealed object the family still has in the vault: for governance's destruction of
    the whole record (its key row goes with the record, which already leaves these unreadable)."""
    from . import storage

    found = []
    for film in Film.objects.filter(referral_id=referral_id).exclude(
        state__in=[FilmState.DESTROYED, FilmState.REFUSED]
    ):
        found += [(storage.films, name) for name in storage.segment_names(film.prefix, film.size)]
    for cut in ClipCut.objects.filter(film__referral_id=referral_id).exclude(state=CutState.DESTROYED):
        for rendition in ("mp4", "webm", "poster"):
            blob_id, size = cut.blob(rendition)
            if blob_id:
                found += [(storage.films, n) for n in storage.segment_names(f"{referral_id}/{blob_id}", size)]
    return found


def _usage(service_id: int) -> dict:
    """The service's films' bytes (held or uploading), its clips' bytes (ready or being cut) and its policy's quota
    (None: no policy row yet), in one statement: each a subquery on the service's row, compiled once per process
    (`core.prepared`: the dashboard asks on every page, an upload before it starts)."""
    found = _usage_row(service_id)
    found = found[0] if found else {}
    return {"used": (found.get("films") or 0) + (found.get("cuts") or 0), "quota": found.get("quota")}


@prepared()
def _usage_row(service_id):
    films = (
        Film.objects.held()
        .filter(service_id=OuterRef("pk"))
        .order_by()
        .values("service_id")
        .annotate(total=Sum("size"))
        .values("total")
    )
    cuts = (
        ClipCut.objects.filter(film__service_id=OuterRef("pk"), state__in=[*IN_PROGRESS, CutState.READY])
        .order_by()
        .values("film__service_id")
        .annotate(total=Sum("mp4_size") + Sum("webm_size") + Sum("poster_size"))
        .values("total")
    )
    quota = VaultPolicy.objects.filter(service_id=OuterRef("pk")).order_by("pk").values("quota_bytes")[:1]
    return (
        Service.objects.filter(pk=service_id)
        .annotate(films=Subquery(films), cuts=Subquery(cuts), quota=Subquery(quota))
        .values("films", "cuts", "quota")
    )


def used_bytes(service_id: int) -> int:
    """Bytes of the service's films (held or uploading) and clips (ready or being cut): what the quota counts."""
    return _usage(service_id)["used"]


def storage_use(service) -> dict:
    """The dashboard's small figure: the service's vault use against its quota, in one statement (`_usage`)."""
    usage = _usage(service.pk)
    used, quota_bytes = usage["used"], usage["quota"]
    if quota_bytes is None:
        quota_bytes = VaultPolicy(service=service).quota_bytes  # the default policy: no row yet
    return {
        "used": used,
        "quota": quota_bytes,
        "percent": round(100 * used / quota_bytes) if quota_bytes else 0,
    }
