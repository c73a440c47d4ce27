"""A correction or a birth that gives a family an identifier another open referral has is checked for duplicates.

Without this, the duplicate check on a new referral was got round by saving it with the NHS number left blank (or
mistyped) and correcting it afterwards, or by an antenatal referral whose baby's NHS number arrived at the birth.
Hazard R-08b in docs/hazard-log.md.
"""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from referrals import actions
from referrals.models import Referral, ReferralEvent
from tests.referrals.helpers import (
    TEST_NHS_NUMBERS,
    make_referral,
    make_unborn_referral,
    parent,
    post_data,
    referral_data,
    today,
)
from tests.referrals.test_api import body, post, put, url

NUMBER = TEST_NHS_NUMBERS[4]  # 9990000050


def other_family(service, coordinator, **overrides):
    """An open referral of another family: a different parent, and the NHS number we will type on ours."""
    return make_referral(
        service,
        coordinator,
        parents=[parent(name="Priya Sample", date_of_birth=date(1988, 2, 3), nhs_number=NUMBER)],
        **overrides,
    )


def correct(referral, coordinator, *, parents, confirmed=False, **data):
    return actions.update_referral(
        referral=referral,
        data=referral_data(referral.service, site=referral.site, **data),
        parents=parents,
        by=coordinator,
        confirmed_not_duplicate=confirmed,
    )


# As a hurried person types the same number: spaced, dashed, with spaces round it.
NUMBER_AS_TYPED = ["9990000050", "999 000 0050", "999-000-0050", " 999 000 0050 ", "999 0000 050"]


@pytest.mark.parametrize("typed", NUMBER_AS_TYPED)
def test_a_parents_corrected_nhs_number_matching_another_open_referral_stops_the_save(service, coordinator, typed):
    theirs = other_family(service, coordinator)
    ours = make_referral(service, coordinator)
    with pytest.raises(actions.DuplicateSuspected) as raised:
        correct(ours, coordinator, parents=[parent(nhs_number=typed)], gp_practice="Changed")
    assert raised.value.referrals == [theirs]
    ours.refresh_from_db()
    assert ours.gp_practice == "Test Surgery" and ours.parents.get().nhs_number == ""
    assert not ReferralEvent.objects.filter(referral=ours, kind="updated").exists()


@pytest.mark.parametrize("typed", NUMBER_AS_TYPED)
def test_the_childs_corrected_nhs_number_is_checked_too(service, coordinator, typed):
    theirs = other_family(service, coordinator)
    ours = make_referral(service, coordinator)
    with pytest.raises(actions.DuplicateSuspected) as raised:
        correct(ours, coordinator, parents=[parent()], child_nhs_number=typed)
    assert raised.value.referrals == [theirs]


@pytest.mark.parametrize(
    "typed_name", ["Priya Sample", "priya sample", "PRIYA SAMPLE", "  Priya Sample  ", " priya SAMPLE "]
)
def test_a_parent_with_the_same_name_and_birth_date_is_checked(service, coordinator, typed_name):
    theirs = other_family(service, coordinator)
    ours = make_referral(service, coordinator)
    with pytest.raises(actions.DuplicateSuspected) as raised:
        correct(
            ours,
            coordinator,
            parents=[parent(), parent(name=typed_name, relationship="Carer", date_of_birth=date(1988, 2, 3))],
        )
    assert raised.value.referrals == [theirs]


def test_confirmed_it_saves_and_the_history_has_it(service, coordinator):
    other_family(service, coordinator)
    ours = make_referral(service, coordinator)
    correct(ours, coordinator, parents=[parent(nhs_number=NUMBER)], confirmed=True)
    assert ours.parents.get().nhs_number == NUMBER
    assert ReferralEvent.objects.filter(referral=ours, kind="updated").exists()


def test_identifiers_the_family_already_had_do_not_stop_every_later_correction(service, coordinator):
    """Two records of the same made-up family, confirmed once when recorded: correcting the GP needs no second
    confirmation, as nothing the check compares has changed."""
    make_referral(service, coordinator, parents=[parent(nhs_number=NUMBER)])
    ours = make_referral(service, coordinator, parents=[parent(nhs_number=NUMBER)])
    correct(ours, coordinator, parents=[parent(nhs_number=NUMBER)], gp_practice="Corrected Surgery")
    ours.refresh_from_db()
    assert ours.gp_practice == "Corrected Surgery"


def test_closed_referrals_and_other_services_are_not_duplicates(service, other_service, coordinator, other_coordinator):
    closed = other_family(service, coordinator)
    actions.withdraw_referral(referral=closed, reason="Moved away", by=coordinator)
    make_referral(
        other_service,
        other_coordinator,
        parents=[parent(name="Priya Sample", date_of_birth=date(1988, 2, 3), nhs_number=NUMBER, postcode="L36 0UB")],
    )
    ours = make_referral(service, coordinator)
    correct(ours, coordinator, parents=[parent(nhs_number=NUMBER)])
    assert ours.parents.get().nhs_number == NUMBER


