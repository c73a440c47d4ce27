from datetime import timedelta

from django.utils import timezone
from knox.models import AuthToken

from tests.conftest import verify_session


def test_me_shows_memberships(login, site_coordinator, peterborough):
    data = login(site_coordinator).get("/api/v1/me/").json()
    assert data["username"] == "site_coordinator"
    assert data["memberships"][0]["role"] == "coordinator"
    assert data["memberships"][0]["site_ids"] == [peterborough.pk]


def test_me_names_staff_without_a_first_or_last_name(login, site_coordinator):
    site_coordinator.first_name = site_coordinator.last_name = ""
    site_coordinator.save(update_fields=["first_name", "last_name"])
    data = login(site_coordinator).get("/api/v1/me/").json()
    assert data["full_name"] == "" and data["name"] == "site_coordinator"


def test_api_without_login_is_refused(client, db):
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_token_issued_only_after_second_factor(client, coordinator):
    client.force_login(coordinator)
    assert client.post("/api/v1/auth/token/").status_code in (401, 403)
    verify_session(client, coordinator)
    response = client.post("/api/v1/auth/token/")
    assert response.status_code == 201
    token = response.json()["token"]
    stored = AuthToken.objects.get(user=coordinator)
    assert token not in (stored.digest, stored.token_key)  # stored hashed
    assert stored.expiry < timezone.now() + timedelta(hours=9)


def test_token_authenticates_and_can_be_revoked(client, coordinator):
    verify_session(client, coordinator)
    token = client.post("/api/v1/auth/token/").json()["token"]
    client.logout()
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client.get("/api/v1/me/", **headers).status_code == 200
    assert client.post("/api/v1/auth/token/revoke/", **headers).status_code == 204
    assert client.get("/api/v1/me/", **headers).status_code == 401


def test_expired_token_refused(client, coordinator):
    instance, token = AuthToken.objects.create(user=coordinator, expiry=timedelta(seconds=-1))
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


def test_schema_and_docs_are_served(login, coordinator):
    client = login(coordinator)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    assert client.get("/api/v1/docs/").status_code == 200


def test_openapi_schema_is_valid_with_no_warnings(tmp_path, db):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/referrals/{id}/allocate/" in (tmp_path / "schema.yml").read_text()
