"""Writing to the append-only access log.

Every view, list, search, export and download of a family's record, and every log-in, failed log-in and refusal,
goes through `log_access`. The log keeps ids, never values: search terms are stored as a keyed hash.
"""

import hashlib
import hmac

from django.conf import settings

from .models import AccessAction, AccessEvent


def client_ip(request) -> str | None:
    """The caller's address, for the access log and for django-axes' lock-out.

    Behind TRUSTED_PROXY_COUNT proxies, the address is the X-Forwarded-For entry our own outermost proxy
    appended (counting from the right); entries further left are whatever the client sent and are not trusted.
    """
    if request is None:
        return None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or None


def hash_term(term: str) -> str:
    """A keyed hash of a search term, so an auditor can ask 'was X searched?' without the log holding X."""
    normalised = " ".join(str(term).lower().split())
    key = settings.ACCESS_LOG_HASH_KEY.encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()[:32]


def log_access(
    *,
    action: AccessAction | str,
    request=None,
    user=None,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict | None = None,
) -> AccessEvent:
    """Append one row to the access log. Callers pass ids and types only, never personal values."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    event = AccessEvent(
        action=action,
        user_id=user.pk if user else None,
        username=user.get_username() if user else (detail or {}).get("username", ""),
        object_type=object_type,
        object_id=str(object_id) if object_id not in (None, "") else "",
        ip_address=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        detail={k: v for k, v in (detail or {}).items() if k != "username"},
    )
    event.save()
    return event


def log_list(*, request, object_type: str, ids, detail: dict | None = None, action=AccessAction.LIST) -> AccessEvent:
    """Record a list or search page and exactly which records it showed."""
    return log_access(
        action=action,
        request=request,
        object_type=object_type,
        detail={**(detail or {}), "ids_shown": [int(i) for i in ids]},
    )


def get_visible_or_404(queryset, *, request, pk):
    """The record from the user's visible queryset, or a logged refusal and 404 (existence is not revealed)."""
    from django.http import Http404

    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        log_access(
            action=AccessAction.PERMISSION_DENIED,
            request=request,
            object_type=queryset.model._meta.label_lower,
            object_id=pk,
            detail={"answer": "404: not found or not visible"},
        )
        raise Http404 from None