def unborn(service, coordinator, **overrides):
    return make_unborn_referral(
        service,
        coordinator,
        due=today(),
        parents=[parent(name="Ruth Antenatal", date_of_birth=date(1995, 7, 8))],
        **overrides,
    )


@pytest.mark.parametrize("typed", NUMBER_AS_TYPED)
def test_a_birth_whose_nhs_number_another_open_referral_has_stops_until_confirmed(service, coordinator, typed):
    """The same baby referred again after the birth (a postnatal referral beside the antenatal one)."""
    theirs = make_referral(service, coordinator, child_nhs_number=NUMBER)
    ours = unborn(service, coordinator)
    with pytest.raises(actions.DuplicateSuspected) as raised:
        actions.record_birth(referral=ours, date_of_birth=today(), child_nhs_number=typed, by=coordinator)
    assert raised.value.referrals == [theirs]
    ours.refresh_from_db()
    assert ours.child_unborn and ours.child_nhs_number == ""
    actions.record_birth(
        referral=ours, date_of_birth=today(), child_nhs_number=typed, by=coordinator, confirmed_not_duplicate=True
    )
    ours.refresh_from_db()
    assert not ours.child_unborn and ours.child_nhs_number == NUMBER


def test_a_birth_without_an_nhs_number_is_not_checked(service, coordinator):
    make_referral(service, coordinator, child_nhs_number=NUMBER)
    ours = unborn(service, coordinator)
    actions.record_birth(referral=ours, date_of_birth=today(), by=coordinator)
    ours.refresh_from_db()
    assert not ours.child_unborn


# --- The pages -----------------------------------------------------------------------------------------------------


