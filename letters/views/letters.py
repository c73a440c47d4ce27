"""A family's letters: the list, one letter (status live while it renders), edit, preview, approve, download,
mark sent. Each loads what the user may see (a logged 404), checks the permission (a logged 403), calls one action."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm, check_permission
from core.refusals import ActionRefused
from referrals.loading import referral_for_page
from web.pages import form_action_page, load_visible

from .. import actions, languages, rendering, whereabouts
from ..forms import ConfirmForm, LetterApproveForm, LetterEditForm, MarkSentForm
from ..models import Letter
from ..rules import letter_user_can
from ..states import STATUS_COLOURS, LetterKind, LetterStatus

MISSING_FILE = "This letter's PDF is missing from storage, so it cannot be downloaded. It needs to be made again."


def load_letter(request: HttpRequest, letter_id: int, perm: Perm | None = Perm.REFERRAL_VIEW) -> Letter:
    return load_visible(Letter.objects.visible_to(request.user).with_details(), request, letter_id, perm)


load_referral = referral_for_page


def letter_url(letter: Letter) -> str:
    return reverse("letters:detail", kwargs={"letter_id": letter.pk})


def family_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """Every letter of the family, every version, newest version first."""
    referral = load_referral(request, pk, Perm.REFERRAL_VIEW)
    letters = list(Letter.objects.filter(referral=referral).select_related("approved_by").order_by("kind", "-version"))
    for letter in letters:
        letter.colour = STATUS_COLOURS[letter.status]
    log_list(request=request, object_type="letters.letter", ids=[x.pk for x in letters], detail={"list": "family"})
    return render(request, "letters/family_letters.html", {"referral": referral, "letters": letters})


@require_POST
def draft(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Start a letter (the record page's "Write the decline letter" button) and open it for editing."""
    referral = load_referral(request, pk, Perm.LETTER_WRITE)
    if kind not in LetterKind.values:
        raise Http404
    try:
        letter = actions.draft_letter(referral=referral, kind=kind, by=request.user, request=request)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("referrals:detail", pk=referral.pk)
    messages.success(request, f"{letter.get_kind_display()} drafted from the record: check and edit it.")
    return redirect("letters:edit", letter_id=letter.pk)


def detail(request: HttpRequest, letter_id: int) -> HttpResponse:
    """One letter: what it says, its status (refreshing itself while it is made), and what can be done to it."""
    letter = load_letter(request, letter_id)
    log_access(action=AccessAction.VIEW, request=request, obj=letter)
    context = {
        "letter": letter,
        "referral": letter.referral,
        "colour": STATUS_COLOURS[letter.status],
        "sections": rendering.letter_context(letter)["sections"],
        "can": letter_user_can(request.user, letter),
        "refresh": letter.is_current and letter.in_pipeline,
        "language_changed": languages.language_changed(letter),
    }
    return render(request, "letters/letter_detail.html", context)


def edit(request: HttpRequest, letter_id: int) -> HttpResponse:
    """Change the recipient and the free-text sections; an approved letter becomes a new draft version."""
    letter = load_letter(request, letter_id, Perm.LETTER_WRITE)
    form = LetterEditForm(request.POST or None, letter=letter)
    saved = {}

    def perform(data):
        saved["letter"] = actions.edit_letter(letter=letter, by=request.user, request=request, **form.action_data())

    response = form_action_page(
        request,
        form=form,
        template="letters/letter_edit.html",
        context={"letter": letter, "referral": letter.referral},
        perform=perform,
        success_message="Letter saved.",
        success_url=letter_url(letter),
    )
    if "letter" in saved and saved["letter"].pk != letter.pk:
        return redirect(letter_url(saved["letter"]))
    return response


