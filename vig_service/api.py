"""API plumbing: error shapes, the signed-in user, and tokens for verified users only."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.audit import log_access
from accounts.models import AccessAction

from . import errors
from .permissions import memberships_for


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


class MembershipOut(serializers.Serializer):
    service = serializers.CharField()
    service_name = serializers.CharField()
    role = serializers.CharField()
    training_status = serializers.CharField()
    site_ids = serializers.ListField(child=serializers.IntegerField())


class MeOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
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
        data = {"id": user.pk, "username": user.username, "full_name": user.get_full_name(), "memberships": memberships}
        return Response(MeOut(data).data)


class TokenCreateView(APIView):
    """Issue an expiring token (stored hashed by knox) — only to a session that passed the second factor."""

    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "TokenOut", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
            )
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
