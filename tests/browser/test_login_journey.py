"""Journey: first log-in with two-step enrolment, log out, log in again with a code. Every page must pass axe."""

from urllib.parse import urlparse

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    allow_code_reuse,
    click_and_wait,
    confirmed_device,
    enrol_with_shown_key,
    log_out,
    sign_in,
    submit_code,
    submit_password,
    totp_code,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def test_new_user_enrols_logs_out_and_logs_in_again(page, live_server, axe_check, coordinator):
    # Log-in page
    page.goto(live_server.url + reverse("accounts:login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    axe_check(page)

    # Password → no device yet, so enrolment
    submit_password(page, live_server, coordinator.username)
    assert path_of(page) == reverse("accounts:mfa_enrol")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    axe_check(page)

    # Enrol with the key shown on the page → recovery codes, shown once
    secret = enrol_with_shown_key(page)
    assert path_of(page) == reverse("accounts:mfa_recovery_codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    axe_check(page)

    # Continue to home
    click_and_wait(page.get_by_role("link", name="I have kept my codes safe"))
    assert path_of(page) == reverse("home")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    axe_check(page)

    # Log out from the header → back to log-in
    log_out(page)
    assert path_of(page) == reverse("accounts:login")
    axe_check(page)

    # Log in again: now enrolled, so the verify page
    submit_password(page, live_server, coordinator.username)
    assert path_of(page) == reverse("accounts:mfa_verify")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    axe_check(page)

    # The code from enrolment is spent for this 30-second step (django-otp remembers the step it last accepted, as
    # `last_t`). A person would wait for the app's next code; we rewind `last_t` via the ORM instead of sleeping.
    allow_code_reuse(TOTPDevice.objects.get(user=coordinator, confirmed=True))
    submit_code(page, totp_code(secret))
    assert path_of(page) == reverse("home")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    expect(page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out")).to_be_visible()
    axe_check(page)


def test_wrong_code_on_verify_page_is_shown_next_to_field_and_in_summary(page, live_server, axe_check, coordinator):
    device = allow_code_reuse(confirmed_device(coordinator))
    wrong_code = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"  # never the current code
    message = "The security code is not right. Enter the newest code from your app."

    submit_password(page, live_server, coordinator.username)
    assert path_of(page) == reverse("accounts:mfa_verify")
    submit_code(page, wrong_code)
    assert path_of(page) == reverse("accounts:mfa_verify")

    # Error summary at the top, focused so screen readers announce it, linking to the field
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    expect(summary.get_by_role("link", name=message)).to_be_visible()

    # The same message next to the field, and tied to it for assistive technology
    field = page.get_by_label("Security code")
    error = page.locator(".nhsuk-form-group--error .nhsuk-error-message")
    expect(error).to_have_text(f"Error: {message}")
    assert error.get_attribute("id") in field.get_attribute("aria-describedby").split()
    expect(field).to_have_attribute("aria-invalid", "true")
    axe_check(page)

    summary.get_by_role("link", name=message).click()
    expect(field).to_be_focused()


def test_sign_in_helper_enrols_then_verifies_within_one_time_step(page, live_server, axe_check, coordinator):
    """The helper later journeys rely on: enrolment path, then the verify path straight after (same 30s step)."""
    sign_in(page, live_server, coordinator, enrol=True)
    assert path_of(page) == reverse("home")
    log_out(page)
    sign_in(page, live_server, coordinator)
    assert path_of(page) == reverse("home")
    axe_check(page)