def preview(request: HttpRequest, letter_id: int) -> HttpResponse:
    """The PDF as it will be, made now and not kept (logged as a view)."""
    letter = load_letter(request, letter_id)
    if letter.referral.bereavement and not letter.bereavement_confirmed_at:
        messages.error(request, "This family is marked bereaved: a coordinator must confirm this letter first.")
        return redirect(letter_url(letter))
    pdf, _ = rendering.render_letter_pdf(letter)
    log_access(action=AccessAction.VIEW, request=request, obj=letter, detail={"preview": True})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-letter-{letter.pk}.pdf"'
    return private(response)


def private(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


def approve(request: HttpRequest, letter_id: int) -> HttpResponse:
    """Approve the letter as it reads; it is then made as a PDF in the background. For a professional's letter
    about a family with a confidential address, any field that gives the address away is named beside it, and the
    approver ticks that the letter reveals no whereabouts."""
    letter = load_letter(request, letter_id)
    form = LetterApproveForm(request.POST if request.method == "POST" else None, letter=letter)
    found = whereabouts.letter_findings(letter)
    sections = [{**s, "problem": found.get(s["key"])} for s in rendering.letter_context(letter)["sections"]]
    return form_action_page(
        request,
        form=form,
        template="letters/letter_approve.html",
        context={
            "letter": letter,
            "referral": letter.referral,
            "sections": sections,
            "address_withheld": whereabouts.withholds_address(letter.referral, letter.kind),
            "recipient_problems": [found[key] for key in ("recipient_name", "recipient_address") if key in found],
        },
        perform=lambda data: actions.approve_letter(
            letter=letter, by=request.user, request=request, **form.action_data()
        ),
        success_message="Letter approved. It is being made now.",
        success_url=letter_url(letter),
    )


def confirm_bereavement(request: HttpRequest, letter_id: int) -> HttpResponse:
    """A coordinator confirms a letter for a family marked bereaved (who and when are kept)."""
    letter = load_letter(request, letter_id, Perm.LETTER_COORDINATE)
    return form_action_page(
        request,
        form=ConfirmForm(request.POST if request.method == "POST" else None),
        template="letters/letter_confirm_bereavement.html",
        context={"letter": letter, "referral": letter.referral},
        perform=lambda data: actions.confirm_bereaved_family_letter(letter=letter, by=request.user, request=request),
        success_message="Letter confirmed for a bereaved family.",
        success_url=letter_url(letter),
    )


def mark_sent(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = load_letter(request, letter_id, Perm.LETTER_WRITE)
    return form_action_page(
        request,
        form=MarkSentForm(request.POST or None),
        template="letters/letter_mark_sent.html",
        context={"letter": letter, "referral": letter.referral},
        perform=lambda data: actions.mark_letter_sent(letter=letter, by=request.user, request=request, **data),
        success_message="Letter marked sent.",
        success_url=letter_url(letter),
    )


@require_POST
def regenerate(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = load_letter(request, letter_id, Perm.LETTER_WRITE)
    try:
        actions.regenerate_letter(letter=letter, by=request.user, request=request)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "The letter is being made again.")
    return redirect(letter_url(letter))


def download(request: HttpRequest, letter_id: int) -> HttpResponse:
    """The letter's PDF as an attachment, for someone who may see the family; every download is logged."""
    letter = load_letter(request, letter_id)
    check_permission(request.user, Perm.REFERRAL_VIEW, obj=letter)
    if letter.status != LetterStatus.READY or not letter.file:
        raise Http404
    try:
        with letter.file.open("rb") as handle:  # a letter is tens of kilobytes: read it, leave no handle open
            pdf = handle.read()
    except FileNotFoundError:
        # The file was lost: say so on the letter's page, which offers "Make again" to those who may.
        messages.error(request, MISSING_FILE)
        return redirect(letter_url(letter))
    log_access(action=AccessAction.DOWNLOAD, request=request, obj=letter, detail={"version": letter.version})
    name = f"letter-{letter.referral.reference}-{letter.kind}-v{letter.version}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return private(response)
