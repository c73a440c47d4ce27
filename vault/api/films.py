"""Film vault API: the same resumable upload as the page (tus-like, ADR 0025), the film's state and clips,
cutting, playback with Range, the family's copy and destruction. A film of a family you may not see is a 404."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_access
from accounts.models import AccessAction
from accounts.permissions import Perm
from cycles.models import Filming, Footage
from referrals.models import Referral
from web.api import CONFLICT, FIELD_ERRORS, FORBIDDEN, NOT_FOUND, SavedOnce, load_visible, require, run_action

from .. import actions, transfer
from ..models import ClipCut, Film, FilmState
from ..reads import clips_in_order

TAGS = ["film vault"]
BYTES = OpenApiResponse(description="The bytes asked for (206 with a Range header).")
EMPTY = OpenApiResponse(description="Headers only (tus).")
REFUSED = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='The film refused after its last byte, by its content: the upload\'s state and "detail" saying why.',
)


def _families(request):
    return Referral.objects.visible_to(request.user)


def load_filming(request, pk: int, perm: Perm) -> Filming:
    """A filming in force of a family the caller may see (404, logged), then `perm` on it (403)."""
    queryset = (
        Filming.objects.in_force().filter(cycle__referral__in=_families(request)).select_related("cycle__referral")
    )
    filming = load_visible(queryset, request._request, pk)
    require(request.user, perm, filming.cycle.referral)
    return filming


def load_film(request, pk: int, perm: Perm) -> Film:
    """A film of a family the caller may see (404, logged), then `perm` on it (403)."""
    queryset = Film.objects.filter(referral__in=_families(request)).select_related(
        "referral__service", "filming__cycle"
    )
    film = load_visible(queryset, request._request, pk)
    require(request.user, perm, film.referral)
    return film


def load_cut(request, pk: int, perm: Perm) -> ClipCut:
    """A clip's cut of a family the caller may see (404, logged), then `perm` on it (403)."""
    queryset = ClipCut.objects.filter(film__referral__in=_families(request)).select_related(
        "film__referral", "film__filming__cycle", "clip"
    )
    cut = load_visible(queryset, request._request, pk)
    require(request.user, perm, cut.film.referral)
    return cut


def destruction_out(film: Film) -> dict:
    """Where the film's destruction stands: due or not, whether two people are needed and who confirmed first,
    who destroyed it (or `destroyed_by_vault`: the vault by itself on the date), the last failed automatic try."""
    footage = Footage.objects.filter(filming_id=film.filming_id).first()
    destroy_by = footage.destroy_by if footage else None
    two_person = actions.policy_of(film.referral.service).two_person_destruction
    due = film.state == FilmState.READY and destroy_by is not None and destroy_by <= timezone.localdate()
    if film.state == FilmState.DESTROYED:
        status = "destroyed"
    elif due and two_person:
        status = "awaiting_second_person" if film.destruction_requested_by_id else "due_needs_two_people"
    else:
        status = "due" if due else "held"
    return {
        "status": status,
        "destroy_by": destroy_by.isoformat() if destroy_by else None,
        "two_person": two_person,
        "first_confirmed_by": film.destruction_requested_by_id,
        "first_confirmed_at": film.destruction_requested_at.isoformat() if film.destruction_requested_at else None,
        "destroyed_at": film.destroyed_at.isoformat() if film.destroyed_at else None,
        "destroyed_by": film.destroyed_by_id,
        "destroyed_by_vault": film.destroyed_by_vault,
        "last_failed_at": film.destruction_failed_at.isoformat() if film.destruction_failed_at else None,
    }


def film_out(film: Film) -> dict:
    """The film's state and its clips' cuts: ids, times and states, never notes."""
    return {
        **transfer.film_state(film),
        "destruction": destruction_out(film),
        "filming": film.filming_id,
        "clips": [
            {
                "clip": row["clip"].pk,
                "start_seconds": row["clip"].start_seconds,
                "end_seconds": row["clip"].end_seconds,
                "cut": row["cut"].pk if row["cut"] else None,
                "cut_state": row["cut"].state if row["cut"] else None,
                "renditions": [r for r in ("mp4", "webm", "poster") if row["cut"] and row["cut"].blob(r)[0]],
            }
            for row in clips_in_order(film.filming, film)
        ],
    }


