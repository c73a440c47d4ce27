"""Journey: signing in through the trust's OpenID Connect provider, in Chromium, against a real provider.

The provider is panva's certified `oidc-provider` (tests/oidc_provider/), started on loopback for this module.
Each case checks where the person lands and the access-log row that says what happened (issue 23, ADR 0028).
"""

from urllib.parse import urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import AccessAction, AccessEvent, ProviderIdentity, User
from tests.browser.conftest import allow_code_reuse, click_and_wait, confirmed_device, log_out, submit_code, totp_code
from tests.services import OpenIDProvider

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "555000111222"  # the person's stable identifier at the provider


@pytest.fixture(scope="module")
def provider(live_server):
    running = OpenIDProvider(live_server.url)
    yield running
    running.stop()


@pytest.fixture
def oidc(settings, provider):
    """This install names the test provider, and skips our second step only for AAL3 (CIS2's smartcard level)."""
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_DISCOVERY_URL = ""
    settings.OIDC_RP_CLIENT_ID = provider.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = provider.CLIENT_SECRET
    settings.OIDC_REQUIRED_ACR = ["AAL3_ANY"]
    settings.OIDC_ACR_CLAIM = "acr"
    settings.OIDC_ACR_VALUES = "AAL3_ANY AAL1_USERPASS"  # as CIS2 asks: the provider then states the acr it met
    csp = {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]}
    csp["form-action"] = [*csp["form-action"], provider.issuer]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": csp}
    yield provider
    provider.knobs(reset=True)


@pytest.fixture
def linked(coordinator, oidc):
    """The coordinator's account, linked by an admin to their identity at the provider."""
    ProviderIdentity.objects.create(user=coordinator, issuer=oidc.issuer, subject=SUBJECT, confirmed=True)
    return coordinator


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def last_event(action) -> AccessEvent:
    return AccessEvent.objects.filter(action=action).order_by("-pk").first()


