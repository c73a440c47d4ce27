"""The FHIR R4 endpoint: a referral Bundle in, a letter out as a DocumentReference, and what is supported.

Thin, as the rest of the API: authentication and permissions are the API's own (tokens or a verified session; the
permission layer), the Bundle is read into the referral API's input (`interop.fhir`), checked by the same
serializer, and recorded by one action through `referrals.actions.create_referral`. Every refusal answers as an
OperationOutcome naming each problem by its FHIR path (400 for what is not FHIR, 422 for what FHIR allows but a
referral cannot be, 401/403/404/409 as elsewhere); never a 500, never half a referral.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit import log_access
from accounts.models import AccessAction
from accounts.permissions import Perm, services_with
from letters.models import Letter
from letters.states import LetterStatus
from referrals.actions import DuplicateSuspected
from referrals.models import Referral
from referrals.serializers import ReferralIn
from web.api import KeyReused, SavedOnce, load_visible, require, run_action

from . import actions, fhir

TAGS = ["fhir"]
ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    413: "too-long",
    415: "not-supported",
    422: "business-rule",
}


class FHIRJSONParser(JSONParser):
    """Bodies sent as application/fhir+json (FHIR's own type), as well as plain JSON."""

    media_type = "application/fhir+json"


class FHIRJSONRenderer(JSONRenderer):
    """Answers as application/fhir+json."""

    media_type = "application/fhir+json"
    format = "fhir"


def outcome(problems: list[fhir.Problem], status_code: int) -> Response:
    """An OperationOutcome response."""
    return Response(fhir.operation_outcome(problems), status=status_code)


@extend_schema(exclude=True)
class FHIRView(APIView):
    """The FHIR views' shared plumbing: FHIR JSON in and out, and every refusal as an OperationOutcome. Left out
    of the OpenAPI schema: FHIR clients read the CapabilityStatement (`metadata`) instead."""

    parser_classes = [FHIRJSONParser, JSONParser]
    renderer_classes = [FHIRJSONRenderer, JSONRenderer]

    def handle_exception(self, exc):
        """The API's own handling (and its access-log rows), then the body as an OperationOutcome. A reused
        Idempotency-Key answers as everywhere in the API."""
        response = super().handle_exception(exc)
        if isinstance(exc, KeyReused) or response is None or response.status_code < 400:
            return response
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        problems = [
            fhir.Problem(
                "Bundle", str(detail or response.data)[:1000], ISSUE_CODES.get(response.status_code, "processing")
            )
        ]
        response.data = fhir.operation_outcome(problems)
        return response


class MetadataView(FHIRView):
    """GET metadata: the CapabilityStatement, saying exactly what this endpoint supports. Open to anyone, as FHIR
    clients ask it before authenticating; it holds no data."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response(fhir.capability_statement(base=request.build_absolute_uri(reverse("fhir:base"))))


class ReferralBundleView(SavedOnce, FHIRView):
    """POST a referral Bundle: the referral is recorded in "received" as if typed into the form."""

    def post(self, request):
        user = request.user
        require(user, Perm.REFERRAL_CREATE)  # someone who records referrals nowhere learns nothing of the input
        try:
            read = fhir.read_bundle(request.data)
        except fhir.BundleRefused as refused:
            return outcome(refused.problems, refused.status)
        if read.service.pk not in services_with(user, Perm.REFERRAL_CREATE):
            log_access(
                action=AccessAction.PERMISSION_DENIED,
                request=request._request,
                object_type="accounts.service",
                object_id=read.service.pk,
                detail={"fhir": "referral bundle"},
            )
            path = "Bundle.entry.resource.performer"
            return outcome([fhir.Problem(path, "You cannot record referrals for this service", "forbidden")], 403)
        data = ReferralIn(data=read.data, context={"request": request})
        if not data.is_valid():
            return outcome(fhir.problems_from_errors(data.errors, read.paths), 422)
        # May this user record a referral at this site? Checked before duplicates are shown, as the API does.
        require(user, Perm.REFERRAL_CREATE, Referral(service=read.service, site=data.validated_data["site"]))
        try:
            referral, created = run_action(
                actions.receive_referral,
                service=read.service,
                key=read.key,
                body_hash=read.body_hash,
                data=data.referral_data(),
                parents=data.parents_data(),
                by=user,
                request=request._request,
            )
        except DuplicateSuspected as suspected:
            references = ", ".join(r.reference for r in suspected.referrals)
            message = (
                "This family may already have an open referral in this service "
                f"({references}): nothing was saved. A coordinator will check it with the referrer."
            )
            return outcome([fhir.Problem("Bundle.entry", message, "duplicate")], 409)
        except actions.IdentifierReused:
            message = "This identifier already made a referral from a different Bundle: send a new identifier"
            return outcome([fhir.Problem("Bundle.identifier", message, "duplicate")], 422)
        except exceptions.ValidationError as error:
            return outcome(fhir.problems_from_errors(error.detail, read.paths), 422)
        location = reverse("api:referral-detail", kwargs={"pk": referral.pk})
        body = fhir.transaction_response(referral, created=created, location=location)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(body, status=code, headers={"Location": location})


class DocumentReferenceView(FHIRView):
    """GET DocumentReference/{id}: a ready letter, PDF attached, to those who may read the family's letters."""

    def get(self, request, letter_id: int):
        letter = load_visible(Letter.objects.visible_to(request.user).with_details(), request._request, letter_id)
        if letter.status != LetterStatus.READY or not letter.file:
            raise exceptions.NotFound("This letter is not ready.")
        try:
            with letter.file.open("rb") as handle:
                pdf = handle.read()
        except FileNotFoundError:
            raise exceptions.NotFound("This letter's PDF is missing from storage.") from None
        log_access(
            action=AccessAction.DOWNLOAD,
            request=request._request,
            obj=letter,
            detail={"version": letter.version, "as": "fhir DocumentReference"},
        )
        url = request.build_absolute_uri(reverse("api:letter-download", kwargs={"letter_id": letter.pk}))
        response = Response(fhir.document_reference(letter, pdf, url=url))
        response["Cache-Control"] = "no-store, private"
        return response
