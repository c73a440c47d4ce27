"""Reads that tolerate a second's lag go to the read replica; everything else stays on the primary (ADR 0017).

With `DATABASE_REPLICA_URL` set, settings add a `replica` database and this router. Nothing goes to the replica
unless code asks for it: a view decorated with `lag_tolerant` (the dashboard and its lists, exports, the audit
viewer, the commissioner return), or a query given `.using(read_alias())` (the background export). Inside such a
view the router still sends a read to the primary when

- the request has written anything (read your own writes): every write the ORM makes asks the router for its
  database first, and that marks the request, except appends to the access log, which nothing in the request reads
  back and which every one of these views makes. A write made with raw SQL (`connection.cursor()`) does not ask
  the router, so lag-tolerant code writes through the ORM (the actions do);
- the model is one whose freshness a request depends on: sessions, API tokens, second factors, sign-in locks.

The request scope (`request_scope`) is opened by `web.middleware.RequestContextMiddleware` for every request, so a
write anywhere in the request (a middleware, the view, a signal) counts. Outside any scope nothing is routed.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
# Appends nobody reads back in the same request: they do not pin the request to the primary.
WRITES_THAT_KEEP_THE_REPLICA = frozenset({"accounts.accessevent", "sessions.session"})
# Always read from the primary: who is signed in, with what, and whether they are locked out.
PRIMARY_ONLY_APPS = frozenset({"sessions", "knox", "otp_totp", "otp_static", "django_otp", "axes"})


@dataclass
class _Scope:
    lag_tolerant: bool = False
    wrote: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("vig_db_scope", default=None)


def replica_configured() -> bool:
    """True when settings name a replica database."""
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """The database for an explicit lag-tolerant read (`.using(read_alias())`): the replica when there is one."""
    return REPLICA if replica_configured() else DEFAULT_DB_ALIAS


@contextmanager
def request_scope() -> Iterator[None]:
    """One request's (or one task's) record of whether it wrote; reset when it ends, so a thread reused by the
    next request starts clean."""
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def lag_tolerant_reads() -> Iterator[None]:
    """Within this block reads may go to the replica (unless the request wrote). Opens a scope if none is open."""
    scope = _scope.get()
    token = None
    if scope is None:
        scope = _Scope()
        token = _scope.set(scope)
    before = scope.lag_tolerant
    scope.lag_tolerant = True
    try:
        yield
    finally:
        scope.lag_tolerant = before
        if token is not None:
            _scope.reset(token)


def lag_tolerant(view):
    """Decorate a view whose reads may lag the primary by a second or so (figures, lists, exports, the audit log)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        with lag_tolerant_reads():
            return view(*args, **kwargs)

    return wrapped


def note_write(label: str) -> None:
    """Mark the current request as having written (its later reads then stay on the primary)."""
    scope = _scope.get()
    if scope is not None and label not in WRITES_THAT_KEEP_THE_REPLICA:
        scope.wrote = True


class ReplicaRouter:
    """`DATABASE_ROUTERS` entry: writes to the primary; lag-tolerant reads to the replica (see the module)."""

    def db_for_read(self, model, **hints):
        """The replica for a read that may lag, else the primary."""
        return REPLICA if self.may_lag(model) and replica_configured() else DEFAULT_DB_ALIAS

    def may_lag(self, model) -> bool:
        """May this read see the data as it was a second ago? (See the module for when it may not.)"""
        scope = _scope.get()
        if scope is None or not scope.lag_tolerant or scope.wrote:
            return False
        return model._meta.app_label not in PRIMARY_ONLY_APPS

    def db_for_write(self, model, **hints):
        """Always the primary; and the request has now written (see `note_write`)."""
        note_write(model._meta.label_lower)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        """Rows from either database may be related."""
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        """Migrations run on the primary; the replica follows by streaming."""
        return db == DEFAULT_DB_ALIAS
