"""A family's confidential address (often a refuge) never reaches a professional through a letter (issue 18, item 1).

By construction: a professional's letter prints no address fields for such a family (read back from the PDF).
What staff write: each editable field is checked with `core.addresses`, so the four variants that reached an
approved PDF are refused, beside the field that holds them; the town in the letterhead is not. The approver
confirms the letter reveals no whereabouts, on the page and in the API, and the family's history keeps it.
"""

import io

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from letters import actions
from letters.models import Letter
from referrals import actions as referral_actions
from referrals.models import ReferralEvent
from tests.letters.helpers_letters import approve_now, decline_letter, family_of
from tests.referrals.helpers import make_referral, parent

REFUGE = parent(address="Flat 3, Rowan House\n2404 Larch Close\nWerrington\nPeterborough", postcode="PE3 4AG")
# Every part that leads to the family; the town (Peterborough) is in the letterhead of every letter of this service.
REFUGE_PARTS = ["Flat 3", "Rowan House", "2404", "Larch", "Werrington", "PE3 4AG", "PE34AG"]
# What reached a professional's approved PDF before (issue 18).
REPORTED_BYPASSES = [
    "She and the baby are now at 2404, Larch Close.",
    "She and the baby are now at 2404\nLarch Close.",
    "Their postcode is PE3-4AG.",
    "Seen at home: 2407 Larch Cl.",
]
CONFIRM = {"confirmed_no_whereabouts": True}


def pdf_text(letter) -> str:
    with letter.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def declined_with_reason(service, coordinator, reason: str, **overrides):
    """A family with a confidential address, declined with `reason` (which the decline letter is prefilled with)."""
    referral = make_referral(service, coordinator, parents=[REFUGE], confidential_address=True, **overrides)
    referral_actions.triage_referral(referral=referral, decision="decline", reason=reason, by=coordinator)
    return actions.draft_letter(referral=referral, kind="decline", by=coordinator)


def professional_letter(kind, service, coordinator, practitioner, **overrides):
    if kind == "decline":
        return decline_letter(service, coordinator, parents=[REFUGE], confidential_address=True, **overrides)
    referral = family_of(service, coordinator, practitioner, parents=[REFUGE], confidential_address=True, **overrides)
    return actions.draft_letter(referral=referral, kind=kind, by=practitioner)


def approver(kind, coordinator, practitioner):
    return coordinator if kind == "decline" else practitioner


@pytest.mark.parametrize("typed", REPORTED_BYPASSES)
def test_reported_bypasses_are_refused_at_approval_naming_the_section(service, coordinator, typed):
    letter = declined_with_reason(service, coordinator, f"Outside the area. {typed}")
    with pytest.raises(ValidationError) as refused:
        actions.approve_letter(letter=letter, by=coordinator, **CONFIRM)
    assert list(refused.value.message_dict) == ["reason"]
    message = refused.value.message_dict["reason"][0]
    assert "Why we cannot offer VIG" in message and "take out" in message
    assert Letter.objects.get(pk=letter.pk).status == "draft"


@pytest.mark.parametrize("field", ["summary", "plan", "opening", "recipient_address", "recipient_name"])
@pytest.mark.parametrize("typed", REPORTED_BYPASSES)
def test_reported_bypasses_are_refused_beside_the_field_they_are_typed_in(
    service, coordinator, practitioner, typed, field
):
    letter = professional_letter("referrer", service, coordinator, practitioner)
    sections = {field: typed} if field not in ("recipient_address", "recipient_name") else {}
    recipient = {"recipient_name": "Helen Visitor", "recipient_address": "Health visiting team"}
    if field in recipient:
        recipient[field] = typed.replace("\n", " ") if field == "recipient_name" else typed
    with pytest.raises(ValidationError) as refused:
        actions.edit_letter(letter=letter, sections=sections, by=practitioner, **recipient)
    assert list(refused.value.message_dict) == [field]
    assert "confidential" in refused.value.message_dict[field][0]


