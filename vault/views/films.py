"""The vault's pages: a filming's film (upload, player, marking clips, cutting), the shared review (the family's
view hides the practitioner's notes), the family's copy, and destruction. Thin: load (404/403), one action."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction
from accounts.permissions import Perm
from cycles.models import ConsentItem, Footage
from cycles.rules import may_record_casework
from web.pages import form_action_page

from .. import actions, crypto
from ..forms import ConfirmForm, FilmUploadForm
from ..loading import load_film, load_filming
from ..models import CutState, Film, FilmState
from ..reads import clips_in_order, film_of
from ..rules import may_destroy_film

PLAIN_UPLOAD_LIMIT = 100 * 1000**2  # the no-JavaScript form: one request, so keep it to small films


def _film_url(filming_id: int) -> str:
    return reverse("vault:film", kwargs={"filming_id": filming_id})


def film_page(request: HttpRequest, filming_id: int) -> HttpResponse:
    """A filming's film: upload it (resumable with JavaScript, a plain form without), play it, mark clips on it,
    send the clips to be cut and see them. Every opening is in the access log."""
    filming = load_filming(request, filming_id, Perm.REFERRAL_VIEW)
    referral = filming.cycle.referral
    film = film_of(filming)
    can_work = may_record_casework(request.user, referral)
    upload_form = None
    if can_work and (film is None or film.state == FilmState.UPLOADING) and crypto.vault_open():
        upload_form = FilmUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST":
            response = form_action_page(
                request,
                form=upload_form,
                template="vault/film.html",
                context=_context(request, filming, film, can_work),
                perform=lambda data: _plain_upload(filming, data["film"], request),
                success_message=lambda film: (
                    "Film kept in the vault." if film.state == FilmState.READY else film.refusal or "Upload stored."
                ),
                success_url=_film_url(filming.pk),
            )
            return response
    log_access(action=AccessAction.VIEW, request=request, obj=film or filming)
    context = _context(request, filming, film, can_work)
    context["form"] = upload_form
    return render(request, "vault/film.html", context)


def _plain_upload(filming, uploaded, request):
    from django.core.exceptions import ValidationError

    if uploaded.size > PLAIN_UPLOAD_LIMIT:
        raise ValidationError({"film": "This film is too large for the plain form: turn on JavaScript to upload it"})
    return actions.upload_film_file(filming=filming, uploaded=uploaded, by=request.user, request=request)


def _context(request, filming, film, can_work) -> dict:
    referral = filming.cycle.referral
    clips = clips_in_order(filming, film)
    footage = Footage.objects.filter(filming=filming).first()
    today = timezone.localdate()
    refused = Film.objects.filter(filming=filming, state=FilmState.REFUSED).order_by("-pk").first()
    return {
        "filming": filming,
        "referral": referral,
        "film": film,
        "refused": refused if film is None else None,
        "clips": clips,
        "can_work": can_work,
        # The first of two people cannot also be the second: no link for them.
        "can_destroy": bool(
            film
            and film.state == FilmState.READY
            and may_destroy_film(request.user, film)
            and film.destruction_requested_by_id != request.user.pk
        ),
        "requested_by_you": bool(film and film.destruction_requested_by_id == request.user.pk),
        "due": bool(footage and footage.destroy_by and footage.destroy_by <= today),
        "footage": footage,
        "vault_open": crypto.vault_open(),
        "cuts_missing": film is not None
        and film.state == FilmState.READY
        and any(row["cut"] is None or row["stale"] for row in clips),
        "upload_url": reverse("vault:upload_create", kwargs={"filming_id": filming.pk}),
        "chunk_size": crypto.SEGMENT,
        "two_person": actions.policy_of(referral.service).two_person_destruction,
        # Clips marked for training play there only while everyone filmed consents (checked again at each request).
        "training_ok": any(row["clip"].marked_for_training for row in clips)
        and not actions.consent_refusal(filming, ConsentItem.TRAINING, "use clips in training"),
    }


def cut_clips(request: HttpRequest, film_id: int) -> HttpResponse:
    """Send the film's clips to be cut (each clip without a cut at its current times)."""
    film = load_film(request, film_id, Perm.CASEWORK_RECORD)
    return form_action_page(
        request,
        form=ConfirmForm(request.POST if request.method == "POST" else None),
        template="vault/confirm.html",
        context={
            "film": film,
            "referral": film.referral,
            "heading": "Cut the clips from the film",
            "body": "The clips you marked are cut in the background; each appears on the film's page when ready.",
            "button": "Cut the clips",
            "back": _film_url(film.filming_id),
        },
        perform=lambda data: actions.request_cuts(film=film, by=request.user, request=request),
        success_message=lambda made: f"{len(made)} clip{'s' if len(made) != 1 else ''} sent to be cut.",
        success_url=_film_url(film.filming_id),
    )


