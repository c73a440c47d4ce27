"""The family's letter in the family's language: a real Urdu wording drafted through the actions, rendered by the
real pipeline and read back; English when the service has none, with the history naming the language."""

import io
import unicodedata
from datetime import date

import pytest
from pypdf import PdfReader

from letters import actions, languages
from letters.states import LetterKind
from referrals.models import ReferralEvent
from tests.letters.helpers_letters import approve_now, family_of
from tests.referrals.helpers import parent
from tooling.letter_translations import ENGLISH_FAMILY_WORDING, urdu_family_wording


def urdu_wording(service, service_admin, **changes):
    """The service's English family wording as the example was translated from, and the Urdu example."""
    actions.save_letter_template(service=service, kind=LetterKind.FAMILY, by=service_admin, **ENGLISH_FAMILY_WORDING)
    keys = [key for key, _ in languages.headed_sections(LetterKind.FAMILY)]
    wording = {k: v for k, v in urdu_family_wording(keys).items() if k != "kind"}
    wording |= {"checked_by": "A. Translator, Example Language Services", "checked_on": date(2026, 11, 2)}
    return actions.save_letter_translation(service=service, by=service_admin, **(wording | changes))


def urdu_family(service, coordinator, practitioner, preferred="Urdu", **choice):
    readers = [parent(name="Ayesha Khan", preferred_language=preferred, interpreter_needed=True, **choice)]
    return family_of(service, coordinator, practitioner, parents=readers, child_name="Zara Khan")


def read_back(letter) -> tuple[str, PdfReader]:
    with letter.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def embedded_fonts(reader: PdfReader) -> set[str]:
    """The names of the fonts whose glyphs the PDF carries (so it prints the same anywhere)."""
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            for descendant in font.get_object().get("/DescendantFonts", []):
                descendant = descendant.get_object()
                descriptor = descendant["/FontDescriptor"].get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(descendant["/BaseFont"]).split("+")[-1])
    return names


def arabic_letters(text: str) -> str:
    """The Arabic-script letters of a text, in their base forms (a PDF may give presentation forms)."""
    base = unicodedata.normalize("NFKC", text)
    return "".join(c for c in base if unicodedata.name(c, "").startswith("ARABIC LETTER"))


def history_of(referral) -> list[ReferralEvent]:
    return list(ReferralEvent.objects.filter(referral=referral, kind="letter_drafted"))


def said(event: ReferralEvent) -> str:
    """The history line and what it keeps of the letter's language."""
    return " ".join([event.summary, *(str(new) for _, new in event.changes.values())])


def test_urdu_family_letter_is_made_in_urdu_right_to_left_with_the_shipped_font(
    service, service_admin, coordinator, practitioner, django_capture_on_commit_callbacks
):
    urdu_wording(service, service_admin)
    referral = urdu_family(service, coordinator, practitioner)
    assert referral.parents.get().letter_language == "ur"  # read from "Urdu" as typed
    letter = actions.draft_letter(referral=referral, kind=LetterKind.FAMILY, by=practitioner)
    letter = actions.edit_letter(
        letter=letter,
        sections={"did_well": "Zara looked at you and smiled when you named her feelings."},
        recipient_name=letter.recipient_name,
        recipient_address=letter.recipient_address,
        by=practitioner,
    )
    html = languages_html(letter)
    assert 'dir="rtl" lang="ur"' in html  # the translated opening and closing
    assert 'dir="ltr">Zara looked at you' in html  # what the practitioner wrote in English stays left to right

    letter = approve_now(letter, practitioner, django_capture_on_commit_callbacks)
    assert letter.status == "ready"
    text, reader = read_back(letter)
    # Read back in reading order (right to left), joined forms mapped back to letters. A PDF maps some dotted
    # letters only to their shared dotless shape (خ reads back as ن), so the words are ones without that.
    found = arabic_letters(text)
    for words in ("محترم", "شکریہ", "رابطہ", "ہمارے", "کام کرنے", "اچھا کیا"):
        assert arabic_letters(words) in found, words
    assert "Ayesha Khan" in text and "Zara Khan" in text  # placeholders filled inside the Urdu
    assert "Zara looked at you and smiled" in text
    assert any(name.startswith("Noto-Naskh-Arabic") for name in embedded_fonts(reader))  # shaped with the shipped font

    [drafted] = history_of(referral)
    assert drafted.summary.endswith("drafted in Urdu")
    assert "the service's Urdu wording, checked by A. Translator" in said(drafted)
    assert letter.content["language"]["code"] == "ur"
    assert letter.content["language"]["wording"] == "translation"


def languages_html(letter) -> str:
    from letters import rendering

    return rendering.letter_html(letter)


def test_a_language_the_service_has_no_wording_for_falls_back_to_english_and_says_so(
    service, service_admin, coordinator, practitioner, django_capture_on_commit_callbacks
):
    urdu_wording(service, service_admin)
    referral = urdu_family(service, coordinator, practitioner, preferred="Polish")
    letter = actions.draft_letter(referral=referral, kind=LetterKind.FAMILY, by=practitioner)
    letter = approve_now(letter, practitioner, django_capture_on_commit_callbacks)
    text, reader = read_back(letter)
    assert "thank you for working with us" in text
    assert not arabic_letters(text)
    assert not any(name.startswith("Noto-Naskh-Arabic") for name in embedded_fonts(reader))
    [drafted] = history_of(referral)
    assert drafted.summary.endswith("drafted in English")
    assert "language for letters is Polish and the service has no Polish wording" in said(drafted)


