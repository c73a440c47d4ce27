"""The page header drawn in Python (`web.templatetags.page_chrome.site_header`) gives byte for byte what
`base.html`'s header block drew (kept beside this test): signed in and out, every role's menu with and without a
current page, no menu, hostile names, and a view that made no CSRF token. Then through real pages."""

from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from tests.conftest import verify_session
from web.context_processors import site_settings
from web.templatetags.page_chrome import site_header

OLD_HEADER = Template((Path(__file__).parent / "site_header_before.html").read_text(encoding="utf-8"))
HOSTILE = "<script>alert(\"x\")</script> & 'q'"


class _SignedIn:
    is_authenticated = True

    def __init__(self, display_name):
        self.display_name = display_name


class _SignedOut:
    is_authenticated = False


MENU = [
    {"label": "Home", "url": "/", "current": False},
    {"label": "Triage queue", "url": "/referrals/triage/", "current": True},
    {"label": HOSTILE, "url": "/x/?a=1&b=<2>", "current": False},
    {"label": "Audit & <log>", "url": "/audit/?q=\"'", "current": True},
]


@pytest.mark.parametrize(
    "context",
    [
        {},
        {"user": _SignedOut(), "nav_items": [], "service_name": "VIG Service"},
        {"user": None, "nav_items": MENU},
        {"user": _SignedIn("Alex Practitioner"), "nav_items": MENU, "csrf_token": "t0k", "service_name": "VIG Service"},
        {"user": _SignedIn(HOSTILE), "nav_items": MENU[:1], "csrf_token": HOSTILE, "service_name": HOSTILE},
        {"user": _SignedIn("Sam"), "nav_items": MENU[1:2], "csrf_token": ""},
        {"user": _SignedIn(""), "nav_items": MENU, "service_name": ""},
    ],
)
def test_the_header_as_the_block_drew_it(context):
    assert site_header(Context(context)) == OLD_HEADER.render(Context(context))


def test_a_view_that_opted_out_of_csrf_draws_no_token():
    """Django's `{% csrf_token %}` draws nothing for "NOTPROVIDED" (and warns doing it, so it is not compared)."""
    html = site_header(Context({"user": _SignedIn("Sam"), "nav_items": [], "csrf_token": "NOTPROVIDED"}))
    assert "csrfmiddlewaretoken" not in html
    assert html == site_header(Context({"user": _SignedIn("Sam"), "nav_items": [], "csrf_token": ""}))


@pytest.mark.django_db
def test_every_roles_menu_as_the_block_drew_it(coordinator, practitioner, supervisor, manager, service_admin, nobody):
    """The real menu of each role (and of someone with none), on a page of its own and others."""
    factory = RequestFactory()
    for user in (coordinator, practitioner, supervisor, manager, service_admin, nobody):
        for path in ("/", "/referrals/triage/", "/referrals/search/", "/nowhere/"):
            request = factory.get(path)
            request.user = user
            context = {**site_settings(request), "user": user, "csrf_token": "abc123"}
            assert site_header(Context(context)) == OLD_HEADER.render(Context(context)), (user, path)


def test_a_signed_in_page_shows_the_header(client, coordinator):
    """Through the whole stack: the sign-out form carries the request's real token and the current page is marked."""
    user = coordinator
    verify_session(client, user)
    response = client.get("/referrals/triage/", secure=True)
    html = response.content.decode()
    assert response.status_code == 200
    token = response.context["csrf_token"]
    assert f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">' in html
    assert 'href="/referrals/triage/" aria-current="page"' in html
    assert f"              {user.display_name}\n" in html
