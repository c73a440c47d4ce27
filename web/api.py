"""API plumbing every app's API uses: error shapes, loading a visible record, running one action; and the
signed-in user and tokens for verified users only.

An app's API view loads the record the user may see (`load_visible`: a logged 404 otherwise), checks the action's
permission (403), validates its input serializer (400), calls one action through `run_action` (which turns the
action's refusals into 400, 403 or 409) and answers with the record. `ActionView` is that whole shape for POSTs.
"""

import functools

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.audit import get_visible_or_404, log_access
from accounts.models import AccessAction
from accounts.permissions import Perm, has_permission, memberships_for
from core.refusals import ActionRefused
from web import errors, submissions
from web.tombstones import find_tombstone


class Conflict(exceptions.APIException):
    """The record is not in a state that allows this (e.g. deciding a referral twice)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record has changed state; reload it and try again."
    default_code = "conflict"


def exception_handler(exc, context):
    """DRF's handler, plus an access-log row for every refusal, and a JSON 413 for a body over the upload limit.

    Django would send RequestDataTooBig (raised when DRF reads the body) to its HTML 400 page.
    """
    if isinstance(exc, RequestDataTooBig):
        errors.security_log.warning("API request body over DATA_UPLOAD_MAX_MEMORY_SIZE")
        return Response({"detail": errors.TOO_BIG}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.PermissionDenied | exceptions.NotAuthenticated | DjangoPermissionDenied):
        request = context.get("request")
        log_access(action=AccessAction.PERMISSION_DENIED, request=request._request if request else None)
    return response


class ErrorOut(serializers.Serializer):
    """Every refusal that is not about one field: {"detail": "..."}."""

    detail = serializers.CharField()


class PersonOut(serializers.Serializer):
    """A member of staff, the same way in every answer: user id and display name (full name, else username)."""

    id = serializers.IntegerField(help_text="User id")
    name = serializers.CharField(source="display_name", help_text="Full name, or the username if none is set")


class MembershipOut(serializers.Serializer):
    service = serializers.CharField()
    service_name = serializers.CharField()
    role = serializers.CharField()
    training_status = serializers.CharField()
    site_ids = serializers.ListField(child=serializers.IntegerField())


class MeOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField(help_text="As `get_full_name()`: blank for staff without a first or last name")
    name = serializers.CharField(help_text="The display name every other answer uses for a person: never blank")
    memberships = MembershipOut(many=True)


class MeView(APIView):
    """Who the API thinks you are, and what your memberships cover."""

    @extend_schema(responses=MeOut)
    def get(self, request):
        user = request.user
        memberships = [
            {
                "service": m.service.slug,
                "service_name": m.service.name,
                "role": m.role,
                "training_status": m.training_status,
                "site_ids": sorted(m.site_ids),
            }
            for m in memberships_for(user)
        ]
        data = {
            "id": user.pk,
            "username": user.username,
            "full_name": user.get_full_name(),
            "name": user.display_name,
            "memberships": memberships,
        }
        return Response(MeOut(data).data)


class TokenCreateView(APIView):
    """Issue an expiring token (stored hashed by knox) — only to a session that passed the second factor."""

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "TokenOut", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
            ),
            403: OpenApiResponse(
                ErrorOut,
                description=(
                    "The session has not passed the second factor (or you used a token), or you already hold "
                    "the most tokens allowed (5): revoke one first."
                ),
            ),
        },
    )
    def post(self, request):
        user = request.user
        if not (hasattr(user, "is_verified") and user.is_verified()):
            raise exceptions.PermissionDenied("Sign in with your second factor before asking for an API token.")
        with transaction.atomic():
            AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
            if AuthToken.objects.filter(user=user).count() >= settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]:
                raise exceptions.PermissionDenied("You have too many API tokens. Revoke one before asking again.")
            instance, token = AuthToken.objects.create(user=user, expiry=settings.REST_KNOX["TOKEN_TTL"])
            log_access(
                action=AccessAction.CREATE,
                request=request._request,
                object_type="knox.authtoken",
                object_id=instance.token_key,
            )
        return Response({"token": token, "expiry": instance.expiry}, status=status.HTTP_201_CREATED)


class TokenDeleteView(APIView):
    """Revoke the token used for this request."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------------------------------------------------
