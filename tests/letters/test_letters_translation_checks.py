"""A service's translated wording cannot break a letter: the checks, tried the ways a hurried admin pastes text; who
may save it; the settings pages; and the family's language for letters as the referral form and API take it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from letters import actions, languages
from letters.models import LetterTranslation
from letters.states import LetterKind
from referrals import actions as referral_actions
from tests.letters.test_letters_language import urdu_wording
from tests.referrals.helpers import make_referral, parent, post_data
from tests.referrals.test_api import body as api_body
from tooling.letter_translations import ENGLISH_FAMILY_WORDING, URDU_FAMILY_WORDING

OPENING, CLOSING = URDU_FAMILY_WORDING["opening"], URDU_FAMILY_WORDING["closing"]


def refused(service, service_admin, **changes) -> dict:
    with pytest.raises(ValidationError) as caught:
        urdu_wording(service, service_admin, **changes)
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("opening", "says"),
    [
        (OPENING.replace("{child_name}", "زارا"), "add {child_name}"),  # the child's name typed in, not a placeholder
        (OPENING.replace("{child_name}", "{child name}"), "Unknown placeholder"),
        (OPENING.replace("{child_name}", "{CHILD_NAME}"), "Unknown placeholder"),
        (OPENING.replace("{child_name}", "{ child_name }"), "Unknown placeholder"),
        (OPENING + " {referrer_name}", "take out {referrer_name}"),
        (OPENING.replace("{child_name}", "{{child_name}}"), "braces only around a placeholder"),
        ("", "Enter the opening in Urdu"),
        ("   ", "Enter the opening in Urdu"),
    ],
)
def test_the_opening_must_keep_exactly_the_english_placeholders(service, service_admin, opening, says):
    errors = refused(service, service_admin, opening=opening)
    assert says in " ".join(errors["opening"])


def test_a_closing_that_drops_its_sentences_or_placeholder_is_refused(service, service_admin):
    assert "add {child_name}" in refused(service, service_admin, closing="شکریہ۔")["closing"][0]
    assert "Enter the closing in Urdu" in refused(service, service_admin, closing="")["closing"][0]


@pytest.mark.parametrize(
    ("field", "text", "says"),
    [
        ("opening", OPENING + "\u202e", "text-direction"),  # a bidi override hides or reverses words
        ("opening", OPENING + "\x07", "control"),
        ("opening", OPENING + " " + "ا" * 5000, "5000 characters or fewer"),
        ("opening", OPENING + " नमस्ते", "no font"),  # Devanagari: no font, would print boxes
        ("opening", OPENING + " 🙂", "no font"),
        ("opening", "Dear {parent_names}, thank you for coming with {child_name}.", "does not read as Urdu"),
        ("closing", "Dziękujemy {child_name} za wspólną pracę i życzymy wszystkiego dobrego.", "does not read as Urdu"),
    ],
)
def test_text_that_would_break_or_mislabel_the_letter_is_refused(service, service_admin, field, text, says):
    errors = refused(service, service_admin, **{field: text})
    assert says in " ".join(errors[field])


def test_every_heading_is_needed_and_unknown_sections_refused(service, service_admin):
    keys = [key for key, _ in languages.headed_sections(LetterKind.FAMILY)]
    errors = refused(service, service_admin, headings={keys[0]: ""})
    assert all(f"heading_{key}" in errors for key in keys)
    errors = refused(service, service_admin, headings={**dict.fromkeys(keys, "سرخی"), "secret": "سرخی"})
    assert "heading_secret" in errors


def test_who_checked_it_and_when_are_needed(service, service_admin):
    assert "checked_by" in refused(service, service_admin, checked_by="  ")
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert "checked_on" in refused(service, service_admin, checked_on=tomorrow)


@pytest.mark.parametrize("language", ["en", "bn", "zh", "xx", "", "URDU"])
def test_english_unknown_and_unprintable_languages_cannot_have_wording(service, service_admin, language):
    assert "language" in refused(service, service_admin, language=language)


def test_a_saved_translation_is_changed_in_place_never_doubled(service, service_admin):
    urdu_wording(service, service_admin)
    urdu_wording(service, service_admin, in_use=False)
    assert LetterTranslation.objects.filter(service=service, language="ur").get().in_use is False


def test_only_the_services_admin_saves_translations(service, other_service_admin, coordinator, service_admin):
    for user in (coordinator, other_service_admin):
        with pytest.raises(PermissionDenied):
            actions.save_letter_translation(
                service=service,
                language="ur",
                opening=OPENING,
                closing=CLOSING,
                headings=URDU_FAMILY_WORDING["headings"],
                checked_by="A. Translator",
                checked_on=date(2026, 11, 2),
                by=user,
            )
    assert not LetterTranslation.objects.exists()


def test_settings_pages_add_and_change_urdu_wording(login, service, service_admin, other_service_admin, coordinator):
    actions.save_letter_template(service=service, kind=LetterKind.FAMILY, by=service_admin, **ENGLISH_FAMILY_WORDING)
    settings_url = reverse("letters:settings", kwargs={"service": service.slug})
    url = reverse("letters:translation", kwargs={"service": service.slug, "language": "ur"})
    for user in (other_service_admin, coordinator):
        assert login(user).get(url).status_code in (403, 404)
        assert login(user).post(url, {"opening": OPENING}).status_code in (403, 404)
    client = login(service_admin)
    page = client.get(settings_url)
    assert "letter in other languages" in page.content.decode()
    start = client.get(reverse("letters:translation_start", kwargs={"service": service.slug}), {"language": "ur"})
    assert start.status_code == 302 and start.url == url
    assert (
        client.get(reverse("letters:translation", kwargs={"service": service.slug, "language": "bn"})).status_code
        == 404
    )
    form = {
        "opening": OPENING.replace("{child_name}", ""),
        "closing": CLOSING,
        "checked_by": "A. Translator",
        "checked_on_day": "2",
        "checked_on_month": "11",
        "checked_on_year": "2026",
        "in_use": "on",
    }
    form |= {f"heading_{key}": text for key, text in URDU_FAMILY_WORDING["headings"].items()}
    bad = client.post(url, form)
    assert bad.status_code == 400 and "add {child_name}" in bad.content.decode().replace("&#x27;", "")
    assert 'dir="auto"' in bad.content.decode()
    good = client.post(url, {**form, "opening": OPENING})
    assert good.status_code == 302, good.content.decode()[:2000]
    saved = LetterTranslation.objects.get(service=service, language="ur")
    assert saved.opening == OPENING and saved.checked_by == "A. Translator" and saved.in_use
    listed = client.get(settings_url).content.decode()
    assert "Urdu – اردو" in listed and "Checked by A. Translator" in listed


# --- the family's language for letters on the referral ---------------------------------------------------------


@pytest.mark.parametrize("typed", ["Klingon", "Urdu and English", "Kurdish", "Polish/Russian"])
def test_a_preferred_language_we_cannot_read_asks_for_the_letters_language(service, coordinator, typed):
    with pytest.raises(ValidationError) as caught:
        make_referral(service, coordinator, parents=[parent(preferred_language=typed)])
    assert "parent1_letter_language" in caught.value.message_dict


def test_a_chosen_letters_language_wins_over_the_typed_one(service, coordinator):
    referral = make_referral(service, coordinator, parents=[parent(preferred_language="Urdu", letter_language="en")])
    assert referral.parents.get().letter_language == "en"
    with pytest.raises(ValidationError):
        make_referral(service, coordinator, parents=[parent(letter_language="xx")])


def test_changing_the_letters_language_is_in_the_history(service, coordinator):
    referral = make_referral(service, coordinator, parents=[parent(preferred_language="Urdu")])
    referral_actions.update_referral(
        referral=referral, data={}, parents=[parent(preferred_language="Urdu", letter_language="ar")], by=coordinator
    )
    event = referral.events.order_by("-at", "-pk").first()
    assert event.changes["parent 1: letter_language"] == ["ur", "ar"]


def test_referral_page_form_offers_the_letters_language_and_says_what_is_wrong(login, service, coordinator):
    client = login(coordinator)
    url = reverse("referrals:new") + f"?service={service.slug}"
    form = post_data(service, parent1_preferred_language="Mirpuri", parent1_letter_language="")
    response = client.post(url, form)
    assert response.status_code == 400, response.status_code
    page = response.content.decode()
    assert 'name="parent1_letter_language"' in page
    assert "Choose the language for letters" in page


def test_api_takes_and_gives_the_letters_language(login, service, coordinator):
    client = login(coordinator)
    payload = api_body(service, parents=[parent(preferred_language="Mirpuri")])
    response = client.post("/api/v1/referrals/", payload, content_type="application/json")
    assert response.status_code == 400 and "letter_language" in response.content.decode()
    payload["parents"][0]["letter_language"] = "ur"
    response = client.post("/api/v1/referrals/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["parents"][0]["letter_language"] == "ur"
