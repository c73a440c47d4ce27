"""The core journey works with JavaScript switched off: sign in, record a referral, triage it, allocate it.

(axe-core needs JavaScript to run, so the same pages are checked for accessibility by the other journeys.)"""

from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from referrals.models import Referral
from referrals.states import ReferralStatus
from tests.browser.conftest import click_and_wait, sign_in
from tests.referrals.allocation_helpers import set_details
from tests.referrals.helpers import months_ago, today

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(10_000)
    yield page
    context.close()


def fill_date(page: Page, field: str, value) -> None:
    page.locator(f"#id_{field}_day").fill(str(value.day))
    page.locator(f"#id_{field}_month").fill(str(value.month))
    page.locator(f"#id_{field}_year").fill(str(value.year))


def test_record_triage_and_allocate_without_javascript(
    page_without_js, live_server, service, coordinator, practitioner, peterborough
):
    page = page_without_js
    set_details(practitioner, service, coordinator)
    sign_in(page, live_server, coordinator)
    page.goto(live_server.url + reverse("referrals:new"))
    page.locator("#id_site").select_option(str(peterborough.pk))
    fill_date(page, "date_received", today())
    page.locator("#id_referral_source").select_option(label="Health visitor")
    for field, value in {
        "referrer_name": "Helen Visitor",
        "referrer_role": "Health visitor",
        "referrer_organisation": "Peterborough HV team",
        "referrer_contact": "01632 960000",
        "parent1_name": "Nadia Example",
        "parent1_postcode": "PE1 1AA",
        "child_name": "Baby Example",
        "attachment_concerns": "Finds it hard to read cues",
        "mental_health_concerns": "Postnatal depression",
    }.items():
        page.locator(f"#id_{field}").fill(value)
    fill_date(page, "parent1_date_of_birth", months_ago(12 * 30))
    page.locator("input[name=child_unborn][value=no]").check()
    fill_date(page, "child_date_of_birth", months_ago(2))
    page.locator("input[name=safeguarding_status][value=none_known]").check()
    click_and_wait(page.get_by_role("button", name="Save referral"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral R")
    referral = Referral.objects.get()
    assert referral.eligible

    click_and_wait(page.get_by_role("link", name="Make a triage decision"))
    page.locator("input[name=decision][value=accept]").check()
    click_and_wait(page.get_by_role("button", name="Record decision"))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED

    click_and_wait(page.get_by_role("link", name="Allocate a practitioner"))
    page.locator(f"input[name=practitioner][value='{practitioner.pk}']").check()
    click_and_wait(page.get_by_role("button", name="Allocate"))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ALLOCATED
    expect(page.locator("main")).to_contain_text(f"Allocated to {practitioner}")
