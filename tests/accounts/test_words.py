"""One set of words for getting in and out (NHS.UK content guide): sign in, sign out, two-step sign-in."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
MESSAGE_MODULES = [
    Path(settings.BASE_DIR) / "accounts" / "views.py",
    Path(settings.BASE_DIR) / "accounts" / "middleware.py",
]
OLD_WORDS = re.compile(r"\blog[ -]?(?:in|out)s?\b|\blogged (?:in|out)\b", re.IGNORECASE)


def _visible_text(source: str) -> str:
    """Template or Python source without URL names, paths and identifiers (accounts:login, /logout/, login())."""
    source = re.sub(r"\{%[^%]*%\}", "", source)  # template tags: {% url 'accounts:logout' %}
    source = re.sub(r"[\w.:/]*log(?:in|out)[\w./]*\(?", "", source)  # login(), otp_login, /accounts/login/
    return source


def test_templates_say_sign_in_and_sign_out():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in OLD_WORDS.finditer(_visible_text(path.read_text()))
    ]
    assert found == []


def test_messages_say_sign_in():
    found = []
    for path in MESSAGE_MODULES:
        for literal in re.findall(r'messages\.\w+\([^,]+,\s*f?"([^"]+)"', path.read_text()):
            found += [f"{path.name}: {literal}" for _ in OLD_WORDS.finditer(literal)]
    assert found == []


def test_demo_sign_in_page_does_not_promise_a_code(client, db, settings):
    settings.DEMO_MODE = True
    html = client.get(reverse("accounts:login")).content.decode()
    assert "you will be asked for a security code from your authenticator app" not in html
    assert "your password is enough" in html


def test_sign_in_page_outside_demo_says_a_code_follows(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "security code from your authenticator app" in html
    assert ">Sign in</button>" in html
