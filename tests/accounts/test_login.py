import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessAction, AccessEvent
from tests.conftest import verify_session

PASSWORD = "a-long-test-password"


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def sign_in(client, user, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": password}, **extra)


def test_login_without_device_goes_to_enrolment_outside_demo(client, coordinator):
    response = sign_in(client, coordinator)
    assert response.status_code == 302
    assert response.url == reverse("accounts:mfa_enrol")


def test_family_pages_unreachable_before_second_factor(client, coordinator):
    sign_in(client, coordinator)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:mfa_enrol")


def test_api_refuses_session_without_second_factor(client, coordinator):
    sign_in(client, coordinator)
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_demo_mode_offers_but_does_not_force_mfa(client, coordinator, settings):
    settings.DEMO_MODE = True
    response = sign_in(client, coordinator)
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_enrolment_with_right_code_gives_recovery_codes_and_verifies(client, coordinator):
    sign_in(client, coordinator)
    page = client.get(reverse("accounts:mfa_enrol"))
    assert page.status_code == 200
    assert b"data:image/svg+xml;base64," in page.content
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    response = client.post(reverse("accounts:mfa_enrol"), {"code": totp_now(device)})
    assert response.url == reverse("accounts:mfa_recovery_codes")
    codes_page = client.get(response.url)
    assert codes_page.content.count(b"<li><code>") == 10
    # shown once only
    assert client.get(reverse("accounts:mfa_recovery_codes")).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_enrolment_with_wrong_code_shows_error_next_to_field(client, coordinator):
    sign_in(client, coordinator)
    client.get(reverse("accounts:mfa_enrol"))
    response = client.post(reverse("accounts:mfa_enrol"), {"code": "000000"})
    assert response.status_code == 200
    assert b"The code is not right" in response.content
    assert not TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)


def test_enrolled_user_must_verify_then_gets_in(client, coordinator):
    device = enrolled(coordinator)
    response = sign_in(client, coordinator)
    assert response.url.startswith(reverse("accounts:mfa_verify"))
    assert client.get(reverse("home")).url == reverse("accounts:mfa_verify")
    response = client.post(reverse("accounts:mfa_verify"), {"code": totp_now(device)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_wrong_second_factor_is_logged_as_failed_login(client, coordinator):
    enrolled(coordinator)
    sign_in(client, coordinator)
    response = client.post(reverse("accounts:mfa_verify"), {"code": "123456"})
    assert b"The security code is not right" in response.content
    assert AccessEvent.objects.filter(action=AccessAction.FAILED_LOGIN, user_id=coordinator.pk).exists()


def test_recovery_code_works_once(client, coordinator):
    from accounts.actions import regenerate_recovery_codes

    enrolled(coordinator)
    code = regenerate_recovery_codes(user=coordinator)[0]
    sign_in(client, coordinator)
    assert client.post(reverse("accounts:mfa_verify"), {"code": code}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("accounts:logout"))
    sign_in(client, coordinator)
    response = client.post(reverse("accounts:mfa_verify"), {"code": code})
    assert response.status_code == 200


def test_failed_logins_are_logged_without_password(client, coordinator):
    sign_in(client, coordinator, password="wrong-password")
    event = AccessEvent.objects.get(action=AccessAction.FAILED_LOGIN)
    assert event.username == "coordinator"
    assert "wrong-password" not in str(event.detail)


def test_repeated_failures_lock_only_that_username_and_address(client, coordinator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, coordinator, password="wrong-password", REMOTE_ADDR="203.0.113.9")
    locked = sign_in(client, coordinator, REMOTE_ADDR="203.0.113.9")
    assert locked.status_code == 429
    # the real user at their own desk is not locked out by an attacker elsewhere
    elsewhere = sign_in(client, coordinator, REMOTE_ADDR="198.51.100.20")
    assert elsewhere.status_code == 302


def test_logout_ends_server_side_session(client, coordinator):
    verify_session(client, coordinator)
    session_key = client.session.session_key
    client.post(reverse("accounts:logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("home")).status_code == 302


def test_logout_by_get_is_refused(client, coordinator):
    verify_session(client, coordinator)
    assert client.get(reverse("accounts:logout")).status_code == 405


@pytest.mark.parametrize("key", ["vig_last_seen", "vig_login_at"])
def test_idle_and_absolute_timeouts_sign_out(client, coordinator, settings, key):
    verify_session(client, coordinator)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    limit = (
        settings.SESSION_IDLE_TIMEOUT_SECONDS if key == "vig_last_seen" else settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
    )
    session[key] = int(time.time()) - limit - 5
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, coordinator):
    response = sign_in(client, coordinator)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_login_is_logged(client, coordinator):
    sign_in(client, coordinator)
    assert AccessEvent.objects.filter(action=AccessAction.LOGIN, user_id=coordinator.pk).count() == 1


def test_next_is_kept_through_the_second_factor_and_never_leaves_the_site(client, coordinator):
    device = enrolled(coordinator)
    response = client.post(
        reverse("accounts:login") + "?next=/referrals/search/%3Fname%3Dx%26page%3D2",
        {"username": coordinator.username, "password": PASSWORD, "next": "/referrals/search/?name=x&page=2"},
    )
    assert "next=%2Freferrals%2Fsearch%2F%3Fname%3Dx%26page%3D2" in response.url
    response = client.post(response.url, {"code": totp_now(device), "next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_password_alone_cannot_replace_an_enrolled_authenticator(client, coordinator):
    """An attacker with only the password must not be able to enrol their own app and get in."""
    real = enrolled(coordinator)
    sign_in(client, coordinator)
    response = client.get(reverse("accounts:mfa_enrol"))
    assert response.status_code == 302 and response.url == reverse("accounts:mfa_verify")
    assert client.post(reverse("accounts:mfa_enrol"), {"code": "123456"}).url == reverse("accounts:mfa_verify")
    assert list(TOTPDevice.objects.filter(user=coordinator)) == [real]
    assert client.get(reverse("home")).url == reverse("accounts:mfa_verify")


def test_staff_and_security_pages_need_the_second_factor(client, service_admin):
    enrolled(service_admin)
    sign_in(client, service_admin)
    for name in ("accounts:staff", "accounts:security"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url == reverse("accounts:mfa_verify"), name


def test_client_address_behind_our_proxy_is_the_hop_it_appended(rf, settings):
    from accounts.audit import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.5"  # the forged left-hand entry is ignored
