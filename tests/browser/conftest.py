"""Browser-test harness: Debian's Chromium driven by Playwright, axe-core checks, and log-in helpers.

A journey test looks like this:

    pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

    def test_something(page, live_server, axe_check, coordinator):
        sign_in(page, live_server, coordinator)  # password + second factor, lands on home
        axe_check(page)
        ...

Every page a journey visits should go through `axe_check(page)`: it fails the test on any WCAG 2.2 AA violation.
"""

import base64
import os
from collections.abc import Callable, Iterator
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test.utils import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Locator, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from accounts.mfa import AUTHENTICATOR_DEVICE_NAME
from tests.services import chromium_path

PASSWORD = "a-long-test-password"

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# --- Server and browser ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(request) -> Iterator[LiveServer]:
    """pytest-django's live server, started with plain-http settings.

    Django's SecurityMiddleware reads SECURE_SSL_REDIRECT (and HSTS) once, when the server thread builds its handler,
    which happens before any function-scoped `settings` fixture runs; without this every page would redirect to
    https and Chromium would fail with ERR_SSL_PROTOCOL_ERROR. The override only lasts while the server starts, so
    it does not leak into other tests; the cookie `Secure` flags are read per request and tests/conftest.py turns
    them off for every test.
    """
    address = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0):
        server = LiveServer(address)  # returns once the server thread has loaded its middleware
    yield server
    server.stop()


# --- Browser -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole run (launching takes about a second). Skips locally / fails in CI if missing."""
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab in a fresh context (no cookies shared between tests), 1280×900."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


# --- Accessibility -----------------------------------------------------------------------------------------------

_axe = Axe()


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the current page, limited to WCAG 2.0/2.1/2.2 A and AA rules."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return _axe.run(page, options=options).response["violations"]


def format_violations(violations: list[dict]) -> str:
    """One readable line per rule: id, impact, help text, and the first three offending elements."""
    lines = []
    for violation in violations:
        targets = [" ".join(str(part) for part in node["target"]) for node in violation["nodes"]]
        more = f" (+{len(targets) - 3} more)" if len(targets) > 3 else ""
        lines.append(
            f"- {violation['id']} [{violation['impact']}]: {violation['help']}\n"
            f"    at {'; '.join(targets[:3])}{more}\n"
            f"    {violation['helpUrl']}"
        )
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail the test if axe finds any WCAG A/AA violation on the page as it is now."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(
            f"{len(violations)} accessibility violation(s) on {urlparse(page.url).path}:\n"
            + format_violations(violations),
            pytrace=False,
        )


@pytest.fixture
def axe_check() -> Callable[[Page], None]:
    """`axe_check(page)` → fails the test on any WCAG 2.2 AA violation on the current page."""
    return assert_accessible


# --- Second factor -----------------------------------------------------------------------------------------------


def totp_code(key: TOTPDevice | str | bytes) -> str:
    """The current 6-digit code for a device, a base32 key as shown to people (padding optional), or raw bytes."""
    if isinstance(key, TOTPDevice):
        totp = TOTP(key.bin_key, key.step, key.t0, key.digits, key.drift)
    else:
        if isinstance(key, str):
            key = base64.b32decode(key + "=" * (-len(key) % 8))
        totp = TOTP(key)
    return f"{totp.token():06d}"


def allow_code_reuse(device: TOTPDevice) -> TOTPDevice:
    """Forget the last accepted time step and any throttling, so the current code works again.

    django-otp refuses a code from a step it has already accepted (`last_t`), and delays after wrong codes. A
    real person waits for their app's next code; tests rewind the device instead of sleeping up to 30 seconds.
    """
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return device


def confirmed_device(user) -> TOTPDevice:
    """The user's confirmed authenticator device, created if they have none (as if they had enrolled earlier)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_DEVICE_NAME, confirmed=True)
    return device


# --- Log-in steps ------------------------------------------------------------------------------------------------


def click_and_wait(target: Locator) -> None:
    """Click a link or submit button and wait until the page it leads to has loaded (avoids racing the old page)."""
    with target.page.expect_navigation():
        target.click()


def submit_password(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    """Submit a username and password on the log-in page (opened unless the browser is already on it).

    Leaves the browser on whatever comes next: verify, enrolment, or the log-in page again with an error.
    """
    if urlparse(page.url).path != reverse("accounts:login"):
        page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    click_and_wait(page.get_by_role("main").get_by_role("button", name="Sign in"))


def submit_code(page: Page, code: str) -> None:
    """Type a code into the 'Security code' field (enrolment or verify page) and submit it."""
    page.get_by_label("Security code").fill(code)
    click_and_wait(page.locator("main form button[type=submit]"))


def enrol_with_shown_key(page: Page) -> str:
    """On the enrolment page: read the key from #totp-secret, enter its current code. Returns the key."""
    secret = page.locator("#totp-secret").inner_text().strip()
    submit_code(page, totp_code(secret))
    return secret


def sign_in(page: Page, live_server, user, password: str = PASSWORD, *, enrol: bool = False) -> None:
    """Log `user` in through the browser with both factors; ends on the page after log-in (home by default).

    By default uses the user's confirmed TOTP device (creating one if they have none), rewound so its current code
    is accepted even if a code from this 30-second step was used already. With `enrol=True` a user without a device
    goes through enrolment instead (key → code → recovery codes → continue).
    """
    device = None if enrol else allow_code_reuse(confirmed_device(user))
    submit_password(page, live_server, user.username, password)
    path = urlparse(page.url).path
    if path == reverse("accounts:mfa_enrol"):
        enrol_with_shown_key(page)
        click_and_wait(page.get_by_role("link", name="I have kept my codes safe"))
    else:
        assert path == reverse("accounts:mfa_verify"), f"expected the second-factor page, got {page.url}"
        device = device or allow_code_reuse(confirmed_device(user))
        submit_code(page, totp_code(device))
    assert urlparse(page.url).path not in {
        reverse("accounts:mfa_verify"),
        reverse("accounts:mfa_enrol"),
    }, "the security code was refused"


def log_out(page: Page) -> None:
    """Press the header's 'Sign out' button."""
    click_and_wait(page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out"))