def test_the_update_page_shows_the_possible_duplicate_then_saves_when_ticked(login, service, coordinator):
    theirs = other_family(service, coordinator)
    ours = make_referral(service, coordinator)
    client = login(coordinator)
    page = reverse("referrals:edit", args=[ours.pk])
    data = post_data(service, site=ours.site_id, parent1_nhs_number="999 000 0050", gp_practice="Changed")
    response = client.post(page, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="possible-duplicates"' in content and theirs.reference in content
    assert "nhsuk-error-summary" in content and "may already have an open referral" in content
    assert 'name="confirm_not_duplicate"' in content
    assert AccessEvent.objects.filter(action=AccessAction.LIST, detail__list="possible_duplicates").exists()
    ours.refresh_from_db()
    assert ours.gp_practice == "Test Surgery"

    response = client.post(page, {**data, "confirm_not_duplicate": "yes"})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.gp_practice == "Changed" and ours.parents.get().nhs_number == NUMBER


def test_the_birth_page_shows_the_possible_duplicate_then_records_when_ticked(login, service, coordinator):
    theirs = make_referral(service, coordinator, child_nhs_number=NUMBER)
    ours = unborn(service, coordinator)
    client = login(coordinator)
    page = reverse("referrals:record_birth", args=[ours.pk])
    data = {
        "date_of_birth_day": today().day,
        "date_of_birth_month": today().month,
        "date_of_birth_year": today().year,
        "name": "Ada",
        "child_nhs_number": "999 000 0050",
    }
    response = client.post(page, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="possible-duplicates"' in content and theirs.reference in content
    assert 'name="confirm_not_duplicate"' in content
    assert Referral.objects.get(pk=ours.pk).child_unborn
    shown = AccessEvent.objects.get(action=AccessAction.LIST, detail__list="possible_duplicates")
    assert shown.detail["ids_shown"] == [theirs.pk]

    assert client.post(page, {**data, "confirm_not_duplicate": "yes"}).status_code == 302
    assert Referral.objects.get(pk=ours.pk).child_nhs_number == NUMBER


def test_a_stranger_to_the_family_cannot_use_the_check_to_see_another_family(
    login, service, coordinator, other_coordinator
):
    """The check runs only after the referral's own permission: another service's coordinator gets a 404, and sees
    no possible duplicate of this service."""
    other_family(service, coordinator)
    ours = make_referral(service, coordinator)
    data = post_data(service, site=ours.site_id, parent1_nhs_number=NUMBER)
    response = login(other_coordinator).post(reverse("referrals:edit", args=[ours.pk]), data)
    assert response.status_code == 404
    assert "possible-duplicates" not in response.content.decode()


# --- The API -------------------------------------------------------------------------------------------------------


def test_the_api_correction_answers_409_with_the_duplicates_then_saves_when_confirmed(login, service, coordinator):
    theirs = other_family(service, coordinator)
    ours = make_referral(service, coordinator)
    client = login(coordinator)
    data = body(service, parents=[parent(nhs_number="999-000-0050")])
    data.pop("service")
    response = put(client, url("detail", ours), data)
    assert response.status_code == 409
    out = response.json()
    assert [d["id"] for d in out["possible_duplicates"]] == [theirs.pk]
    assert "confirm_not_duplicate" in out["detail"]
    assert ours.parents.get().nhs_number == ""
    shown = AccessEvent.objects.get(action=AccessAction.LIST, detail__list="possible_duplicates")
    assert shown.detail["ids_shown"] == [theirs.pk]

    response = put(client, url("detail", ours), {**data, "confirm_not_duplicate": True})
    assert response.status_code == 200, response.json()
    assert ours.parents.get().nhs_number == NUMBER


def test_the_api_birth_answers_409_with_the_duplicates_then_records_when_confirmed(login, service, coordinator):
    theirs = make_referral(service, coordinator, child_nhs_number=NUMBER)
    ours = unborn(service, coordinator)
    client = login(coordinator)
    data = {"date_of_birth": today().isoformat(), "child_nhs_number": "999 000 0050"}
    response = post(client, url("birth", ours), data)
    assert response.status_code == 409
    assert [d["id"] for d in response.json()["possible_duplicates"]] == [theirs.pk]
    assert Referral.objects.get(pk=ours.pk).child_unborn

    response = post(client, url("birth", ours), {**data, "confirm_not_duplicate": True})
    assert response.status_code == 200
    assert response.json()["child_nhs_number"] == NUMBER


def test_the_schema_states_the_check_and_its_answer(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    for name in ("ReferralUpdateInRequest", "BirthInRequest"):
        found = components.get(name) or components[name.removesuffix("Request")]
        assert "confirm_not_duplicate" in found["properties"], name
    conflict = components["ConflictOrDuplicatesOut"]
    assert conflict["required"] == ["detail"] and "possible_duplicates" in conflict["properties"]


# --- Nobody sees a family through the check that they may not open --------------------------------------------------


def allocated_to(referral, practitioner, coordinator):
    actions.triage_referral(referral=referral, decision="accept", by=coordinator)
    actions.allocate_referral(
        referral=referral, practitioner=practitioner, by=coordinator, over_capacity_reason="No capacity set in tests"
    )
    return referral


def test_a_practitioner_correcting_their_family_is_told_of_a_duplicate_they_cannot_open_but_not_shown_it(
    login, service, coordinator, practitioner
):
    """The practitioner may correct the family they hold, not see another: the other family is counted, never named,
    on the page and in the API, and the access log says how many were kept back."""
    theirs = other_family(service, coordinator)
    ours = allocated_to(make_referral(service, coordinator), practitioner, coordinator)
    client = login(practitioner)
    data = post_data(service, site=ours.site_id, parent1_nhs_number="999 000 0050")
    response = client.post(reverse("referrals:edit", args=[ours.pk]), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="possible-duplicates"' in content and 'id="hidden-duplicates"' in content
    assert "There is 1 open referral like this that you cannot open" in content
    for secret in (theirs.reference, "Priya Sample", reverse("referrals:detail", args=[theirs.pk])):
        assert secret not in content
    logged = AccessEvent.objects.get(action=AccessAction.LIST, detail__list="possible_duplicates")
    assert logged.detail["ids_shown"] == [] and logged.detail["not_shown"] == 1

    api_data = body(service, parents=[parent(nhs_number=NUMBER)], site=ours.site)
    api_data.pop("service")
    response = put(client, url("detail", ours), api_data)
    assert response.status_code == 409
    assert response.json()["possible_duplicates"] == [] and response.json()["hidden_duplicates"] == 1
    assert theirs.reference not in response.content.decode()


def test_a_site_coordinator_recording_a_referral_is_not_shown_another_sites_family(
    login, service, coordinator, site_coordinator, cambridgeshire
):
    theirs = make_referral(
        service,
        coordinator,
        site=cambridgeshire,
        parents=[parent(name="Priya Sample", date_of_birth=date(1988, 2, 3), nhs_number=NUMBER, postcode="CB1 1AA")],
    )
    response = login(site_coordinator).post(reverse("referrals:new"), post_data(service, parent1_nhs_number=NUMBER))
    assert response.status_code == 200 and not Referral.objects.exclude(pk=theirs.pk).exists()
    content = response.content.decode()
    assert 'id="hidden-duplicates"' in content and theirs.reference not in content and "Priya Sample" not in content
    assert 'name="confirm_not_duplicate"' in content


def test_the_coordinator_who_covers_both_still_sees_the_duplicate_in_full(login, service, coordinator):
    theirs = other_family(service, coordinator)
    response = login(coordinator).post(reverse("referrals:new"), post_data(service, parent1_nhs_number=NUMBER))
    content = response.content.decode()
    assert theirs.reference in content and "Priya Sample" in content and 'id="hidden-duplicates"' not in content
