"""Every link and form a person is shown leads somewhere they may go.

A link that answers 403 tells someone the app is broken, and hides what they can really do. This walks each
standing user's pages from home, breadth-first, following every same-site link (GET) and checking that each
form's page can be opened, and fails on any 403. The data is the demo's: referrals received, awaiting
information, accepted and allocated, in two services, with practitioners, a trainee and a supervisor.
"""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from accounts.models import Membership, Role, Service, Site, User
from tests.conftest import STRICT_TEST_SETTINGS, rows_for_the_module, verify_session
from tests.factories import staff

MAX_PAGES = 120
SKIP_PREFIXES = ("/static/", "/admin/", "/api/", "/accounts/logout/")


class _Targets(HTMLParser):
    """The hrefs of <a> elements (with their accessible names) and the actions of <form> elements on a page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.names: list[tuple[str, str]] = []  # (accessible name, href)
        self.forms: list[str] = []
        self._text: list[str] | None = None
        self._label = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
            self._text, self._label = [], attrs.get("aria-label") or ""
        elif tag == "form":
            self.forms.append(attrs.get("action") or "")

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._text is not None:
            name = self._label or " ".join("".join(self._text).split())
            self.names.append((name, self.links[-1]))
            self._text = None


def ambiguous_links(names: list[tuple[str, str]]) -> list[str]:
    """Link names that lead to different places on one page ("Allocate" on every row): a screen reader's list
    of links cannot tell them apart."""
    hrefs: dict[str, set[str]] = {}
    for name, href in names:
        hrefs.setdefault(name, set()).add(href.split("#")[0])
    return [name for name, targets in hrefs.items() if len(targets) > 1]


def _same_site_path(base: str, href: str) -> str | None:
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.path.startswith(SKIP_PREFIXES):
        return None
    return path


def forbidden_pages(client, start: str = "/") -> list[str]:
    """Walk from `start`; return 'page -> target' for every link or form page that answered 403, and each page's
    link names that lead to more than one place."""
    seen, problems = {start}, []
    queue = deque([(start, "(start)")])
    while queue and len(seen) <= MAX_PAGES:
        path, found_on = queue.popleft()
        response = client.get(path)
        if response.status_code == 403:
            problems.append(f"{found_on} -> {path}")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Targets()
        parser.feed(response.content.decode())
        problems += [f"{path}: several links called {name!r}" for name in ambiguous_links(parser.names)]
        for href in parser.links + [action or path for action in parser.forms]:
            target = _same_site_path(path, href)
            if target and target not in seen:
                seen.add(target)
                queue.append((target, path))
    return problems


@pytest.fixture(scope="module")
def _demo_rows(django_db_setup, django_db_blocker):
    """The demo loaded once for the module's tests (each test is rolled back to it; see `rows_for_the_module`)."""
    with rows_for_the_module(django_db_blocker):
        with override_settings(**{**STRICT_TEST_SETTINGS, "DEMO_MODE": True}):
            call_command("load_demo_data", verbosity=0)
        with override_settings(**STRICT_TEST_SETTINGS):
            service = Service.objects.get(slug="cpft-perinatal-vig")
            peterborough = Site.objects.get(service=service, name="Peterborough")
            staff("site_coordinator", service, Role.COORDINATOR, sites=[peterborough])
            staff("service_admin", service, Role.SERVICE_ADMIN)
        yield service.pk


@pytest.fixture
def demo(db, _demo_rows):
    """The demo's services, staff and families, plus a site coordinator and a service admin of seed 000."""
    return Service.objects.get(pk=_demo_rows)


@pytest.mark.parametrize(
    "username",
    [
        "coordinator",
        "site_coordinator",
        "practitioner",
        "trainee",
        "supervisor",
        "manager",
        "service_admin",
        "admin",
    ],
)
def test_no_page_links_to_a_403(client, demo, username):
    user = User.objects.get(username=username)
    assert Membership.objects.filter(user=user).exists()
    verify_session(client, user)
    problems = forbidden_pages(client)
    assert not problems, "Links or forms leading to 403:\n" + "\n".join(problems)
