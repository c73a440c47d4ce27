"""The handover letter a discharge drafts, really rendered and read back with pypdf."""

import io

from pypdf import PdfReader

from letters import actions as letter_actions
from letters.models import Letter
from tests.discharge.helpers_discharge import discharge, family, require_only_epds_at_end, with_measures_and_goals
from tests.referrals.helpers import TEST_NHS_NUMBERS, parent


def pdf_text(letter) -> str:
    with letter.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_handover_pdf_has_the_family_actions_scores_with_bands_and_no_confidential_address(
    service, coordinator, practitioner, django_capture_on_commit_callbacks
):
    require_only_epds_at_end(service)
    secret = parent(name="Jade Example", address="7 Hidden Lane, Peterborough", postcode="PE2 9ZZ")
    referral = family(
        service, coordinator, practitioner, child_name="Ava Example", parents=[secret], confidential_address=True
    )
    other = family(service, coordinator, practitioner, child_name="Other Child", child_nhs_number=TEST_NHS_NUMBERS[3])
    with_measures_and_goals(referral, practitioner)
    discharge(other, practitioner, missing_measures_reason="Not collected.")
    discharge(referral, practitioner, missing_measures_reason="")
    letter = Letter.objects.get(referral=referral, kind="handover")
    with django_capture_on_commit_callbacks(execute=True):
        letter_actions.approve_letter(letter=letter, by=practitioner, confirmed_no_whereabouts=True)
    letter.refresh_from_db()
    assert letter.status == "ready"
    text = pdf_text(letter)
    assert "Ava Example" in text
    assert "999 000 0026" in text  # NHS number in 3-3-4
    assert "Offer a review visit at 12 months" in text and "1 June 2027" in text
    epds = next(s for s in letter.content["scales"] if "EPDS" in s["name"] or "Edinburgh" in s["name"])
    assert epds["end"] and epds["band"]
    assert epds["band"] in text.replace("\n", " ")
    assert "Hidden Lane" not in text and "PE2 9ZZ" not in text
    assert "Other Child" not in text and "999 000 0042" not in text


def test_family_letter_is_warm_and_has_start_and_end_ratings(
    service, coordinator, practitioner, django_capture_on_commit_callbacks
):
    referral = family(service, coordinator, practitioner, child_name="Ava Example")
    with_measures_and_goals(referral, practitioner)
    discharge(referral, practitioner)
    letter = Letter.objects.get(referral=referral, kind="family")
    with django_capture_on_commit_callbacks(execute=True):
        letter_actions.approve_letter(letter=letter, by=practitioner)
    letter.refresh_from_db()
    text = pdf_text(letter)
    assert "What you did well" in text and "You waited for Ava" in text
    assert "2 out of 10" in text and "7 out of 10" in text
