"""Journey: the practitioner records consent and a helping question rated 2, logs cycle 1's filming with two clips
and its shared review, and the caseload shows cycle 2 due. Through the real pages and links, filling the forms by
their labels; every page passes axe. Then the same journey again with JavaScript switched off (axe needs
JavaScript, so that run only completes it)."""

from collections.abc import Callable, Iterator
from datetime import date
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from cycles.models import Clip, Consent, ConsentItem, Cycle, HelpingQuestionRating
from referrals.reads.caseloads import caseload_rows, my_caseload_allocations
from tests.browser.conftest import click_and_wait, sign_in
from tests.cycles.helpers_cycles import days_ago, family

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARENT_NAME = "Jane Example"  # tests.referrals.helpers.parent()
QUESTION = "What am I doing well that helps my baby and me enjoy being together?"
CLIPS = [
    ("0:12", "0:19", ["Being attentive", "Receiving initiatives"], "Mum waits; baby looks up and smiles back."),
    ("1:35", "1:43", ["Encouraging initiatives"], "Baby reaches for the cup; mum names it and hands it over."),
]


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def fill_date(page: Page, value: date) -> None:
    """The form's one date field (Day, Month, Year)."""
    page.get_by_label("Day").fill(str(value.day))
    page.get_by_label("Month").fill(str(value.month))
    page.get_by_label("Year").fill(str(value.year))


def submit(page: Page, name: str) -> None:
    click_and_wait(page.get_by_role("main").get_by_role("button", name=name, exact=True))


def expect_success(page: Page, text: str) -> None:
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(text)


def go_home(page: Page) -> None:
    click_and_wait(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Home", exact=True))


def open_record(page: Page, referral) -> None:
    """Home → the family from "Your caseload"."""
    go_home(page)
    click_and_wait(page.get_by_role("table", name="Your caseload").get_by_role("link", name=PARENT_NAME))
    assert path_of(page) == reverse("referrals:detail", args=[referral.pk])


def caseload_status(page: Page):
    row = page.get_by_role("table", name="Your caseload").locator("tbody tr", has_text=PARENT_NAME)
    return row.locator("td").nth(1)


def practitioner_journey(page: Page, live_server, check: Callable[[Page], None], referral) -> None:
    reference = referral.reference

    sign_in(page, live_server, referral.active_allocation.practitioner)
    assert path_of(page) == reverse("home")
    expect(caseload_status(page)).to_contain_text("Allocated – awaiting first contact")
    check(page)

    # Consent: from the family's record, one person, the items they agreed to
    open_record(page, referral)
    check(page)
    click_and_wait(page.get_by_role("link", name=f"Record consent for {reference}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("consent")
    check(page)
    fill_date(page, days_ago(20))
    page.get_by_label(f"{PARENT_NAME} gave consent on this form").check()
    person = page.locator("fieldset", has_text=f"{PARENT_NAME} (Mother)")
    for item in ("Filming", "Viewing by the VIG supervisor", "Keeping clips for the family"):
        person.get_by_label(item, exact=True).check()
    page.get_by_label("The family received the written agreement", exact=False).check()
    submit(page, "Record consent")
    expect_success(page, "Consent recorded.")
    check(page)

    # A helping question, rated 2 at the start
    open_record(page, referral)
    click_and_wait(page.get_by_role("link", name=f"Add, rate or view helping questions for {reference}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Helping questions")
    check(page)
    click_and_wait(page.get_by_role("link", name="Add a helping question"))
    check(page)
    page.get_by_label("Helping question").fill(QUESTION)
    submit(page, "Save")
    expect(page.locator("main")).to_contain_text(QUESTION)
    check(page)
    click_and_wait(page.get_by_role("link", name="Rate helping question 1"))
    check(page)
    page.get_by_label("Start", exact=True).check()
    fill_date(page, days_ago(20))
    page.get_by_label("Rating from 0 to 10").fill("2")
    submit(page, "Record rating")
    expect(page.get_by_role("table", name="Ratings of question 1")).to_contain_text("2 out of 10")
    check(page)

    # Cycle 1: start it, record the filming, choose two clips, record the shared review
    open_record(page, referral)
    click_and_wait(page.get_by_role("link", name="Start cycle 1"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Start cycle 1")
    check(page)
    submit(page, "Start cycle 1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cycle 1")
    check(page)
    click_and_wait(page.get_by_role("link", name="Record the filming of cycle 1"))
    check(page)
    fill_date(page, days_ago(14))
    page.get_by_label("Play", exact=True).check()
    page.get_by_label(PARENT_NAME).check()
    page.get_by_label("Length of the film").fill("7:00")
    submit(page, "Record the filming")
    expect_success(page, "Filming recorded.")
    check(page)
    for start, end, principles, description in CLIPS:
        click_and_wait(page.get_by_role("link", name="Add a clip to cycle 1"))
        check(page)
        page.get_by_label("Start time").fill(start)
        page.get_by_label("End time").fill(end)
        for principle in principles:
            page.get_by_label(principle, exact=True).check()
        page.get_by_label(QUESTION).check()
        page.get_by_label('The "better than usual" moment').fill(description)
        submit(page, "Add the clip")
        expect_success(page, "Clip added.")
        expect(page.locator("#clips")).to_contain_text(description)
    check(page)
    click_and_wait(page.get_by_role("link", name="Record the shared review of cycle 1"))
    check(page)
    fill_date(page, days_ago(7))
    for start, end, _, _ in CLIPS:
        page.get_by_label(f"{start}–{end}:", exact=False).check()
    page.get_by_label("The parent's reflections").fill("I can see how she watches my face and waits for me.")
    page.get_by_label("Focus for the next cycle").fill("Waiting for her lead at bath time.")
    submit(page, "Record the shared review")
    expect_success(page, "Shared review recorded.")
    expect(page.locator("#shared-review")).to_contain_text("I can see how she watches my face")
    check(page)

    # The caseload now shows cycle 2's filming due, and the record offers cycle 2
    go_home(page)
    expect(caseload_status(page)).to_have_text("Status Cycle 2: filming due")
    check(page)
    open_record(page, referral)
    expect(page.get_by_role("link", name="Start cycle 2")).to_be_visible()
    check(page)


def assert_recorded(referral, practitioner) -> None:
    consent = Consent.objects.get(referral=referral)
    agreed = set(consent.givers.get().decisions.filter(agreed=True).values_list("item", flat=True))
    assert agreed == {ConsentItem.FILMING, ConsentItem.SUPERVISOR_VIEWING, ConsentItem.FAMILY_COPY}
    rating = HelpingQuestionRating.objects.get(question__referral=referral)
    assert (rating.point, rating.score, rating.question.text) == ("start", 2, QUESTION)
    cycle = Cycle.objects.get(referral=referral)
    assert cycle.number == 1
    assert Clip.objects.filter(filming__cycle=cycle).count() == 2
    assert cycle.shared_review.clips_watched.count() == 2
    rows = caseload_rows(my_caseload_allocations(practitioner, "practitioner"))
    assert [row.status for row in rows] == ["Cycle 2: filming due"]


def test_practitioner_records_consent_question_and_cycle_1_and_caseload_shows_cycle_2_due(
    page, live_server, axe_check, service, coordinator, practitioner
):
    referral = family(service, coordinator, practitioner)
    practitioner_journey(page, live_server, axe_check, referral)
    assert_recorded(referral, practitioner)


def test_the_same_journey_without_javascript(page_without_js, live_server, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    practitioner_journey(page_without_js, live_server, lambda page: None, referral)
    assert_recorded(referral, practitioner)