def shared_review(request: HttpRequest, film_id: int) -> HttpResponse:
    """The clips played in order, full screen. `?view=family` is the family's view: no practitioner's notes."""
    film = load_film(request, film_id, Perm.REFERRAL_VIEW)
    family_view = request.GET.get("view") == "family"
    rows = [row for row in clips_in_order(film.filming, film) if row["cut"] and row["cut"].state == CutState.READY]
    log_access(
        action=AccessAction.VIEW,
        request=request,
        obj=film,
        detail={"page": "shared_review", "family_view": family_view, "clips": [r["clip"].pk for r in rows]},
    )
    return render(
        request,
        "vault/review.html",
        {"film": film, "referral": film.referral, "rows": rows, "family_view": family_view},
    )


def family_copy(request: HttpRequest, film_id: int) -> HttpResponse:
    """Prepare the family's copy today (one file per clip) and download each file, on the day only."""
    film = load_film(request, film_id, Perm.CASEWORK_RECORD)
    footage = Footage.objects.filter(filming=film.filming).first()
    today = timezone.localdate()
    open_today = bool(footage and footage.family_copy == "given" and footage.family_copy_on == today)
    rows = [row for row in clips_in_order(film.filming, film) if row["cut"] and row["cut"].state == CutState.READY]
    refusal = actions.consent_refusal(film.filming, ConsentItem.FAMILY_COPY, "give the family its copy")
    return form_action_page(
        request,
        form=ConfirmForm(request.POST if request.method == "POST" else None),
        template="vault/family_copy.html",
        context={
            "film": film,
            "referral": film.referral,
            "rows": rows,
            "open_today": open_today,
            "footage": footage,
            "consent_refusal": refusal,
        },
        perform=lambda data: actions.hand_over_family_copy(film=film, by=request.user, request=request),
        success_message="The family's copy is recorded as given today. Download each clip below.",
        success_url=reverse("vault:family_copy", kwargs={"film_id": film.pk}),
    )


def destroy(request: HttpRequest, film_id: int) -> HttpResponse:
    """Destroy the film, its clips and (with the family's last film) its key, on the destruction date."""
    film = load_film(request, film_id, Perm.FOOTAGE_DESTRUCTION_CONFIRM)
    if film.state == FilmState.DESTROYED:
        messages.info(request, "This film was destroyed.")
        return redirect(_film_url(film.filming_id))
    two_person = actions.policy_of(film.referral.service).two_person_destruction
    footage = Footage.objects.filter(filming=film.filming).first()
    return form_action_page(
        request,
        form=ConfirmForm(request.POST if request.method == "POST" else None),
        template="vault/destroy.html",
        context={"film": film, "referral": film.referral, "two_person": two_person, "footage": footage},
        perform=lambda data: actions.destroy_film(film=film, by=request.user, request=request),
        success_message=lambda done: (
            "The film, its clips and their key were destroyed."
            if done.state == FilmState.DESTROYED
            else "Your confirmation is recorded: a second person completes the destruction."
        ),
        success_url=_film_url(film.filming_id),
    )
