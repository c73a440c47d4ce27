"""Journey: a coordinator records a referral with one bad field, corrects it, finds it by NHS number, requests more
information, updates it and accepts it. Every page (and every error state) must pass axe."""

import re
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from referrals.models import Referral
from tests.browser.conftest import click_and_wait, sign_in
from tests.referrals.helpers import months_ago

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_NHS_NUMBER = "943 476 5918"  # right shape, wrong Modulus 11 check digit
GOOD_NHS_NUMBER = "999 000 0018"  # test range
NHS_NUMBER_ERROR = "This is not a valid NHS number. Check it has been copied correctly"


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def status_tag(page: Page):
    """The referral's status: the first tag under the page heading."""
    return page.locator("main h1 + p .nhsuk-tag").first


def success_banner(page: Page):
    """The green banner a completed action leaves (its exact wording is the views' business, not this journey's)."""
    return page.locator(".nhsuk-notification-banner--success")


def fill_date(page: Page, field_id: str, day: int, month: int, year: int) -> None:
    page.locator(f"#{field_id}_day").fill(str(day))
    page.locator(f"#{field_id}_month").fill(str(month))
    page.locator(f"#{field_id}_year").fill(str(year))


def fill_eligible_referral(page: Page, *, nhs_number: str) -> None:
    """An eligible seed-000 family: a two-month-old baby at the Peterborough site, referred by a health visitor."""
    page.get_by_label("Site").select_option(label="Peterborough (Perinatal VIG in health visiting)")
    page.get_by_label("Referral source").select_option(label="Health visitor")
    page.get_by_label("Referrer name").fill("Helen Visitor")
    page.get_by_label("Referrer role").fill("Health visitor")
    page.get_by_label("Referrer organisation").fill("Test health visiting team")
    page.get_by_label("Referrer contact").fill("01234 000000")

    page.get_by_label("Parent 1: Name").fill("Jane Example")
    page.get_by_label("Parent 1: Relationship").fill("Mother")
    fill_date(page, "id_parent1_date_of_birth", 17, 5, 1992)
    page.get_by_label("Parent 1: NHS number").fill(nhs_number)
    page.get_by_label("Parent 1: Address").fill("1 Test Street, Peterborough")
    page.get_by_label("Parent 1: Postcode").fill("PE1 1AA")

    page.get_by_role("group", name="Is the baby born yet?").get_by_label("Yes, the child is born").check()
    page.get_by_label("Child's name").fill("Baby Example")
    born = months_ago(2)
    fill_date(page, "id_child_date_of_birth", born.day, born.month, born.year)

    page.get_by_label("Difficulty bonding with the baby").check()
    page.get_by_label("Attachment concerns").fill("Mother finds it hard to read her baby's cues.")
    page.get_by_label("Mental health concerns").fill("Postnatal depression.")
    page.get_by_label("The parent consented to this referral").check()
    page.get_by_role("group", name="Safeguarding status").get_by_label("None known").check()
    page.locator("#id_gp_practice").fill("Test Surgery")


