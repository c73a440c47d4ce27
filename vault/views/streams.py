"""The vault's byte-stream pages: the page script's resumable upload and playback (see `vault.transfer`)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from accounts.permissions import Perm

from .. import transfer
from ..loading import load_cut, load_film, load_filming


@require_http_methods(["POST", "OPTIONS"])
def upload_create(request: HttpRequest, filming_id: int) -> HttpResponse:
    """The page script's POST: open an upload for the filming's film."""
    if request.method == "OPTIONS":
        return transfer.tus_options()
    filming = load_filming(request, filming_id, Perm.CASEWORK_RECORD)
    return transfer.create_upload(request, filming, location_name="vault:upload")


@require_http_methods(["HEAD", "PATCH", "OPTIONS"])
def upload(request: HttpRequest, film_id: int) -> HttpResponse:
    """The page script's HEAD and PATCH on one upload."""
    if request.method == "OPTIONS":
        return transfer.tus_options()
    film = load_film(request, film_id, Perm.CASEWORK_RECORD)
    return transfer.upload_chunk(request, film)


def upload_state(request: HttpRequest, film_id: int) -> JsonResponse:
    """The film's state (for the script after the last chunk)."""
    film = load_film(request, film_id, Perm.REFERRAL_VIEW)
    return JsonResponse(transfer.film_state(film))


def stream_film(request: HttpRequest, film_id: int) -> HttpResponse:
    """The whole film, inline, with Range, to those who may see the family; each request logged."""
    return transfer.film_response(request, load_film(request, film_id, Perm.REFERRAL_VIEW))


def stream_clip(request: HttpRequest, cut_id: int, rendition: str) -> HttpResponse:
    """A clip's MP4, WebM or poster, inline, with Range; each request logged."""
    return transfer.cut_response(request, load_cut(request, cut_id, Perm.REFERRAL_VIEW), rendition)


def training_clip(request: HttpRequest, cut_id: int) -> HttpResponse:
    """A clip in training, while the training consents stand (checked at every request)."""
    return transfer.training_response(request, load_cut(request, cut_id, Perm.REFERRAL_VIEW))


def family_copy_file(request: HttpRequest, cut_id: int) -> HttpResponse:
    """One clip of the family's copy, downloaded on the day it is handed over."""
    return transfer.family_copy_response(request, load_cut(request, cut_id, Perm.CASEWORK_RECORD))
