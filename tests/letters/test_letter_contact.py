"""How to reach the service (phone, email, postal address), set by its service admin and printed in every letter;
and the recipient kept whole, never cut to fit (issue 19)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.refusals import ActionRefused
from letters import actions
from letters.models import LetterSettings
from tests.letters.helpers_letters import decline_letter, family_of, parent

SETTINGS = {
    "letterhead": "CPFT VIG",
    "address_block": "VIG team\n1 Demo Street\nPeterborough PE1 1AA",
    "sign_off": "VIG health visiting team",
    "confidential_marking": "OFFICIAL-SENSITIVE",
}


def save(service, by, **overrides):
    return actions.save_letter_settings(service=service, by=by, **{**SETTINGS, **overrides})


@pytest.mark.parametrize(
    ("phone", "kept"),
    [
        ("01632 960123", "01632 960123"),
        ("+44 1632 960123", "+44 1632 960123"),
        ("(01632) 960123", "(01632) 960123"),
        ("01632960123", "01632960123"),
        ("  01632   960123 ", "01632 960123"),
        ("01632 960123 ext 45", "01632 960123 ext 45"),
        ("01632-960-123", "01632-960-123"),
    ],
)
def test_a_phone_number_as_people_type_it_is_kept(service, service_admin, phone, kept):
    assert save(service, service_admin, phone=phone, email="").phone == kept


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "call Sam"),
        ("phone", "01632"),
        ("phone", "01632 960123 / 07700 900123"),
        ("phone", "0163296012345678901"),
        ("phone", "01632 96O123"),  # a letter O for a zero
        ("email", "vig.team@"),
        ("email", "vig team@nhs.net"),
        ("email", "nhs.net"),
        ("email", "vig.team@nhs"),
    ],
)
def test_contact_details_are_checked_as_a_hurried_person_types_them(service, service_admin, field, value):
    with pytest.raises(ValidationError) as refused:
        save(service, service_admin, **{"phone": "", "email": "", field: value})
    assert field in refused.value.message_dict


def test_some_way_to_reach_the_service_is_required(service, service_admin):
    with pytest.raises(ValidationError) as refused:
        save(service, service_admin, phone=" ", email="", address_block="")
    assert "phone" in refused.value.message_dict
    kept = save(service, service_admin, phone="", email=" VIG.team@nhs.net ", address_block="")
    assert kept.email == "VIG.team@nhs.net" and kept.has_contact


def test_the_settings_page_names_the_field_that_is_wrong(login, service, service_admin):
    url = reverse("letters:settings", kwargs={"service": service.slug})
    page = login(service_admin).get(url)
    assert b"Phone number" in page.content and b"Email address" in page.content and b"Postal address" in page.content
    data = {**SETTINGS, "phone": "call Sam", "email": "vig.team@"}
    response = login(service_admin).post(url, data)
    assert response.status_code == 400  # the page's convention for a form with errors
    assert b"Enter a phone number like 01632 960123" in response.content
    assert b"Enter an email address like vig.team@nhs.net" in response.content
    saved = login(service_admin).post(url, {**data, "phone": "01632 960123", "email": "vig.team@nhs.net"})
    assert saved.status_code == 302
    assert LetterSettings.objects.get(service=service).phone == "01632 960123"


def test_a_letter_without_any_way_to_reach_the_service_is_not_approved(service, coordinator, service_admin):
    LetterSettings.objects.filter(service=service).update(phone="", email="", address_block="")
    letter = decline_letter(service, coordinator)
    with pytest.raises(ActionRefused, match="no phone number, email or postal address"):
        actions.approve_letter(letter=letter, by=coordinator)
    save(service, service_admin, phone="01632 960123", email="")
    edited = actions.edit_letter(
        letter=letter,
        sections={},
        recipient_name=letter.recipient_name,
        recipient_address=letter.recipient_address,
        by=coordinator,
    )
    assert edited.content["contact"]["phone"] == "01632 960123"
    assert actions.approve_letter(letter=edited, by=coordinator).status == "queued"


def test_a_long_recipient_is_kept_whole(service, coordinator, practitioner):
    long_names = [parent(name="Anna " + "Maria" * 39), parent(name="Ben " + "Jacob" * 39, address="")]
    referral = family_of(
        service,
        coordinator,
        practitioner,
        parents=long_names,
        named_health_visitor_team="Health visiting team " + "North" * 35,
        named_health_visitor_address="Clinic " + "Road " * 98,
    )
    family = actions.draft_letter(referral=referral, kind="family", by=practitioner)
    assert family.recipient_name == f"{long_names[0]['name']}, {long_names[1]['name']}"
    assert len(family.recipient_name) > 400
    handover = actions.draft_letter(referral=referral, kind="handover", by=practitioner)
    assert handover.recipient_address.endswith("Road") and len(handover.recipient_address) > 650
    with pytest.raises(ValidationError) as refused:
        actions.edit_letter(letter=family, sections={}, recipient_name="A" * 501, recipient_address="", by=practitioner)
    assert "recipient_name" in refused.value.message_dict
