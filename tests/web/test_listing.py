"""Long lists cost what a page shows (ADR 0024): counts capped at "2,000+", numbered pages within the cap, keyset
cursors past it, and the API's next/previous links carrying cursors. Walking every page forwards and back must
meet every family exactly once, in order: a family hidden by paging would never be triaged or allocated."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import actions
from referrals.models import Referral
from tests.referrals.helpers import make_referral
from web import listing
from web.listing import Keyset

TRIAGE = reverse("referrals:triage_queue")
WAITING = reverse("referrals:waiting_list")
API = reverse("api:referral-list")


def _families(service, coordinator, count: int, *, accept: bool = False) -> list[Referral]:
    """`count` referrals, two a day (so the id breaks ties), oldest first as the lists show them."""
    today = timezone.localdate()
    made = []
    for n in range(count):
        referral = make_referral(service, coordinator, date_received=today - timedelta(days=40 - n // 2))
        if accept:
            actions.triage_referral(referral=referral, decision="accept", by=coordinator)
        made.append(referral)
    return sorted(made, key=lambda r: (r.date_received, r.pk))


def _refs(html: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r">(R\d{6})</a>", table)


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" class="nhsuk-pagination__\w+" rel="{rel}"', html)
    return unescape(found.group(1)) if found else None


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 3 and a cap of 6, so a dozen families span numbered pages and cursor pages."""
    monkeypatch.setattr("referrals.views.triage.QUEUE_PAGE_SIZE", 3)
    monkeypatch.setattr("referrals.views.allocation.WAITING_PAGE_SIZE", 3)
    monkeypatch.setattr(listing, "COUNT_CAP", 6)


@pytest.mark.parametrize(
    ("url", "table_id", "accept"), [(TRIAGE, "triage-queue", False), (WAITING, "waiting-list", True)]
)
def test_every_family_is_met_once_forwards_and_back(
    login, service, coordinator, small_pages, url, table_id, accept, django_assert_max_num_queries
):
    families = [r.reference for r in _families(service, coordinator, 11, accept=accept)]
    client = login(coordinator)
    html = client.get(url).content.decode()
    assert "6+ " in html  # the capped count: "6+ referrals …"
    seen, pages, link = [], [], url
    while link:
        page = client.get(link if link.startswith("/") else url + link).content.decode()
        pages.append(link)
        seen += _refs(page, table_id)
        link = _link(page, "next")
    assert seen == families
    assert any("after=" in p for p in pages) and any("page=2" in p for p in pages)
    # and back from the last page by the Previous links
    back, link = [], pages[-1]
    while link:
        page = client.get(link if link.startswith("/") else url + link).content.decode()
        back = _refs(page, table_id) + back
        link = _link(page, "prev")
    assert back == families
    # a numbered page and a cursor page cost the same queries
    with django_assert_max_num_queries(100) as numbered:
        client.get(url, {"page": 2})
    with django_assert_max_num_queries(len(numbered.captured_queries)):
        client.get(url + pages[-1])


def test_a_short_list_says_its_exact_count_and_has_no_cursor(login, service, coordinator, small_pages):
    _families(service, coordinator, 4)
    html = login(coordinator).get(TRIAGE).content.decode()
    assert "4 referrals in the triage queue" in html
    assert "after=" not in html


def test_a_malformed_cursor_is_the_first_page_not_an_error(login, service, coordinator, small_pages):
    families = [r.reference for r in _families(service, coordinator, 4)]
    client = login(coordinator)
    for bad in ("x", "2024-13-40.5", ".", "2024-01-01.-3", "2024-01-01.abc"):
        response = client.get(TRIAGE, {"after": bad})
        assert response.status_code == 200
        assert _refs(response.content.decode(), "triage-queue") == families[:3]


@pytest.mark.parametrize(("url", "accept"), [(TRIAGE, False), (WAITING, True), (API, False)])
def test_list_query_count_does_not_grow_with_the_backlog(
    login, service, coordinator, small_pages, url, accept, django_assert_max_num_queries
):
    _families(service, coordinator, 4, accept=accept)
    client = login(coordinator)
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    _families(service, coordinator, 10, accept=accept)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_keyset_orders_both_ways_and_refuses_mixed_directions():
    assert Keyset.of(("date_received", "pk")).order == ("date_received", "pk")
    assert Keyset.of(("-date_received", "-pk")).descending
    with pytest.raises(ValueError):
        Keyset.of(("date_received", "-pk"))


def _query(link: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}


def test_api_list_links_carry_cursors_and_meet_every_family_once(
    login, service, coordinator, django_assert_max_num_queries
):
    families = [r.pk for r in _families(service, coordinator, 7)]
    client = login(coordinator)
    first = client.get(API, {"limit": 3}).json()
    assert set(first) == {"next", "previous", "results"} and first["previous"] is None
    assert set(_query(first["next"])) == {"limit", "after"}
    seen, link, links = [], f"{API}?limit=3", []
    while link:
        with django_assert_max_num_queries(20) as queries:
            body = client.get(link).json()
        links.append(len(queries.captured_queries))
        seen += [r["id"] for r in body["results"]]
        link = body["next"]
    assert seen == families
    assert len(set(links)) == 1  # every page the same queries
    back, link = [], client.get(API, {"limit": 3, "after": _query(first["next"])["after"]}).json()["previous"]
    while link:
        body = client.get(link).json()
        back = [r["id"] for r in body["results"]] + back
        link = body["previous"]
    assert back == families[:3]


def test_api_offset_still_works_and_searches_page_newest_first(login, service, coordinator):
    families = [r.pk for r in _families(service, coordinator, 5)]
    client = login(coordinator)
    assert [r["id"] for r in client.get(API, {"limit": 2, "offset": 2}).json()["results"]] == families[2:4]
    found = client.get(API, {"limit": 2, "name": "Baby"}).json()
    newest = list(reversed(families))
    assert [r["id"] for r in found["results"]] == newest[:2]
    assert [r["id"] for r in client.get(found["next"]).json()["results"]] == newest[2:4]