# Shared by every app's API views
# ---------------------------------------------------------------------------------------------------------------


FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='Field errors: {field: [messages]} (nested by index), or {"detail": ...} if the body is not JSON.',
)
FORBIDDEN = OpenApiResponse(ErrorOut, description="You may see this record but not do this to it.")
NOT_FOUND = OpenApiResponse(ErrorOut, description="No such record, or not one you may see.")
CONFLICT = OpenApiResponse(ErrorOut, description="The record's state does not allow this (e.g. decided already).")
ACTION_RESPONSES = {400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}


class BoundedListSerializer(serializers.ListSerializer):
    """`many=True` with min_length/max_length that the schema shows as minItems/maxItems.

    drf-spectacular reads list limits from validators only; these never fire, as DRF checks the limits first.
    """

    def get_validators(self):
        bounds = []
        if self.min_length is not None:
            bounds.append(MinLengthValidator(self.min_length))
        if self.max_length is not None:
            bounds.append(MaxLengthValidator(self.max_length))
        return [*super().get_validators(), *bounds]


# Answers any API operation can give, added to every operation of the schema where they apply. The views'
# own descriptions (e.g. a 403 that says which permission) are kept where they exist.
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
_ANY_ERROR = {
    "401": ("Not signed in: no session, or the token is unknown, expired or revoked.", _ERROR),
    "403": ("You may not do this (no role that allows it, or a session without the second factor).", _ERROR),
}
_RECORD_ERROR = {"404": ("No such record, or not one you may see (its existence is not revealed).", _ERROR)}
_GONE = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {
                "detail": {"type": "string"},
                "id": {"type": "integer"},
                "reference": {"type": "string"},
                "service": {"type": "integer"},
                "destroyed_at": {"type": "string", "format": "date-time"},
                "proposed_by": {"type": "integer", "nullable": True, "description": "User id"},
                "approved_by": {"type": "integer", "nullable": True, "description": "User id"},
                "rule": {"type": "string"},
            },
            "required": ["detail"],
        }
    }
}
_FAMILY_ERROR = {
    "410": (
        "The family's record was destroyed under the service's retention rule (its tombstone, to those who held a "
        "role in its service; anyone else gets 404).",
        _GONE,
    )
}
_BODY_ERRORS = {
    "400": (FIELD_ERRORS.description, {"application/json": {"schema": {"type": "object", "additionalProperties": {}}}}),
    "413": ("The body is over the upload limit (2.5 MB).", _ERROR),
    "415": ("The body is not JSON (send Content-Type: application/json).", _ERROR),
}


_BLANK = {"type": "string", "maxLength": 0}