def test_untouched_decline_letter_for_a_family_in_the_letterhead_town_is_made_without_their_address(
    service, coordinator, django_capture_on_commit_callbacks
):
    letter = decline_letter(service, coordinator, parents=[REFUGE], confidential_address=True)
    letter = approve_now(letter, coordinator, django_capture_on_commit_callbacks, **CONFIRM)
    assert letter.status == "ready"
    text = pdf_text(letter)
    assert "Peterborough" in text  # the letterhead: the town alone never counts
    assert [part for part in REFUGE_PARTS if part.lower() in text.lower()] == []
    assert "Not shared: the family's address is confidential" in text


@pytest.mark.parametrize("kind", ["referrer", "handover", "decline"])
def test_professional_letters_print_no_part_of_the_address(
    kind, service, coordinator, practitioner, django_capture_on_commit_callbacks
):
    letter = professional_letter(kind, service, coordinator, practitioner)
    letter = approve_now(
        letter, approver(kind, coordinator, practitioner), django_capture_on_commit_callbacks, **CONFIRM
    )
    assert letter.status == "ready"
    text = pdf_text(letter).lower()
    assert [part for part in REFUGE_PARTS if part.lower() in text] == []
    assert letter.content["patient"]["address"] == ""


def test_letter_drafted_before_the_family_was_marked_confidential_is_made_without_the_address(
    service, coordinator, practitioner, django_capture_on_commit_callbacks
):
    referral = family_of(service, coordinator, practitioner, parents=[REFUGE])
    letter = actions.draft_letter(referral=referral, kind="handover", by=practitioner)
    assert "Larch Close" in letter.content["patient"]["address"]
    referral_actions.update_referral(
        referral=referral, data={"confidential_address": True}, parents=[REFUGE], by=coordinator
    )
    preview = login_free_preview(letter)
    assert "Larch" not in preview and "PE3 4AG" not in preview
    letter = approve_now(letter, practitioner, django_capture_on_commit_callbacks, **CONFIRM)
    text = pdf_text(letter)
    assert [part for part in REFUGE_PARTS if part.lower() in text.lower()] == []
    assert letter.content["patient"]["address"] == ""


def login_free_preview(letter) -> str:
    from letters import rendering

    pdf, _ = rendering.render_letter_pdf(Letter.objects.get(pk=letter.pk))
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_family_letter_still_goes_to_the_family_at_their_address_without_confirmation(
    service, coordinator, practitioner, django_capture_on_commit_callbacks
):
    referral = family_of(service, coordinator, practitioner, parents=[REFUGE], confidential_address=True)
    letter = actions.draft_letter(referral=referral, kind="family", by=practitioner)
    letter = approve_now(letter, practitioner, django_capture_on_commit_callbacks)
    assert "Larch Close" in pdf_text(letter)


def test_approval_needs_the_approvers_confirmation_and_the_history_keeps_it(
    service, coordinator, django_capture_on_commit_callbacks
):
    letter = decline_letter(service, coordinator, parents=[REFUGE], confidential_address=True)
    for missing in ({}, {"confirmed_no_whereabouts": False}):
        with pytest.raises(ValidationError) as refused:
            actions.approve_letter(letter=letter, by=coordinator, **missing)
        assert list(refused.value.message_dict) == ["confirmed_no_whereabouts"]
    assert Letter.objects.get(pk=letter.pk).status == "draft"
    approve_now(letter, coordinator, django_capture_on_commit_callbacks, **CONFIRM)
    event = ReferralEvent.objects.get(referral=letter.referral, kind="letter_approved")
    assert event.actor == coordinator and event.at
    assert event.changes["reveals no whereabouts"] == [None, "confirmed by the approver"]
    assert "reveals nothing of where the family lives" in event.summary


