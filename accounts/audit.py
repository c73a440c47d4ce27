"""Writing to the append-only access log.

Every view, list, search, export and download of a family's record, and every log-in, failed log-in and refusal,
goes through `log_access`. The log keeps ids, never values: search terms are stored as a keyed hash.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import connections, router
from django.db.models.sql import InsertQuery

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
    _append(event)
    return event


_insert_sql: dict[str, tuple[str, tuple]] = {}


def _append(event: AccessEvent) -> None:
    """`event.save()` for a new row, with its INSERT compiled once per database: every page view writes one, and
    Django's save built and compiled the statement each time (about 250 Python calls of every request, issue 20).
    The values are prepared as Django's insert prepares them (`get_db_prep_save` of each field's `pre_save`) and
    the id comes back as `save` gives it. No signal is sent: nothing listens for the log's rows (a test says so);
    a database that cannot return the id from the INSERT falls back to `save`."""
    alias = router.db_for_write(AccessEvent, instance=event)
    connection = connections[alias]
    if not connection.features.can_return_columns_from_insert:
        event.save(using=alias)
        return
    compiled = _insert_sql.get(alias)
    if compiled is None:
        columns = tuple(field for field in AccessEvent._meta.concrete_fields if not field.primary_key)
        query = InsertQuery(AccessEvent)
        query.insert_values(columns, [event])
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = [AccessEvent._meta.pk]
        ((sql, _params),) = compiler.as_sql()
        compiled = _insert_sql[alias] = (sql, columns)
    sql, columns = compiled
    params = [field.get_db_prep_save(field.pre_save(event, True), connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (event.pk,) = cursor.fetchone()
    event._state.adding = False
    event._state.db = alias


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