def _blank_or_pattern(node) -> None:
    """drf-spectacular states a text field that may be blank and has a pattern as oneOf [pattern, blank]; say it
    as one string schema whose pattern also allows blank, so `maxLength` and the rest stay where clients look."""
    if isinstance(node, list):
        for item in node:
            _blank_or_pattern(item)
        return
    if not isinstance(node, dict):
        return
    one_of = node.get("oneOf")
    if isinstance(one_of, list) and len(one_of) == 2 and one_of[1] == _BLANK and "pattern" in one_of[0]:
        inner = node.pop("oneOf")[0]
        node.update({**inner, "pattern": f"^$|{inner['pattern']}"})
    for value in node.values():
        _blank_or_pattern(value)


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: state every error an operation can answer, all of them JSON; and
    merge blank-or-pattern text fields into one schema (`_blank_or_pattern`)."""
    _blank_or_pattern(result)
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "ErrorOut",
        {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    )
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            errors = dict(_ANY_ERROR)
            if "{" in path:
                errors.update(_RECORD_ERROR)
            if path.startswith("/api/v1/referrals/{id}/"):
                errors.update(_FAMILY_ERROR)
            if "requestBody" in operation:
                errors.update(_BODY_ERRORS)
            elif operation.get("parameters") and any(p["in"] == "query" for p in operation["parameters"]):
                errors["400"] = _BODY_ERRORS["400"]
            if method == "post" and path not in _NOT_ACTIONS:
                errors.update(_KEY_REUSED)
                operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
            responses = operation.setdefault("responses", {})
            for code, (description, content) in errors.items():
                responses.setdefault(code, {"description": description, "content": content})
    return result


# POSTs that act on nothing in the service (tokens for the API itself): no Idempotency-Key.
_NOT_ACTIONS = {"/api/v1/auth/token/", "/api/v1/auth/token/revoke/"}
_IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "description": (
        "Send the same key again (with the same body) to retry safely: the call runs once for you and this key, "
        "and a repeat answers as the first did (same status, the record as it is now) with the header "
        "`Idempotent-Replayed: true`. A key is yours alone and kept for two days; use a new one (a UUID) for "
        "each new request. Without the header the call runs each time it is sent."
    ),
}
_KEY_REUSED = {"422": ("The Idempotency-Key was already used by you for a different request.", _ERROR)}


def require(user, perm: Perm, obj=None) -> None:
    """403 (logged by the exception handler) unless the user holds `perm` (on `obj`)."""
    if not has_permission(user, perm, obj=obj):
        raise exceptions.PermissionDenied


class Gone(exceptions.APIException):
    status_code = 410
    default_detail = "This record was destroyed."
    default_code = "gone"


def load_visible(queryset, request, pk, perm: Perm | None = None):
    """The record from the user's visible queryset (a logged 404 otherwise), then `perm` on it or 403.

    A destroyed record answers 410 with its tombstone to those who held a role in its service (web.tombstones).
    """
    try:
        record = get_visible_or_404(queryset, request=request, pk=pk)
    except Http404:
        tombstone = find_tombstone(queryset.model, request.user, pk)
        if tombstone is not None:
            raise Gone(
                {"detail": "This record was destroyed under the service's retention rule.", **tombstone}
            ) from None
        raise
    if perm is not None:
        require(request.user, perm, record)
    return record


def field_errors(error: DjangoValidationError) -> dict:
    """An action's ValidationError as the API's 400 body: {field: [messages]}."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"non_field_errors": error.messages}


def run_action(action, **kwargs):
    """Call an action, turning its refusals into API answers: 400 field errors, 403, or 409.

    When the call is a repeat under the same Idempotency-Key (`SavedOnce`), the first call's result is returned
    instead of running the action again; when it is the first, its result is kept (as ids) for a repeat.
    """
    replayed = submissions.replayed_result()
    if replayed is not submissions.NOT_REPLAYING:
        return replayed
    try:
        result = action(**kwargs)
        submissions.record_result(result)
        return result
    except DjangoValidationError as error:
        raise serializers.ValidationError(field_errors(error)) from error
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied from error
    except ActionRefused as refusal:
        raise Conflict(str(refusal)) from refusal


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used for a different request. Send a new key with a new request."
    default_code = "idempotency_key_reused"


