"""The vault's byte streams, for its pages and its API: the resumable upload (ADR 0025), playback with Range.

Upload, tus-like, the same for the page's script and the API:
- `POST .../filmings/<id>/uploads/` with `Upload-Length` opens an upload (201, `Location`, `Upload-Offset`);
- `HEAD .../uploads/<film>/` answers where it stands (`Upload-Offset`, `Upload-Length`) so a client resumes;
- `PATCH .../uploads/<film>/` with `Upload-Offset` and a body of `application/offset+octet-stream` stores the bytes
  in sealed segments as they arrive (never the film in memory), answers the new `Upload-Offset` (204), and after
  the last byte checks the film by its content (200 with the film's state, or 422 with why it was refused).

Playback streams only through these access-checked views (every request logged), decrypting just the chunks a
Range asks for. Staff get no download: films and clips are sent inline; only the family's copy, on the day it is
handed over, is an attachment.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction
from core.refusals import ActionRefused
from cycles.models import ConsentItem, FamilyCopy, Footage

from . import actions, blobs, crypto, keys
from .models import CutState, FilmState
from .ranges import ranged_response

TUS_VERSION = "1.0.0"
RENDITIONS = {"mp4": "video/mp4", "webm": "video/webm", "poster": "image/jpeg"}


def _tus(response: HttpResponse, film) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Upload-Offset"] = str(film.received)
    response["Upload-Length"] = str(film.size)
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, message: str, field: str = "") -> JsonResponse:
    body = {"detail": message}
    if field:
        body["errors"] = {field: [message]}
    return JsonResponse(body, status=status)


def _header_int(request, name: str) -> int | None:
    value = request.headers.get(name, "")
    return int(value) if value.isdigit() else None


def _validation(error: ValidationError) -> JsonResponse:
    errors = error.message_dict if hasattr(error, "error_dict") else {"film": error.messages}
    return JsonResponse({"detail": "; ".join(m for ms in errors.values() for m in ms), "errors": errors}, status=400)


def film_state(film) -> dict:
    """The film's state for the script and the API: ids and facts, never the family's details."""
    return {
        "id": film.pk,
        "state": film.state,
        "size": film.size,
        "offset": film.received,
        "refusal": film.refusal,
        "duration_seconds": film.duration_seconds,
        "width": film.width,
        "height": film.height,
    }


def create_upload(request: HttpRequest, filming, *, location_name: str) -> HttpResponse:
    """Open (or, sent again, return) a filming's upload: shared by the page's script and the API."""
    length = _header_int(request, "Upload-Length")
    if length is None:
        return _error(400, "Give the film's size in bytes (Upload-Length)", "film")
    try:
        film = actions.start_upload(filming=filming, size=length, by=request.user, request=request)
    except ValidationError as error:
        return _validation(error)
    except ActionRefused as refusal:
        return _error(409, str(refusal))
    response = _tus(HttpResponse(status=201), film)
    response["Location"] = reverse(location_name, kwargs={"film_id": film.pk})
    return response


def upload_chunk(request: HttpRequest, film) -> HttpResponse:
    """HEAD (where the upload stands) or PATCH (store the body from `Upload-Offset`)."""
    if film.uploaded_by_id != request.user.pk:
        raise PermissionDenied("Only the person who started an upload may continue it.")
    if request.method == "HEAD":
        return _tus(HttpResponse(status=200), film)
    if request.content_type != "application/offset+octet-stream":
        return _error(415, "Send the film's bytes as application/offset+octet-stream")
    offset = _header_int(request, "Upload-Offset")
    if offset is None:
        return _error(400, "Give the offset the bytes start at (Upload-Offset)")
    try:
        film = actions.receive_chunk(
            film=film,
            offset=offset,
            stream=request,
            length=_header_int(request, "Content-Length"),
            by=request.user,
            request=request,
        )
    except ValidationError as error:
        return _validation(error)
    except ActionRefused as refusal:
        film.refresh_from_db()
        return _tus(_error(409, str(refusal)), film)
    if film.state == FilmState.REFUSED:
        return _tus(JsonResponse({**film_state(film), "detail": film.refusal}, status=422), film)
    if film.state == FilmState.READY:
        return _tus(JsonResponse(film_state(film), status=200), film)
    return _tus(HttpResponse(status=204), film)


def _unreadable() -> Http404:
    return Http404("This film can no longer be played.")


def _range(request) -> str:
    return request.headers.get("Range", "")[:60]


def film_response(request, film) -> HttpResponse:
    """The whole film, inline, with Range (seeking); the request logged."""
    if film.state != FilmState.READY:
        raise _unreadable()
    try:
        key = keys.family_key(film.referral_id)
    except crypto.Unreadable:
        raise _unreadable() from None
    log_access(action=AccessAction.VIEW, request=request, obj=film, detail={"stream": "film", "range": _range(request)})
    read = blobs.reader(referral_id=film.referral_id, blob_id=film.blob_id, size=film.size, key=key)
    return ranged_response(
        request, size=film.size, content_type=film.content_type or "video/mp4", read=read, etag=f'"{film.blob_id}"'
    )


def cut_response(request, cut, rendition: str, *, attachment: bool = False, purpose: str = "play") -> HttpResponse:
    """One rendition of a clip, inline (or the family's copy as an attachment), with Range; the request logged."""
    if rendition not in RENDITIONS or cut.state != CutState.READY:
        raise Http404("No such clip.")
    blob_id, size = cut.blob(rendition)
    if not blob_id:
        raise Http404("No such rendition.")
    try:
        key = keys.family_key(cut.film.referral_id)
    except crypto.Unreadable:
        raise _unreadable() from None
    log_access(
        action=AccessAction.DOWNLOAD if attachment else AccessAction.VIEW,
        request=request,
        obj=cut,
        detail={"stream": rendition, "clip": cut.clip_id, "purpose": purpose, "range": _range(request)},
    )
    read = blobs.reader(referral_id=cut.film.referral_id, blob_id=blob_id, size=size, key=key)
    extension = "jpg" if rendition == "poster" else rendition
    return ranged_response(
        request,
        size=size,
        content_type=RENDITIONS[rendition],
        read=read,
        filename=f"clip-{cut.clip_id}.{extension}" if attachment else None,
        as_attachment=attachment,
        etag=f'"{blob_id}"',
    )


def training_response(request, cut) -> HttpResponse:
    """A clip in training: only while it is marked for training and everyone filmed still consents to training
    use. Checked at every request, so a withdrawal stops it at once, mid-film included."""
    refusal = actions.consent_refusal(cut.film.filming, ConsentItem.TRAINING, "use this clip in training")
    if not cut.clip.marked_for_training or cut.clip.entered_in_error_at is not None or refusal:
        log_access(
            action=AccessAction.PERMISSION_DENIED,
            request=request,
            obj=cut,
            detail={"answer": "403: no training consent", "purpose": "training"},
        )
        raise PermissionDenied(refusal or "This clip is not marked for training.")
    return cut_response(request, cut, "mp4", purpose="training")


def family_copy_response(request, cut) -> HttpResponse:
    """One clip of the family's copy as a download: only on the day the copy is recorded as given; logged."""
    footage = Footage.objects.filter(filming=cut.film.filming).first()
    if not (footage and footage.family_copy == FamilyCopy.GIVEN and footage.family_copy_on == timezone.localdate()):
        raise PermissionDenied("The family's copy is downloaded only on the day it is handed over.")
    return cut_response(request, cut, "mp4", attachment=True, purpose="family_copy")


def tus_options() -> HttpResponse:
    """What a tus client asks first: the protocol version and the one extension we have (creation)."""
    response = HttpResponse(status=204)
    response["Tus-Resumable"] = response["Tus-Version"] = TUS_VERSION
    response["Tus-Extension"] = "creation"
    return response
