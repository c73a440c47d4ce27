"""A name search finds the family however its name was written or is typed now: case, spaces, hyphens, full stops
and apostrophes (straight or curly) are left out of both sides (hazard B21-06b, ADR 0031)."""

import pytest
from django.urls import reverse

from referrals.models import Referral, name_search_key
from tests.referrals.helpers import make_referral, parent

STORED = "Sarah O'Brien-Smith"
TYPED = [
    "O'Brien",
    "obrien",
    "O’Brien",
    "o brien",
    "OBRIEN-SMITH",
    "obrien smith",
    "O'Brien Smith",
    "o'brien  smith",
    " Sarah O.Brien ",
    "brien-sm",
]


@pytest.fixture
def family(service, coordinator):
    return make_referral(service, coordinator, parents=[parent(name=STORED)], child_name="Ava O’Brien-Smith")


def found(service, term):
    return list(Referral.objects.all().search(name=term, service_ids=[service.pk]).values_list("pk", flat=True))


@pytest.mark.parametrize("typed", TYPED)
def test_the_parent_is_found_however_the_name_is_typed(family, service, typed):
    assert found(service, typed) == [family.pk]


@pytest.mark.parametrize("typed", ["Ava OBrien", "ava o'brien-smith", "AVA O BRIEN"])
def test_the_child_is_found_too(family, service, typed):
    assert found(service, typed) == [family.pk]


@pytest.mark.parametrize("typed", ["Brian", "O'Brine", "Sarah Smith-O'Brien"])
def test_other_names_are_not_found(family, service, typed):
    assert found(service, typed) == []


def test_a_letter_python_would_capitalise_as_two_is_kept(service, coordinator):
    found_family = make_referral(service, coordinator, parents=[parent(name="Lena Strauß")])
    assert name_search_key("strauß") == "STRAUß"
    assert found(service, "strauß") == [found_family.pk]
    assert found(service, "Lena Strauß") == [found_family.pk]


def test_a_term_of_only_punctuation_finds_nothing(family, service):
    assert name_search_key(" - ' . ") == ""
    assert found(service, " - ' ") == []


def test_the_search_page_and_the_api_find_it(login, family, service, coordinator):
    client = login(coordinator)
    page = client.get(reverse("referrals:search"), {"name": "obrien smith"}).content.decode()
    assert family.reference in page
    response = client.get(reverse("api:referral-list"), {"name": "O’Brien"})
    assert [row["reference"] for row in response.json()["results"]] == [family.reference]