def test_coordinator_records_corrects_finds_requests_information_updates_and_accepts(
    page, live_server, axe_check, coordinator
):
    sign_in(page, live_server, coordinator)
    axe_check(page)

    # The standing coordinator has one service, so the form opens straight away.
    page.goto(live_server.url + reverse("referrals:new"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a referral")
    axe_check(page)

    # One bad field: an NHS number that fails the check digit.
    fill_eligible_referral(page, nhs_number=BAD_NHS_NUMBER)
    click_and_wait(page.get_by_role("button", name="Save referral"))
    assert path_of(page) == reverse("referrals:new")
    assert not Referral.objects.exists()
    expect(page).to_have_title(re.compile(r"^Error: "))

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    summary_link = summary.get_by_role("link", name=NHS_NUMBER_ERROR)
    expect(summary_link).to_have_attribute("href", "#id_parent1_nhs_number")
    expect(summary.get_by_role("listitem")).to_have_count(1)  # only the one bad field

    nhs_field = page.get_by_label("Parent 1: NHS number")
    error = page.locator("#id_parent1_nhs_number-error")
    expect(error).to_have_text(f"Error: {NHS_NUMBER_ERROR}")
    assert "id_parent1_nhs_number-error" in nhs_field.get_attribute("aria-describedby").split()
    expect(nhs_field).to_have_attribute("aria-invalid", "true")
    expect(nhs_field).to_have_value(BAD_NHS_NUMBER)  # what was typed is kept
    expect(page.get_by_label("Parent 1: Name")).to_have_value("Jane Example")  # and so is everything else
    axe_check(page)

    summary_link.click()
    expect(nhs_field).to_be_focused()

    # Correct the number and save: the referral page, received and eligible.
    nhs_field.fill(GOOD_NHS_NUMBER)
    click_and_wait(page.get_by_role("button", name="Save referral"))
    referral = Referral.objects.get()
    assert path_of(page) == reverse("referrals:detail", args=[referral.pk])
    expect(success_banner(page)).to_contain_text(referral.reference)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Referral {referral.reference}")
    expect(status_tag(page)).to_have_text("Received")
    expect(page.locator("main h1 + p .nhsuk-tag", has_text="Eligible")).to_be_visible()
    expect(page.locator("main dl").filter(has_text="NHS number").first).to_contain_text(GOOD_NHS_NUMBER)
    axe_check(page)

    # Find the family from the header, typing the number with dashes.
    click_and_wait(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Find a family"))
    assert path_of(page) == reverse("referrals:search")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a family")
    axe_check(page)
    page.get_by_label("NHS number").fill("999-000-0018")
    click_and_wait(page.get_by_role("button", name="Search"))
    expect(page.locator("#results-heading")).to_have_text("1 result")
    results = page.get_by_role("table", name="1 result")
    expect(results.get_by_role("row")).to_have_count(2)
    expect(results).to_contain_text("Jane Example")
    expect(results).to_contain_text("PE1 1AA")
    axe_check(page)

    click_and_wait(results.get_by_role("link", name=referral.reference))
    assert path_of(page) == reverse("referrals:detail", args=[referral.pk])
    axe_check(page)

    # Triage: request more information, first without saying what is missing.
    click_and_wait(page.get_by_role("link", name="Make a triage decision"))
    assert path_of(page) == reverse("referrals:triage", args=[referral.pk])
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage decision")
    axe_check(page)
    page.get_by_role("radio", name="Request more information").check()
    click_and_wait(page.get_by_role("button", name="Record decision"))
    assert path_of(page) == reverse("referrals:triage", args=[referral.pk])
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    missing = page.get_by_label("What information is missing")
    expect(missing).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_missing_information-error")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_missing_information")
    expect(page.get_by_role("radio", name="Request more information")).to_be_checked()  # the choice is kept
    axe_check(page)
    referral.refresh_from_db()
    assert referral.status == "received"

    missing.fill("Please confirm the mental-health diagnosis and who is treating it.")
    click_and_wait(page.get_by_role("button", name="Record decision"))
    assert path_of(page) == reverse("referrals:detail", args=[referral.pk])
    expect(success_banner(page)).to_be_visible()
    expect(status_tag(page)).to_have_text("Awaiting information")
    axe_check(page)

    # The referrer replies: update the referral (a new GP practice) and it goes back to the triage queue.
    click_and_wait(page.get_by_role("link", name=f"Update the referral {referral.reference}"))
    assert path_of(page) == reverse("referrals:edit", args=[referral.pk])
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Update referral {referral.reference}")
    expect(page.get_by_label("Parent 1: NHS number")).to_have_value(GOOD_NHS_NUMBER)
    axe_check(page)
    page.locator("#id_gp_practice").fill("Riverside Medical Centre")
    click_and_wait(page.get_by_role("button", name="Save changes"))
    assert path_of(page) == reverse("referrals:detail", args=[referral.pk])
    expect(success_banner(page)).to_be_visible()
    expect(status_tag(page)).to_have_text("Received")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Information received")
    expect(page.locator("main dl").filter(has_text="GP practice")).to_contain_text("Riverside Medical Centre")
    axe_check(page)

    # Accept onto the waiting list.
    click_and_wait(page.get_by_role("link", name="Make a triage decision"))
    axe_check(page)
    page.get_by_label("Accept onto the waiting list").check()
    click_and_wait(page.get_by_role("button", name="Record decision"))
    assert path_of(page) == reverse("referrals:detail", args=[referral.pk])
    expect(status_tag(page)).to_have_text("Accepted – waiting for allocation")
    axe_check(page)
    referral.refresh_from_db()
    assert referral.status == "accepted"
