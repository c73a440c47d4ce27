"""A parent's name typed differently still finds the family's other open referral (hazard R-08c, ADR 0031).

The check compares names only beside an exact date of birth in the same service; these are the ways a hurried
person types the same name: case, spacing, line breaks, punctuation, a title, the order, an initial, a middle name
left out, one slip of the keyboard.
"""

from datetime import date

import pytest
from django.urls import reverse

from referrals import actions
from referrals.models import Referral
from referrals.names import name_key, same_person_name
from tests.referrals.helpers import make_referral, parent, post_data, referral_data

BORN = date(1990, 8, 14)
SAME_NAME_AS_TYPED = [
    "Sarah O'Brien-Smith",
    "sarah o'brien-smith",
    "SARAH OBRIEN-SMITH",
    "Sarah  O'Brien-Smith",
    "  Sarah O\u2019Brien Smith ",
    "Sarah\nO'Brien-Smith",
    "Sarah\tOBrienSmith",
    "Sarah O'Brien - Smith",
    "Mrs Sarah O'Brien-Smith",
    "Mrs. Sarah O'Brien-Smith",
    "O'Brien-Smith, Sarah",
    "O'Brien-Smith Sarah",
    "S O'Brien-Smith",
    "S. O'Brien-Smith",
    "O'Brien-Smith, S.",
    "Sarah Jane O'Brien-Smith",
    "Sara O'Brien-Smith",
    "Sarah O'Brein-Smith",
    "Sarah O'Brien-Smyth",
    "Sarahh O'Brien-Smith",
    "Zarah O'Brien-Smith",
    "Sarah Smith",
    "Sarah O'Brien",
    "Smith Sarah",
]
SOMEONE_ELSE = [
    "Sarah Brown",
    "Priya O'Brien-Smith",
    "Sam O'Brien",
    "Sarah Jane Brown",
    "Smith",
    "Mrs",
    "",
    "   ",
    "P O'Brien-Smith",
    "Sasha O'Brian-Smythe",
]


@pytest.mark.parametrize("typed", SAME_NAME_AS_TYPED)
def test_the_same_name_as_typed_is_the_same_person(typed):
    assert same_person_name(typed, "Sarah O'Brien-Smith")
    assert same_person_name("Sarah O'Brien-Smith", typed)


@pytest.mark.parametrize("typed", SOMEONE_ELSE)
def test_another_name_is_not(typed):
    assert not same_person_name(typed, "Sarah O'Brien-Smith")


def test_accents_and_short_names():
    assert same_person_name("Zoë Ng", "zoe ng")
    assert same_person_name("Chloé  Dupré", "CHLOE DUPRE")
    assert not same_person_name("Jo Ng", "Jo Ny")  # one slip in a short name is too much of it
    assert not same_person_name("Jo Ng", "Jo Ngo")


def test_the_key_is_what_a_respacing_or_recasing_keeps():
    assert name_key("  Mrs SARAH\n o'brien-smith ") == name_key("Sarah O'Brien Smith") == "sarah obrien smith"
    assert name_key("Sarah O'Brien-Smith") != name_key("Sara O'Brien-Smith")


def theirs(service, coordinator):
    return make_referral(service, coordinator, parents=[parent(name="Sarah O'Brien-Smith", date_of_birth=BORN)])


# A name field refuses line breaks and tabs (core.text), so these reach the check only from older records.
SAVEABLE = [typed for typed in SAME_NAME_AS_TYPED if "\n" not in typed and "\t" not in typed]


@pytest.mark.parametrize("typed", SAVEABLE)
def test_a_new_referral_with_the_name_typed_differently_is_stopped(service, coordinator, typed):
    existing = theirs(service, coordinator)
    with pytest.raises(actions.DuplicateSuspected) as raised:
        actions.create_referral(
            service=service,
            data=referral_data(service),
            parents=[parent(name=typed, date_of_birth=BORN)],
            by=coordinator,
        )
    assert raised.value.referrals == [existing]
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("typed", SOMEONE_ELSE[:4])
def test_another_parent_born_the_same_day_is_not_a_duplicate(service, coordinator, typed):
    theirs(service, coordinator)
    actions.create_referral(
        service=service, data=referral_data(service), parents=[parent(name=typed, date_of_birth=BORN)], by=coordinator
    )
    assert Referral.objects.count() == 2