class BytesView(APIView):
    """Answers bytes whatever the Accept header asks for (video players ask for video/*)."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


class FilmingUploadView(SavedOnce, APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={201: EMPTY, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
        description="Open an upload of the filming's film: header Upload-Length (bytes). Answers Location and "
        "Upload-Offset; sent again while it is open, the same upload.",
    )
    def post(self, request, filming_id: int):
        filming = load_filming(request, filming_id, Perm.CASEWORK_RECORD)
        return transfer.create_upload(request._request, filming, location_name="api:vault-upload")


class UploadView(APIView):
    @extend_schema(tags=TAGS, responses={200: EMPTY, 404: NOT_FOUND}, description="Where the upload stands.")
    def head(self, request, film_id: int):
        return transfer.upload_chunk(request._request, load_film(request, film_id, Perm.CASEWORK_RECORD))

    @extend_schema(
        tags=TAGS,
        request={"application/offset+octet-stream": bytes},
        responses={204: EMPTY, 200: OpenApiResponse(description="Film kept"), 409: CONFLICT, 422: REFUSED},
        description="Send the film's bytes from Upload-Offset (application/offset+octet-stream). After the last "
        "byte the film is checked by its content: 200 kept, 422 refused with why.",
    )
    def patch(self, request, film_id: int):
        return transfer.upload_chunk(request._request, load_film(request, film_id, Perm.CASEWORK_RECORD))


class FilmView(APIView):
    @extend_schema(tags=TAGS, responses={200: OpenApiResponse(description="The film"), 404: NOT_FOUND})
    def get(self, request, film_id: int):
        film = load_film(request, film_id, Perm.REFERRAL_VIEW)
        log_access(action=AccessAction.VIEW, request=request._request, obj=film)
        return Response(film_out(film))


class FilmCutsView(SavedOnce, APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: OpenApiResponse(description="The film"), 409: CONFLICT})
    def post(self, request, film_id: int):
        film = load_film(request, film_id, Perm.CASEWORK_RECORD)
        run_action(actions.request_cuts, film=film, by=request.user, request=request._request)
        return Response(film_out(film))


class FilmStreamView(BytesView):
    @extend_schema(tags=TAGS, responses={200: BYTES, 206: BYTES, 404: NOT_FOUND})
    def get(self, request, film_id: int):
        return transfer.film_response(request._request, load_film(request, film_id, Perm.REFERRAL_VIEW))


class ClipStreamView(BytesView):
    @extend_schema(tags=TAGS, responses={200: BYTES, 206: BYTES, 404: NOT_FOUND})
    def get(self, request, cut_id: int, rendition: str):
        return transfer.cut_response(request._request, load_cut(request, cut_id, Perm.REFERRAL_VIEW), rendition)


class TrainingClipView(BytesView):
    @extend_schema(tags=TAGS, responses={200: BYTES, 206: BYTES, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, cut_id: int):
        return transfer.training_response(request._request, load_cut(request, cut_id, Perm.REFERRAL_VIEW))


class FamilyCopyView(SavedOnce, APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: OpenApiResponse(description="Files"), 409: CONFLICT})
    def post(self, request, film_id: int):
        film = load_film(request, film_id, Perm.CASEWORK_RECORD)
        run_action(actions.hand_over_family_copy, film=film, by=request.user, request=request._request)
        files = [
            reverse("api:vault-family-copy-file", kwargs={"cut_id": row["cut"].pk})
            for row in clips_in_order(film.filming, film)
            if row["cut"]
        ]
        return Response({"family_copy_on": str(film.filming.footage.family_copy_on), "files": files})


class FamilyCopyFileView(BytesView):
    @extend_schema(tags=TAGS, responses={200: BYTES, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request, cut_id: int):
        return transfer.family_copy_response(request._request, load_cut(request, cut_id, Perm.CASEWORK_RECORD))


class FilmDestroyView(SavedOnce, APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: OpenApiResponse(description="The film"), 403: FORBIDDEN, 409: CONFLICT},
        description="Destroy the film, its clips and (with the family's last film) its key, on or after the "
        "destruction date. Where the service asks for two people, the first call records the first person's "
        "confirmation (`destruction.status` becomes awaiting_second_person) and a different person's call "
        "destroys; the same person again is 403. Films of other services are destroyed by the vault itself.",
    )
    def post(self, request, film_id: int):
        film = load_film(request, film_id, Perm.FOOTAGE_DESTRUCTION_CONFIRM)
        film = run_action(actions.destroy_film, film=film, by=request.user, request=request._request)
        return Response({**transfer.film_state(film), "destruction": destruction_out(film)})
