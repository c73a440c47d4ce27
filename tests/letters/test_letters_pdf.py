"""A letter is really rendered and read back: the family's details, in the right places, and nobody else's."""

import io

import pytest
from pypdf import PdfReader

from letters import actions, rendering
from tests.letters.helpers_letters import approve_now, decline_letter, family_of
from tests.referrals.helpers import TEST_NHS_NUMBERS, parent


def pdf_text(letter) -> str:
    with letter.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_decline_letter_pdf_holds_the_family_reason_and_footer(
    service, coordinator, django_capture_on_commit_callbacks
):
    other = decline_letter(service, coordinator, child_name="Other Child", child_nhs_number=TEST_NHS_NUMBERS[3])
    letter = decline_letter(service, coordinator, child_name="Poppy Example")
    letter = approve_now(letter, coordinator, django_capture_on_commit_callbacks)
    assert letter.status == "ready"
    text = pdf_text(letter)
    assert "Poppy Example" in text
    assert "999 000 0018" in text  # NHS number in 3-3-4
    assert "outside the area" in text  # the decline reason
    assert "OFFICIAL-SENSITIVE" in text and "Page 1 of" in text
    assert "Other Child" not in text and "999 000 0042" not in text
    assert other.referral.child_name not in text


def test_handover_pdf_has_requested_actions_scales_and_no_confidential_address(
    service, coordinator, practitioner, django_capture_on_commit_callbacks
):
    secret = parent(address="7 Hidden Lane, Peterborough", postcode="PE2 9ZZ")
    referral = family_of(service, coordinator, practitioner, parents=[secret], confidential_address=True)
    content = {
        "actions": [{"who": "Health visitor", "what": "Offer a review visit", "by_when": "1 June 2026"}],
        "scales": [{"name": "PSOC", "start": "48", "end": "61", "band": "Typical range"}],
    }
    letter = actions.draft_letter(referral=referral, kind="handover", by=practitioner, content=content)
    letter = approve_now(letter, practitioner, django_capture_on_commit_callbacks, confirmed_no_whereabouts=True)
    text = pdf_text(letter)
    assert "Offer a review visit" in text and "1 June 2026" in text
    assert "PSOC" in text and "Typical range" in text
    assert "999 000 0026" in text
    assert "Hidden Lane" not in text and "PE2 9ZZ" not in text


def test_family_letter_goes_to_the_family_at_their_confidential_address(
    service, coordinator, practitioner, django_capture_on_commit_callbacks
):
    secret = parent(address="7 Hidden Lane, Peterborough", postcode="PE2 9ZZ")
    referral = family_of(service, coordinator, practitioner, parents=[secret], confidential_address=True)
    letter = actions.draft_letter(referral=referral, kind="family", by=practitioner)
    letter = approve_now(letter, practitioner, django_capture_on_commit_callbacks)
    assert "Hidden Lane" in pdf_text(letter)


def test_url_fetcher_serves_only_our_static_files():
    fetcher = rendering.url_fetcher()
    base = rendering.BASE_URL.rstrip("/")
    assert fetcher.fetch(f"{base}/static/letters/print.css").status == 200
    for url in (
        "https://example.com/tracker.png",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "data:text/plain,hello",
        f"{base}/static/../../settings.py",
        f"{base}/static/letters/missing.css",
    ):
        with pytest.raises(rendering.RefusedFetch):
            fetcher.fetch(url)


def test_stylesheet_and_fonts_are_loaded_once_per_process():
    assert rendering.print_stylesheet() is rendering.print_stylesheet()
    assert rendering.font_config() is rendering.font_config()


def test_letter_html_escapes_what_people_typed(service, coordinator):
    letter = decline_letter(service, coordinator)
    letter = actions.edit_letter(
        letter=letter,
        sections={"reason": '<img src="https://example.com/x.png"> {{ settings.SECRET_KEY }}'},
        recipient_name=letter.recipient_name,
        recipient_address=letter.recipient_address,
        by=coordinator,
    )
    html = rendering.letter_html(letter)
    assert "<img" not in html and "&lt;img" in html
    assert "{{ settings.SECRET_KEY }}" in html  # shown as typed, never run