def start_at_provider(page: Page, live_server) -> None:
    page.goto(live_server.url + reverse("accounts:login"))
    click_and_wait(page.get_by_role("link", name="Sign in with NHS Care Identity Service"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")


def at_provider_sign_in_as(page: Page, subject: str, acr: str = "AAL3_ANY") -> None:
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Assurance").select_option(acr)
    click_and_wait(page.get_by_role("button", name="Continue"))


def provider_sign_in(page: Page, live_server, subject: str = SUBJECT, acr: str = "AAL3_ANY") -> None:
    start_at_provider(page, live_server)
    at_provider_sign_in_as(page, subject, acr)


def refused(reason: str) -> AccessEvent:
    event = last_event(AccessAction.FAILED_LOGIN)
    assert event is not None and event.detail == {"stage": "provider", "reason": reason} | (
        {"subject_hash": event.detail["subject_hash"]} if reason == "unknown identity" else {}
    ), event.detail
    return event


def expect_back_at_sign_in_with_error(page: Page) -> None:
    assert path_of(page) == reverse("accounts:login")
    expect(page.get_by_text("Signing in with NHS Care Identity Service did not work")).to_be_visible()


def test_signs_in_with_assurance_lands_home_with_roles_then_signs_out_here_and_there(
    page, live_server, axe_check, linked
):
    page.goto(live_server.url + reverse("accounts:login"))
    axe_check(page)
    provider_sign_in(page, live_server)

    # AAL3 asserted: no second step of ours; home with the coordinator's own sections
    assert path_of(page) == reverse("home")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    expect(page.get_by_role("link", name="Triage queue").first).to_be_visible()
    axe_check(page)
    login = last_event(AccessAction.LOGIN)
    assert login.user_id == linked.pk and login.detail == {"method": "provider", "assurance": "met"}

    # Sign out: ends our session, then the provider's (its own confirmation page), back to our sign-in page
    log_out_at_provider(page)
    assert path_of(page) == reverse("accounts:login")
    assert last_event(AccessAction.LOGOUT).user_id == linked.pk
    page.goto(live_server.url + reverse("home"))
    assert path_of(page) == reverse("accounts:login")

    # The provider's session ended too: signing in again asks who you are rather than passing straight through
    start_at_provider(page, live_server)
    expect(page.get_by_label("Subject")).to_be_visible()


def log_out_at_provider(page: Page) -> None:
    log_out(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out of the test provider?")
    click_and_wait(page.get_by_role("button", name="Yes, sign me out"))


def test_unknown_identity_gets_a_plain_page_and_no_account(page, live_server, axe_check, linked):
    users = User.objects.count()
    provider_sign_in(page, live_server, subject="999000999000")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is not set up yet")
    expect(page.locator("#provider-subject")).to_have_text("999000999000")
    expect(page.get_by_text("Ask a service admin of your VIG service to link it")).to_be_visible()
    axe_check(page)
    assert User.objects.count() == users
    refused("unknown identity")
    page.goto(live_server.url + reverse("home"))
    assert path_of(page) == reverse("accounts:login")


def test_same_subject_from_another_issuer_is_unknown(page, live_server, linked):
    ProviderIdentity.objects.filter(user=linked).update(issuer="https://elsewhere.example")
    provider_sign_in(page, live_server)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is not set up yet")
    refused("unknown identity")


def test_tampered_state_is_refused(page, live_server, linked, oidc):
    oidc.knobs(forgeState=True)
    provider_sign_in(page, live_server)
    expect_back_at_sign_in_with_error(page)
    refused("state mismatch")


def test_tampered_nonce_is_refused(page, live_server, linked, oidc):
    oidc.knobs(forgeNonce=True)
    provider_sign_in(page, live_server)
    expect_back_at_sign_in_with_error(page)
    refused("nonce mismatch")


def test_replayed_answer_and_replayed_code_are_refused(page, live_server, linked, browser, oidc):
    provider_sign_in(page, live_server)
    assert path_of(page) == reverse("home")
    answer = oidc.last_callback()

    # The same answer again in the same browser: its state is spent (refused and logged; still the same person)
    page.goto(answer)
    refused("state mismatch")
    assert path_of(page) == reverse("home")

    # The spent code with a fresh state, from another browser: the provider refuses it
    oidc.knobs(replayLastCode=True)
    context = browser.new_context(locale="en-GB")
    other = context.new_page()
    provider_sign_in(other, live_server)
    expect_back_at_sign_in_with_error(other)
    refused("code refused")
    context.close()


def test_expired_code_is_refused(page, live_server, linked, oidc):
    oidc.knobs(codeTtlSeconds=1, holdAnswerMs=2500)  # the browser is slow to come back: the code has expired
    provider_sign_in(page, live_server)
    expect_back_at_sign_in_with_error(page)
    refused("code refused")


def test_token_signed_by_another_key_is_refused(page, live_server, linked, oidc):
    oidc.knobs(publishOtherKey=True)
    provider_sign_in(page, live_server)
    expect_back_at_sign_in_with_error(page)
    refused("bad signature")
    assert not AccessEvent.objects.filter(action=AccessAction.LOGIN).exists()


def test_insufficient_assurance_still_asks_for_our_second_step(page, live_server, axe_check, linked):
    device = allow_code_reuse(confirmed_device(linked))
    provider_sign_in(page, live_server, acr="AAL1_USERPASS")
    assert path_of(page) == reverse("accounts:mfa_verify")
    assert last_event(AccessAction.LOGIN).detail == {"method": "provider", "assurance": "not met"}
    page.goto(live_server.url + reverse("referrals:triage_queue"))
    assert path_of(page) == reverse("accounts:mfa_verify")
    axe_check(page)
    submit_code(page, totp_code(device))
    assert path_of(page) == reverse("home")


def test_insufficient_assurance_without_an_app_must_set_one_up(page, live_server, linked):
    provider_sign_in(page, live_server, acr="AAL1_USERPASS")
    assert path_of(page) == reverse("accounts:mfa_enrol")


def test_unlinked_identity_no_longer_signs_in(page, live_server, linked):
    ProviderIdentity.objects.filter(user=linked).update(confirmed=False)
    provider_sign_in(page, live_server)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is not set up yet")