def _saved_once(post):
    """Wrap a view's `post` so that an Idempotency-Key makes it run once per user and key (`SavedOnce`)."""

    @functools.wraps(post)
    def once(self, request, *args, **kwargs):
        key = request.headers.get(submissions.IDEMPOTENCY_HEADER)
        if key is None or getattr(request, "_saved_once", False):
            return post(self, request, *args, **kwargs)
        problem = submissions.key_problem(key)
        if problem:
            raise serializers.ValidationError({submissions.IDEMPOTENCY_HEADER: [problem]})
        request._saved_once = True
        body = submissions.body_of(request)
        try:
            with transaction.atomic():
                claim = submissions.claim_api_key(request._request, key, body)
                token = submissions.recording()
                try:
                    response = post(self, request, *args, **kwargs)
                finally:
                    results = submissions.recorded(token)
                if not 200 <= response.status_code < 300:
                    claim.delete()  # an answer that saved nothing does not use the key up (its access log stays)
                    return response
                claim.status_code, claim.results = response.status_code, results
                claim.save(update_fields=["status_code", "results"])
                return response
        except submissions.AlreadySaved as saved:
            return _replay(self, post, saved.first, body, request, *args, **kwargs)

    return once


def _replay(view, post, first, body: bytes, request, *args, **kwargs):
    """Answer a repeat as the first call was answered (same status, the record as it is now), without acting."""
    if first.fingerprint != submissions.fingerprint(request.method, request.path, body):
        raise KeyReused
    token = submissions.replaying(first.results)
    try:
        response = post(view, request, *args, **kwargs)
    finally:
        submissions.stop_replaying(token)
    response.status_code = first.status_code or response.status_code
    response[submissions.REPLAYED_HEADER] = "true"
    return response


class SavedOnce:
    """Every API view whose POST acts inherits this: sent with an `Idempotency-Key` header, the POST runs once per
    user and key (web.submissions); a repeat with the same body answers as the first did, with the header
    `Idempotent-Replayed: true`, and one with a different body is a 422. The view's actions must be called through
    `run_action`, which hands back the first call's results on a repeat."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "post" in cls.__dict__:
            cls.post = _saved_once(cls.__dict__["post"])


class ActionView(SavedOnce, APIView):
    """POST input to one action on one record the user may see; answer with the record as it is now.

    Subclasses set `input_serializer`, `permission` and `action` (called as
    `action(<record_kwarg>=record, by=user, request=request, **validated_data)`), and write `load` (the visible
    record) and `respond` (the answer's body). Override `perform` only when the input needs turning into objects.
    """

    input_serializer: type[serializers.Serializer]
    permission: Perm
    action = None
    record_kwarg = "referral"

    def load(self, request, pk: int):
        raise NotImplementedError

    def perform(self, request, record, data: dict):
        return run_action(
            type(self).action, **{self.record_kwarg: record}, by=request.user, request=request._request, **data
        )

    def respond(self, request, record, result) -> Response:
        raise NotImplementedError

    def post(self, request, pk: int):
        record = self.load(request, pk)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = self.perform(request, record, data.validated_data)
        return self.respond(request, record, result)


class ServiceParam(serializers.Serializer):
    """Which service, for a person who holds the same role in more than one."""

    service = serializers.SlugField(
        required=False,
        max_length=50,
        help_text="Service slug: needed only when the person holds this role in more than one service",
    )


MAX_ID = 2**63 - 1  # the largest id a database column holds; a larger one names nothing (404), it is not an error
AMBIGUOUS_SERVICE = "This person works in more than one of your services: name the service."


def membership_of_user(memberships, request, user_id: int, service: str | None = None):
    """People are named by user id everywhere in the API; a role lives on a membership (user × service). The one
    membership of `user_id` among `memberships` (those the caller may load), in `service` if named.

    None there: a logged 404 (existence not revealed). More than one and no service named: 400 on `service`.
    """
    rows = memberships.filter(user_id=user_id) if 0 < user_id <= MAX_ID else memberships.none()
    if service:
        rows = rows.filter(service__slug=service)
    found = list(rows[:2])
    if not found:
        log_access(
            action=AccessAction.PERMISSION_DENIED,
            request=request._request,
            object_type="accounts.user",
            object_id=user_id,
            detail={"answer": "404: not found or not visible"},
        )
        raise Http404
    if len(found) > 1:
        raise serializers.ValidationError({"service": [AMBIGUOUS_SERVICE]})
    return found[0]
