"""Letter API: a family's letters, one letter, draft, edit, approve, mark sent, download. The same actions and
scoping as the pages; each look and download is logged."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_access, log_list
from accounts.models import AccessAction
from accounts.permissions import Perm
from referrals.models import Referral
from web.api import ACTION_RESPONSES, FORBIDDEN, NOT_FOUND, ActionView, load_visible
from web.pagination import PAGE_PARAMETERS, Page, page_of

from .. import actions
from ..models import Letter
from ..serializers import LetterApproveIn, LetterDetailOut, LetterDraftIn, LetterEditIn, LetterOut, MarkSentIn, NoInput
from ..states import LetterStatus

TAGS = ["letters"]


def load_letter(request, letter_id: int, perm: Perm | None = Perm.REFERRAL_VIEW) -> Letter:
    return load_visible(Letter.objects.visible_to(request.user).with_details(), request, letter_id, perm)


def letter_out(letter_id: int) -> dict:
    return LetterOut(Letter.objects.with_details().get(pk=letter_id)).data


class FamilyLettersView(APIView):
    """The family's letters, every version, newest version first."""

    @extend_schema(
        operation_id="letters_list",
        tags=TAGS,
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(LetterOut), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        referral = load_visible(
            Referral.objects.visible_to(request.user).with_record_details(), request, pk, Perm.REFERRAL_VIEW
        )
        page = Page(request, Letter.objects.filter(referral=referral).with_details().order_by("kind", "-version", "pk"))
        log_list(
            request=request._request,
            object_type="letters.letter",
            ids=[x.pk for x in page.rows],
            detail={"list": "api"},
        )
        return page.response(LetterOut(page.rows, many=True).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="letters_draft",
        tags=TAGS,
        request=LetterDraftIn,
        responses={201: LetterOut, **ACTION_RESPONSES},
        description="Start a letter, its free-text sections prefilled from the record (a decline letter needs a "
        "declined referral). One current letter of each kind per family.",
    )
)
class LetterDraftView(ActionView):
    input_serializer, permission, action = LetterDraftIn, Perm.LETTER_WRITE, actions.draft_letter

    def load(self, request, pk: int):
        return load_visible(
            Referral.objects.visible_to(request.user).with_record_details(), request, pk, self.permission
        )

    def respond(self, request, record, result):
        return Response(letter_out(result.pk), status=status.HTTP_201_CREATED)


class LetterActionView(ActionView):
    record_kwarg = "letter"

    def load(self, request, pk: int):
        return load_letter(request, pk, self.permission)

    def respond(self, request, record, result):
        return Response(letter_out(result.pk))

    def post(self, request, letter_id: int):
        return super().post(request, letter_id)


def letter_action_schema(operation_id: str, request, description: str):
    return extend_schema_view(
        post=extend_schema(
            operation_id=operation_id,
            tags=TAGS,
            request=request,
            responses={200: LetterOut, **ACTION_RESPONSES},
            description=description,
        )
    )


@letter_action_schema(
    "letters_edit",
    LetterEditIn,
    "Change the recipient or sections. An approved letter gets a "
    "new draft version (answered); the old one is kept as superseded.",
)
class LetterEditView(LetterActionView):
    input_serializer, permission, action = LetterEditIn, Perm.LETTER_WRITE, actions.edit_letter


@letter_action_schema(
    "letters_approve",
    LetterApproveIn,
    "Approve the letter as it reads; the PDF is made in the background "
    "(status queued → rendering → ready). A trainee's letter is approved by their supervisor. "
    "For a letter to a professional about a family whose address is confidential, send "
    "`confirmed_no_whereabouts: true` (400 under that key otherwise); a section or recipient field that gives the "
    "family's address away is refused with 400 under that field's key (a section's key, `recipient_name` or "
    "`recipient_address`), saying what it gives away and what to change.",
)
class LetterApproveView(LetterActionView):
    input_serializer, permission, action = LetterApproveIn, Perm.REFERRAL_VIEW, actions.approve_letter


@letter_action_schema("letters_mark_sent", MarkSentIn, "Record how and when the ready letter was sent (once).")
class LetterMarkSentView(LetterActionView):
    input_serializer, permission, action = MarkSentIn, Perm.LETTER_WRITE, actions.mark_letter_sent


@letter_action_schema(
    "letters_regenerate",
    NoInput,
    "Make the letter again from its approved content, with a fresh count of attempts: a failed letter, or a ready "
    "one whose PDF is missing from storage (`user_can.regenerate` on the letter says which). 409 otherwise.",
)
class LetterRegenerateView(LetterActionView):
    input_serializer, permission, action = NoInput, Perm.LETTER_WRITE, actions.regenerate_letter


class LetterDetailView(APIView):
    """One letter with its status (poll this while it is made) and what the user may do to it."""

    @extend_schema(operation_id="letters_retrieve", tags=TAGS, responses={200: LetterDetailOut, 404: NOT_FOUND})
    def get(self, request, letter_id: int):
        letter = load_letter(request, letter_id)
        log_access(action=AccessAction.VIEW, request=request._request, obj=letter)
        return Response(LetterDetailOut(letter, context={"request": request}).data)


class LetterDownloadView(APIView):
    """The letter's PDF (attachment); logged as a download."""

    @extend_schema(
        operation_id="letters_download",
        tags=TAGS,
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="application/pdf"), 404: NOT_FOUND},
    )
    def get(self, request, letter_id: int):
        letter = load_letter(request, letter_id)
        if letter.status != LetterStatus.READY or not letter.file:
            raise exceptions.NotFound("This letter's PDF is not ready.")
        try:
            with letter.file.open("rb") as handle:
                pdf = handle.read()
        except FileNotFoundError:
            raise exceptions.NotFound(
                "This letter's PDF is missing from storage: make it again (POST to the letter's regenerate/)."
            ) from None
        log_access(
            action=AccessAction.DOWNLOAD, request=request._request, obj=letter, detail={"version": letter.version}
        )
        name = f"letter-{letter.referral.reference}-{letter.kind}-v{letter.version}.pdf"
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store, private"
        return response