def test_no_confirmation_asked_when_the_address_is_not_confidential(
    service, coordinator, django_capture_on_commit_callbacks
):
    letter = decline_letter(service, coordinator, parents=[REFUGE])
    letter = approve_now(letter, coordinator, django_capture_on_commit_callbacks)
    assert letter.status == "ready" and "Larch Close" in pdf_text(letter)  # not confidential: the usual details
    event = ReferralEvent.objects.get(referral=letter.referral, kind="letter_approved")
    assert "reveals no whereabouts" not in event.changes


def test_approve_page_asks_for_the_confirmation_and_names_the_section(
    login, service, coordinator, django_capture_on_commit_callbacks
):
    letter = declined_with_reason(service, coordinator, "Outside the area. They are at 2404, Larch Close.")
    url = reverse("letters:approve", kwargs={"letter_id": letter.pk})
    client = login(coordinator)
    page = client.get(url).content.decode()
    assert 'name="confirmed_no_whereabouts"' in page and "Confidential address" in page
    assert "“Why we cannot offer VIG” gives away where the family lives (the house number and street)" in page
    refused = client.post(url, {"confirmed_no_whereabouts": "on"})
    assert refused.status_code == 400 and "Why we cannot offer VIG" in refused.content.decode()
    edit = reverse("letters:edit", kwargs={"letter_id": letter.pk})
    data = {
        "recipient_name": "Helen Visitor",
        "recipient_address": "Team",
        "opening": "Thank you.",
        "reason": "The family lives at 2404, Larch Close.",
        "signposting": "Family Hub in Peterborough.",
        "closing": "Bye.",
    }
    beside = client.post(edit, data)
    assert beside.status_code == 400
    assert "“Why we cannot offer VIG” gives away where the family lives" in beside.content.decode()
    assert client.post(edit, {**data, "reason": "The family lives outside the area."}).status_code == 302
    unticked = client.post(url, {})
    assert unticked.status_code == 400
    assert "Confirm that this letter says nothing about where the family lives" in unticked.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"confirmed_no_whereabouts": "on"}).status_code == 302
    assert Letter.objects.get(pk=letter.pk).status == "ready"


def test_api_approve_needs_the_confirmation_and_names_the_field(
    login, service, coordinator, django_capture_on_commit_callbacks
):
    letter = declined_with_reason(service, coordinator, "Outside the area. Postcode pe3-4ag.")
    client = login(coordinator)
    url = reverse("api:letter-approve", kwargs={"letter_id": letter.pk})
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"reason", "confirmed_no_whereabouts"}
    assert "the postcode" in refused.json()["reason"][0]
    edited = client.post(
        reverse("api:letter-edit", kwargs={"letter_id": letter.pk}),
        {"recipient_name": "Dr A", "sections": {"reason": "Outside the area.", "signposting": "2404 Larch Cl"}},
        content_type="application/json",
    )
    assert edited.status_code == 400 and list(edited.json()) == ["signposting"]
    fixed = client.post(
        reverse("api:letter-edit", kwargs={"letter_id": letter.pk}),
        {"recipient_name": "Dr A", "sections": {"reason": "Outside the area."}},
        content_type="application/json",
    )
    assert fixed.status_code == 200
    assert client.post(url, {}, content_type="application/json").json() == {
        "confirmed_no_whereabouts": [
            "Confirm that this letter says nothing about where the family lives or stays: their address is "
            "confidential and this letter goes to a professional"
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(url, CONFIRM, content_type="application/json")
    assert approved.status_code == 200
    assert Letter.objects.get(pk=letter.pk).status == "ready"


def test_openapi_schema_states_the_confirmation(login, coordinator):
    schema = yaml.safe_load(login(coordinator).get("/api/v1/schema/").content)
    operation = schema["paths"]["/api/v1/letters/{letter_id}/approve/"]["post"]
    assert "confirmed_no_whereabouts" in operation["description"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    field = schema["components"]["schemas"][body]["properties"]["confirmed_no_whereabouts"]
    assert field["type"] == "boolean" and "confidential" in field["description"]
