"""Journey: a practitioner discharges a family, edits and previews the handover letter, approves it, watches it
render and downloads it. Every page must pass axe."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from letters.models import Letter
from referrals.models import Referral
from tests.browser.conftest import click_and_wait, sign_in
from tests.discharge.helpers_discharge import family
from tests.referrals.helpers import today

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def fill_date(page: Page, prefix: str, day) -> None:
    page.locator(f"#id_{prefix}_day").fill(str(day.day))
    page.locator(f"#id_{prefix}_month").fill(str(day.month))
    page.locator(f"#id_{prefix}_year").fill(str(day.year))


def test_practitioner_discharges_edits_previews_approves_and_downloads_the_handover(
    page, live_server, axe_check, service, coordinator, practitioner, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "letters": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "letters", "base_url": None, "allow_overwrite": True},
        },
    }
    referral = family(service, coordinator, practitioner, child_name="Ava Example")
    sign_in(page, live_server, practitioner)
    page.goto(live_server.url + reverse("referrals:detail", args=[referral.pk]))
    click_and_wait(page.get_by_role("link", name=f"Discharge the family of referral {referral.reference}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Discharge the family")
    axe_check(page)

    fill_date(page, "discharged_on", today() - timedelta(days=1))
    page.get_by_label("Completed the planned cycles").check()
    page.get_by_label("Summary of the work").fill("Three cycles completed; Mum feels more confident.")
    page.get_by_label("What the family did well").fill("You waited for Ava to look at you before talking.")
    page.get_by_label("Plan for the health visitor").fill("Universal health visiting from now on.")
    page.get_by_label("Requested action 1: who").fill("Health visitor")
    page.get_by_label("Requested action 1: what").fill("Offer a review visit at 12 months")
    fill_date(page, "action_1_by_when", today() + timedelta(days=60))
    page.get_by_label("Why are the end measures missing?").fill("The family chose not to complete them.")
    page.get_by_label("The family agreed to a letter to the named health visitor").check()
    page.get_by_label("The family has been given their copy of the footage").check()
    click_and_wait(page.get_by_role("button", name="Discharge the family"))
    assert path_of(page) == reverse("discharge:letters", args=[referral.pk])
    assert Referral.objects.get(pk=referral.pk).status == "discharged"
    expect(page.get_by_role("heading", level=1)).to_have_text("Discharge letters")
    axe_check(page)

    handover = Letter.objects.get(referral=referral, kind="handover")
    click_and_wait(page.get_by_role("link", name="Edit the handover to the health visitor"))
    axe_check(page)
    page.get_by_label("Information and advice given").fill("We gave the family the local Family Hub leaflet.")
    click_and_wait(page.get_by_role("button", name="Save"))
    assert path_of(page) == reverse("letters:detail", args=[handover.pk])
    axe_check(page)

    preview = page.request.get(live_server.url + reverse("letters:preview", args=[handover.pk]))
    assert preview.status == 200 and preview.headers["content-type"] == "application/pdf"
    assert preview.body().startswith(b"%PDF")

    click_and_wait(page.get_by_role("link", name="Approve the letter"))
    axe_check(page)
    click_and_wait(page.get_by_role("button", name="Approve the letter"))
    # The page refreshes itself until the PDF is ready.
    expect(page.locator("#letter-status")).to_contain_text("The PDF is ready", timeout=20000)
    axe_check(page)
    link = page.get_by_role("link", name="Download the PDF of the handover to the health visitor")
    expect(link).to_be_visible()
    # Fetched with the signed-in session rather than saved by the browser (no temporary file left open).
    download = page.request.get(live_server.url + link.get_attribute("href"))
    assert download.status == 200 and "attachment" in download.headers["content-disposition"]
    assert download.body().startswith(b"%PDF")
