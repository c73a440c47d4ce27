"""One pagination for every list: next/previous links, limit capped, no count, an offset past the end is empty."""

from urllib.parse import parse_qs, urlparse

from django.urls import reverse

URL = reverse("api:instrument-list")  # eleven definitions, no family data: a list anyone signed in may read


def _query(link: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}


def test_pages_link_forwards_and_back_without_a_count(login, nobody):
    client = login(nobody)
    first = client.get(URL, {"limit": 4}).json()
    assert set(first) == {"next", "previous", "results"}
    assert len(first["results"]) == 4 and first["previous"] is None
    assert _query(first["next"]) == {"limit": "4", "offset": "4"}
    last = client.get(URL, {"limit": 4, "offset": 8}).json()
    assert len(last["results"]) == 3 and last["next"] is None
    assert _query(last["previous"]) == {"limit": "4", "offset": "4"}
    codes = [r["code"] for page in (0, 4, 8) for r in client.get(URL, {"limit": 4, "offset": page}).json()["results"]]
    assert len(codes) == len(set(codes)) == 11


def test_limit_is_capped_and_odd_values_fall_back(login, nobody):
    client = login(nobody)
    assert len(client.get(URL, {"limit": 10_000}).json()["results"]) == 11  # capped at 200: all eleven
    assert len(client.get(URL, {"limit": "x", "offset": "-3"}).json()["results"]) == 11  # defaults


def test_an_offset_past_any_list_is_an_empty_page_not_a_database_error(login, coordinator):
    for url in (URL, reverse("api:referral-list")):
        body = login(coordinator).get(url, {"offset": 10**30}).json()
        assert body["results"] == [] and body["next"] is None
