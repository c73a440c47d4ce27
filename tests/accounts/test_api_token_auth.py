"""API tokens (accounts.api_auth.TokenAuthentication): knox's check of the token presented, without reading the
user's other tokens on every call; expired ones are still refused, deleted and left to the hourly purge."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from knox.signals import token_expired

from web.tasks import purge_expired_api_tokens


def test_a_call_reads_only_the_token_presented(client, coordinator):
    _, token = AuthToken.objects.create(user=coordinator, expiry=timedelta(hours=1))
    AuthToken.objects.create(user=coordinator, expiry=timedelta(hours=1))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    token_reads = [q["sql"] for q in queries.captured_queries if 'FROM "knox_authtoken"' in q["sql"]]
    assert len(token_reads) == 1


def test_an_expired_token_is_refused_deleted_and_signalled(client, coordinator):
    _, token = AuthToken.objects.create(user=coordinator, expiry=timedelta(seconds=-1))
    heard = []
    token_expired.connect(lambda **kwargs: heard.append(kwargs["username"]), weak=False, dispatch_uid="t-expired")
    try:
        assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    finally:
        token_expired.disconnect(dispatch_uid="t-expired")
    assert not AuthToken.objects.filter(user=coordinator).exists()
    assert heard == [coordinator.username]


def test_other_expired_tokens_are_never_accepted_and_go_in_the_purge(client, coordinator):
    _, live = AuthToken.objects.create(user=coordinator, expiry=timedelta(hours=1))
    _, old = AuthToken.objects.create(user=coordinator, expiry=timedelta(seconds=-1))
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {live}").status_code == 200
    assert AuthToken.objects.filter(user=coordinator).count() == 2  # the other expired token waits for the purge
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {old}").status_code == 401
    AuthToken.objects.create(user=coordinator, expiry=timedelta(seconds=-1))
    purge_expired_api_tokens()
    assert AuthToken.objects.filter(user=coordinator).count() == 1