def test_english_wording_changed_since_the_translation_keeps_letters_in_english(
    service, service_admin, coordinator, practitioner
):
    urdu_wording(service, service_admin)
    actions.save_letter_template(
        service=service,
        kind=LetterKind.FAMILY,
        opening=ENGLISH_FAMILY_WORDING["opening"],
        closing="Ring {author_name} on the number above if you need us.",
        by=service_admin,
    )
    referral = urdu_family(service, coordinator, practitioner)
    letter = actions.draft_letter(referral=referral, kind=LetterKind.FAMILY, by=practitioner)
    assert letter.content["sections"]["closing"].startswith("Ring")
    [drafted] = history_of(referral)
    assert drafted.summary.endswith("drafted in English") and "out of step" in said(drafted)


def test_translation_out_of_use_keeps_letters_in_english(service, service_admin, coordinator, practitioner):
    urdu_wording(service, service_admin, in_use=False)
    referral = urdu_family(service, coordinator, practitioner)
    letter = actions.draft_letter(referral=referral, kind=LetterKind.FAMILY, by=practitioner)
    assert letter.content["language"]["wording"] == "english"
    assert "out of use" in said(history_of(referral)[0])


def test_professional_letters_stay_in_english(service, service_admin, coordinator, practitioner):
    urdu_wording(service, service_admin)
    referral = urdu_family(service, coordinator, practitioner)
    letter = actions.draft_letter(referral=referral, kind=LetterKind.HANDOVER, by=practitioner)
    assert "language" not in letter.content
    assert history_of(referral)[0].summary.endswith("drafted")


def test_language_not_recorded_is_english_and_said(service, service_admin, coordinator, practitioner):
    urdu_wording(service, service_admin)
    referral = urdu_family(service, coordinator, practitioner)
    referral.parents.update(letter_language="")  # a record from before the language was asked
    actions.draft_letter(referral=referral, kind=LetterKind.FAMILY, by=practitioner)
    assert "not recorded" in said(history_of(referral)[0])


@pytest.mark.parametrize("typed", ["Urdu", "urdu", " URDU ", "Urdu.", "ur", "اردو", "Mirpuri/Urdu", "Urdu speaker"])
def test_the_ways_people_type_urdu_all_give_urdu_letters(service, service_admin, coordinator, practitioner, typed):
    urdu_wording(service, service_admin)
    referral = urdu_family(service, coordinator, practitioner, preferred=typed)
    letter = actions.draft_letter(referral=referral, kind=LetterKind.FAMILY, by=practitioner)
    assert letter.content["language"]["code"] == "ur"


def test_the_letters_page_says_its_language_and_shows_urdu_right_to_left(
    login, service, service_admin, coordinator, practitioner
):
    from django.urls import reverse

    urdu_wording(service, service_admin)
    referral = urdu_family(service, coordinator, practitioner)
    letter = actions.draft_letter(referral=referral, kind=LetterKind.FAMILY, by=practitioner)
    page = login(practitioner).get(reverse("letters:detail", kwargs={"letter_id": letter.pk})).content.decode()
    assert "In Urdu (the service&#x27;s Urdu wording, checked by A. Translator" in page
    assert 'dir="rtl" lang="ur">محترم' in page
    edit = login(practitioner).get(reverse("letters:edit", kwargs={"letter_id": letter.pk})).content.decode()
    assert 'dir="auto"' in edit


def test_demo_services_get_the_example_urdu_wording_in_step_with_their_english(db):
    from letters.models import LetterTranslation
    from tooling import demo
    from tooling.letter_translations import load_demo_letter_translations

    demo.configure_seed_services()
    demo.create_demo_staff()
    assert load_demo_letter_translations() == 5
    assert load_demo_letter_translations() == 5  # idempotent: the second load changes nothing
    for translation in LetterTranslation.objects.select_related("service"):
        english = languages.english_wording(translation.service, LetterKind.FAMILY)
        assert languages.out_of_step(translation, english) == ""
        assert translation.checked_by.startswith("Demo only")
    assert LetterTranslation.objects.count() == 5


def test_a_letter_drafted_before_the_familys_language_changed_warns_its_reader(
    login, service, service_admin, coordinator, practitioner
):
    from django.urls import reverse

    urdu_wording(service, service_admin)
    referral = urdu_family(service, coordinator, practitioner, preferred="English")
    letter = actions.draft_letter(referral=referral, kind=LetterKind.FAMILY, by=practitioner)
    url = reverse("letters:detail", kwargs={"letter_id": letter.pk})
    assert 'id="language-changed"' not in login(practitioner).get(url).content.decode()
    referral.parents.update(letter_language="ur")
    page = login(practitioner).get(url).content.decode()
    assert 'id="language-changed"' in page
    assert "now Urdu, but this letter was drafted in English" in page


def test_the_api_says_the_letters_language(login, service, service_admin, coordinator, practitioner):
    urdu_wording(service, service_admin)
    referral = urdu_family(service, coordinator, practitioner)
    letter = actions.draft_letter(referral=referral, kind=LetterKind.FAMILY, by=practitioner)
    out = login(practitioner).get(f"/api/v1/letters/{letter.pk}/").json()
    assert out["language"]["code"] == "ur" and out["language"]["wording"] == "translation"
    assert "checked by A. Translator" in out["language"]["summary"]