def test_the_same_name_born_another_day_or_in_another_service_is_not_a_duplicate(
    service, other_service, coordinator, other_coordinator
):
    theirs(service, coordinator)
    actions.create_referral(
        service=service,
        data=referral_data(service),
        parents=[parent(name="Sarah OBrien Smith", date_of_birth=date(1990, 8, 15))],
        by=coordinator,
    )
    site = other_service.sites.get(name="Knowsley")
    make_referral(
        other_service,
        other_coordinator,
        site=site,
        parents=[parent(name="sarah o'brien-smith", date_of_birth=BORN, postcode="L36 0UB")],
    )
    assert Referral.objects.count() == 3


def test_correcting_a_name_to_one_typed_like_another_familys_stops_the_save(service, coordinator):
    existing = theirs(service, coordinator)
    ours = make_referral(service, coordinator, parents=[parent(name="Sarah Brown", date_of_birth=BORN)])
    with pytest.raises(actions.DuplicateSuspected) as raised:
        actions.update_referral(
            referral=ours,
            data=referral_data(service),
            parents=[parent(name="S. OBrien Smith", date_of_birth=BORN)],
            by=coordinator,
        )
    assert raised.value.referrals == [existing]
    assert ours.parents.get().name == "Sarah Brown"


def test_respacing_a_name_the_coordinator_already_confirmed_does_not_stop_later_corrections(service, coordinator):
    theirs(service, coordinator)
    ours = actions.create_referral(
        service=service,
        data=referral_data(service),
        parents=[parent(name="Sarah O'Brien-Smith", date_of_birth=BORN)],
        by=coordinator,
        confirmed_not_duplicate=True,
    )
    actions.update_referral(
        referral=ours,
        data=referral_data(service),
        parents=[parent(name="SARAH  O'BRIEN-SMITH", date_of_birth=BORN)],
        by=coordinator,
    )
    assert ours.parents.get().name == "SARAH  O'BRIEN-SMITH"


def test_an_older_record_whose_name_has_a_line_break_is_still_found(service, coordinator):
    existing = make_referral(service, coordinator, parents=[parent(name="Sarah O'Brien-Smith", date_of_birth=BORN)])
    existing.parents.update(name="Sarah\nO'Brien-Smith")  # as an import from a spreadsheet cell wrote it
    with pytest.raises(actions.DuplicateSuspected):
        actions.create_referral(
            service=service,
            data=referral_data(service),
            parents=[parent(name="Sarah O'Brien Smith", date_of_birth=BORN)],
            by=coordinator,
        )


def test_the_new_referral_page_shows_the_family_for_a_name_typed_differently(login, service, coordinator):
    existing = theirs(service, coordinator)
    client = login(coordinator)
    data = post_data(service, parent1_name="OBrien-Smith, Sarah", parent1_date_of_birth=BORN.isoformat())
    response = client.post(reverse("referrals:new"), data)
    assert response.status_code == 200
    assert b"Possible duplicate" in response.content and existing.reference.encode() in response.content
    assert Referral.objects.count() == 1
    response = client.post(reverse("referrals:new"), {**data, "confirm_not_duplicate": "yes"})
    assert response.status_code == 302 and Referral.objects.count() == 2


def test_the_api_answers_409_for_a_name_typed_differently(login, service, coordinator):
    from tests.referrals.test_api import LIST_URL, body, post

    existing = theirs(service, coordinator)
    client = login(coordinator)
    data = body(service, parents=[parent(name="Mrs S. OBrien Smith", date_of_birth=BORN)])
    response = post(client, LIST_URL, data)
    assert response.status_code == 409
    assert [d["reference"] for d in response.json()["possible_duplicates"]] == [existing.reference]
    assert Referral.objects.count() == 1
    assert post(client, LIST_URL, {**data, "confirm_not_duplicate": True}).status_code == 201
