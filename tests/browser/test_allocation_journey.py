"""Journey: a coordinator allocates a family from the waiting list; the practitioner logs in and finds it on their
caseload, while another practitioner neither sees it nor can open it. Every page must pass axe."""

import re
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from referrals.models import Allocation
from tests.browser.conftest import click_and_wait, log_out, sign_in
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral, set_details

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARENT_NAME = "Jane Example"  # tests.referrals.helpers.parent()


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def test_coordinator_allocates_from_waiting_list_and_practitioner_sees_family_on_caseload(
    page, live_server, axe_check, service, coordinator, practitioner
):
    set_details(practitioner, service, coordinator, capacity=3)
    referral = accepted_referral(service, coordinator)

    # Coordinator: home → Waiting list (header navigation)
    sign_in(page, live_server, coordinator)
    axe_check(page)
    click_and_wait(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Waiting list"))
    assert path_of(page) == reverse("referrals:waiting_list")
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting list")
    row = page.locator("#waiting-list tbody tr", has_text=referral.reference)
    expect(row).to_contain_text(PARENT_NAME)
    expect(row).to_contain_text("Peterborough")
    axe_check(page)

    # Allocate → one list of practitioners (radios whose hints carry the figures), then choose one
    click_and_wait(row.get_by_role("link", name=f"Allocate {referral.reference}, {PARENT_NAME}"))
    assert path_of(page) == reverse("referrals:allocate", args=[referral.pk])
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocate a practitioner")
    choice = page.get_by_role("radio", name=str(practitioner))
    expect(choice).to_have_accessible_description(re.compile("0 of 3 families.*Accredited.*Same site"))
    axe_check(page)

    page.get_by_label(str(practitioner)).check()
    click_and_wait(page.get_by_role("button", name="Allocate", exact=True))
    assert path_of(page) == reverse("referrals:detail", args=[referral.pk])
    # The banner's wording after "allocated" is not pinned (it may or may not repeat the practitioner's name).
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        f"Referral {referral.reference} allocated"
    )
    expect(page.locator("main h1 + p .nhsuk-tag").first).to_have_text("Allocated")
    allocation = page.get_by_role("heading", name="Allocation", exact=True).locator("xpath=following-sibling::p[1]")
    expect(allocation).to_contain_text(f"Allocated to {practitioner} on ")
    axe_check(page)
    assert Allocation.objects.active().get(referral=referral).practitioner == practitioner

    log_out(page)
    assert path_of(page) == reverse("accounts:login")
    axe_check(page)

    # Practitioner: the family is on "Your caseload" on the home page, and opens.
    sign_in(page, live_server, practitioner)
    assert path_of(page) == reverse("home")
    caseload = page.get_by_role("table", name="Your caseload")
    expect(caseload.get_by_role("link", name=PARENT_NAME)).to_be_visible()
    expect(caseload).to_contain_text(f"({referral.reference})")
    axe_check(page)

    click_and_wait(caseload.get_by_role("link", name=PARENT_NAME))
    assert path_of(page) == reverse("referrals:detail", args=[referral.pk])
    expect(page.get_by_role("heading", level=1)).to_contain_text(referral.reference)
    axe_check(page)


def test_other_practitioner_does_not_see_the_family_and_gets_not_found(
    page, live_server, axe_check, service, coordinator, practitioner, other_practitioner
):
    set_details(practitioner, service, coordinator)
    set_details(other_practitioner, service, coordinator)
    referral = allocated_referral(service, coordinator, practitioner)

    sign_in(page, live_server, other_practitioner)
    assert path_of(page) == reverse("home")
    expect(page.get_by_role("heading", level=2, name="Your caseload")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No open families.")
    expect(page.locator("main")).not_to_contain_text(PARENT_NAME)
    expect(page.locator("main")).not_to_contain_text(referral.reference)
    axe_check(page)

    response = page.goto(live_server.url + reverse("referrals:detail", args=[referral.pk]))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("main")).not_to_contain_text(PARENT_NAME)
    axe_check(page)
