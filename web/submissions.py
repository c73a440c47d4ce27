"""Saved once: a page form or an API call that is sent twice makes one record, and the second send lands on the
first one's result with a plain message.

Back and resubmit, a double click, a dropped connection retried: each sends the same thing again. Refusing the
second ("Cycle 2 was already signed off") tells someone who has just saved that something went wrong, and invites
them to enter it again. So:

- **Pages.** `web.pages.form_action_page` gives every form a hidden one-time token (`TOKEN_FIELD`), signed for the
  user who opened the form and valid for `MAX_AGE`. The token is claimed (a `Submission` row, unique per user) in
  the same transaction as the action, with the page the action went on to. A second POST with a claimed token does
  not run the action: it is sent to that page with "This was already saved. Here it is." A token that is forged,
  too old, or someone else's is refused and the form is shown again, filled in, with a fresh token. A POST without
  a token (a page rendered before this release, a script) runs as before.
- **API.** A POST that carries an `Idempotency-Key` header claims the key the same way (unique per user). A repeat
  with the same key and the same body answers as the first did, with the same status and the record as it is
  now, and the header `Idempotent-Replayed: true`; a repeat with the same key and a different body is a 422.

Nothing here holds personal data: a random nonce or a hash of the client's key, a keyed hash of the body, ids and
URLs. Rows are purged after `KEEP_FOR` by a beat task (`web.tasks.purge_used_submissions`), which is longer than
any token lives.
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from datetime import timedelta

from django import forms
from django.apps import apps
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.http.request import RawPostDataException
from django.shortcuts import resolve_url
from django.utils import timezone

from .models import Submission

TOKEN_FIELD = "submission_token"
MAX_AGE = timedelta(days=1)  # a form left open longer is shown again with a fresh token
KEEP_FOR = timedelta(days=2)  # > MAX_AGE: a claim is never purged while its token could still be sent
SALT = "web.submissions.form-token"
ALREADY_SAVED = "This was already saved. Here it is."
TOKEN_REFUSED = (
    "This form was opened too long ago, or in someone else's session, so it was not saved. "
    "Check the details and save again."
)
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


class AlreadySaved(Exception):
    """This token or key was claimed by an earlier submission; `first` is its row."""

    def __init__(self, first: Submission):
        super().__init__(ALREADY_SAVED)
        self.first = first


class TokenRefused(Exception):
    """The form's token is forged, expired or another user's: the form is shown again to be checked and sent."""


# ---------------------------------------------------------------------------------------------------------------
# Page forms
# ---------------------------------------------------------------------------------------------------------------


def issue_token(user) -> str:
    """A fresh one-time token for a form the user is about to see: a random nonce signed with their id."""
    return signing.dumps({"n": secrets.token_urlsafe(24), "u": user.pk}, salt=SALT)


def add_token_field(form, request) -> None:
    """Give a page form its hidden one-time token: a bound form keeps the token it was sent with (it is claimed
    only when the action succeeds), an unbound one gets a fresh token."""
    form.fields[TOKEN_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput)
    if not form.is_bound or not form.data.get(TOKEN_FIELD):
        renew_token(form, request)


def renew_token(form, request) -> None:
    """Put a fresh token in the form (after a refused one), so the form as shown again can be sent."""
    token = issue_token(request.user)
    form.fields[TOKEN_FIELD].initial = token
    form.initial = {**form.initial, TOKEN_FIELD: token}  # over a token kept in a restored draft
    if form.is_bound:
        form.data = form.data.copy()
        form.data[TOKEN_FIELD] = token


def take_token(form) -> dict:
    """Take the token out of a valid form's cleaned data (it is plumbing, never an action's argument, and forms'
    own helpers read their cleaned data whole); the cleaned data."""
    form.cleaned_data.pop(TOKEN_FIELD, None)
    return form.cleaned_data


def form_nonce(request) -> str | None:
    """The nonce of the token this POST carries; None without one; TokenRefused when it is not a token this user
    was given in the last `MAX_AGE`."""
    token = request.POST.get(TOKEN_FIELD, "")
    if not token:
        return None
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise TokenRefused(TOKEN_REFUSED) from None
    if not isinstance(payload, dict) or payload.get("u") != request.user.pk or not isinstance(payload.get("n"), str):
        raise TokenRefused(TOKEN_REFUSED)
    return payload["n"][:64]


def earlier_form_submission(request) -> Submission | None:
    """The first submission of this POST's form token by this user, if it was already saved (a bad token: None,
    and the save refuses it)."""
    if request.method != "POST":
        return None
    try:
        nonce = form_nonce(request)
    except TokenRefused:
        return None
    if nonce is None:
        return None
    return Submission.objects.filter(user=request.user, kind=Submission.Kind.FORM, key=nonce).first()


def save_form_once(request, perform: Callable[[], object], success_url: str | Callable[[object], str]):
    """Run `perform` once for this POST's form token, in one transaction with the token's claim; returns
    (result, the page to go to). Raises AlreadySaved (the first submission's row) or TokenRefused."""
    nonce = form_nonce(request)
    with transaction.atomic():
        claim = _claim(request, Submission.Kind.FORM, nonce) if nonce else None
        result = perform()
        url = resolve_url(success_url(result) if callable(success_url) else success_url)
        if claim is not None:
            claim.result_url = url
            claim.results = references(result)
            claim.save(update_fields=["result_url", "results"])
    return result, url


def _claim(request, kind: str, key: str, fingerprint: str = "") -> Submission:
    """Insert the claim (a second sender waits on the unique index until the first commits); AlreadySaved if it
    was claimed first."""
    try:
        with transaction.atomic():
            return Submission.objects.create(
                kind=kind, key=key, user=request.user, path=request.path[:500], fingerprint=fingerprint
            )
    except IntegrityError:
        first = Submission.objects.get(user=request.user, kind=kind, key=key)
        raise AlreadySaved(first) from None


# ---------------------------------------------------------------------------------------------------------------
# API calls
# ---------------------------------------------------------------------------------------------------------------


def key_problem(key: str) -> str | None:
    """Why an Idempotency-Key header cannot be used, or None."""
    if not key or len(key) > MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        return f"Send 1 to {MAX_KEY_LENGTH} visible ASCII characters (a UUID is best), no spaces."
    return None


def key_hash(key: str) -> str:
    """The client's key is stored only as a hash."""
    return hashlib.sha256(key.encode()).hexdigest()


def fingerprint(method: str, path: str, body: bytes) -> str:
    """A keyed hash of what was sent, to tell a true repeat from a different request under the same key."""
    message = method.encode() + b"\n" + path.encode() + b"\n" + body
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def body_of(request) -> bytes:
    """What was sent, for the fingerprint: the raw body, or (when a multipart body was already read, by the CSRF
    check of a signed-in session) its fields and its files' names and sizes."""
    try:
        return request._request.body
    except RawPostDataException:
        data = request.data
        fields = sorted(
            (name, [f"{getattr(v, 'name', v)}:{getattr(v, 'size', '')}" for v in data.getlist(name)]) for name in data
        )
        return json.dumps(fields).encode()


def claim_api_key(request, key: str, body: bytes) -> Submission:
    """Claim the key for this call (inside the caller's transaction), or AlreadySaved with the first call's row."""
    return _claim(request, Submission.Kind.API, key_hash(key), fingerprint(request.method, request.path, body))


# While an API call runs, what its actions return is recorded here (`record_result`), and while it is replayed the
# first call's results are handed back instead of running the actions again (`replayed_result`).
_recording: ContextVar[list | None] = ContextVar("submission_recording", default=None)
_replaying: ContextVar[list | None] = ContextVar("submission_replaying", default=None)


def recording():
    """Start recording what the call's actions return; the token to pass to `stop`."""
    return _recording.set([])


def recorded(token) -> list:
    results = _recording.get() or []
    _recording.reset(token)
    return results


def replaying(results: list):
    """Answer the call with these results instead of running its actions; the token to pass to `stop_replaying`."""
    return _replaying.set([restore(ref) for ref in results])


def stop_replaying(token) -> None:
    _replaying.reset(token)


NOT_REPLAYING = object()


def replayed_result():
    """The next result of the call being replayed, or NOT_REPLAYING."""
    queue = _replaying.get()
    if queue is None:
        return NOT_REPLAYING
    return queue.pop(0) if queue else None


def record_result(result) -> None:
    """Keep what an action returned (as ids) for a replay of the call, when the call is recorded."""
    queue = _recording.get()
    if queue is not None:
        queue.append(references(result))


# ---------------------------------------------------------------------------------------------------------------
# Results as ids
# ---------------------------------------------------------------------------------------------------------------


def references(result):
    """What an action returned, as JSON with model instances as [label, id]: no field values are kept."""
    if isinstance(result, models.Model):
        return {"model": result._meta.label_lower, "id": result.pk}
    if isinstance(result, list | tuple):
        return {"list": [references(item) for item in result], "tuple": isinstance(result, tuple)}
    if isinstance(result, dict):
        return {"dict": {str(k): references(v) for k, v in result.items()}}
    if result is None or isinstance(result, bool | int):
        return {"value": result}
    return {"value": None}  # anything else (text) is not kept: it could be personal


def restore(ref):
    """The inverse of `references`, loading model instances again (as they are now)."""
    if not isinstance(ref, dict):
        return None
    if "model" in ref:
        return apps.get_model(ref["model"])._default_manager.filter(pk=ref["id"]).first()
    if "list" in ref:
        items = [restore(item) for item in ref["list"]]
        return tuple(items) if ref.get("tuple") else items
    if "dict" in ref:
        return {k: restore(v) for k, v in ref["dict"].items()}
    return ref.get("value")


def purge_used(now=None) -> int:
    """Claims older than `KEEP_FOR` guard nothing (their tokens expired); delete them."""
    now = now or timezone.now()
    deleted, _ = Submission.objects.filter(created_at__lt=now - KEEP_FOR).delete()
    return deleted
