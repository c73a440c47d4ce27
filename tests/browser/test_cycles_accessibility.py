"""The cycle pages, checked by axe-core (WCAG 2.2 AA), as the practitioner who records them, with and without
errors, and a filming recorded from the keyboard-reachable form."""

import pytest
from django.urls import reverse

from cycles import actions
from tests.browser.conftest import assert_accessible, click_and_wait, sign_in
from tests.cycles.helpers_cycles import consent, days_ago, family, helping_question, run_cycle

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cycle_pages_are_accessible(page, live_server, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner, sibling_age=13)
    consent(referral, practitioner)
    question = helping_question(referral, practitioner)
    reviewed = run_cycle(referral, practitioner, question, filmed_on=days_ago(30))
    current = actions.start_cycle(referral=referral, by=practitioner)
    sign_in(page, live_server, practitioner)
    for path in (
        reverse("referrals:detail", args=[referral.pk]),
        reverse("cycles:cycle_detail", args=[reviewed.pk]),
        reverse("cycles:cycle_detail", args=[current.pk]),
        reverse("cycles:cycle_filming", args=[current.pk]),
    ):
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert_accessible(page)
    # The filming form with errors (nothing filled in), then refused for the sibling's missing consent.
    click_and_wait(page.get_by_role("button", name="Record the filming"))
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("Day").first.fill(str(days_ago(2).day))
    page.get_by_label("Month").first.fill(str(days_ago(2).month))
    page.get_by_label("Year").first.fill(str(days_ago(2).year))
    page.get_by_label("Play").check()
    page.get_by_label("Jane Example").check()
    page.get_by_label("Sam Sibling").check()
    page.get_by_label("Length of the film").fill("6:30")
    click_and_wait(page.get_by_role("button", name="Record the filming"))
    assert "Sam Sibling has not given consent (a child aged 12 or over)" in page.content()
    assert_accessible(page)
    page.get_by_label("Sam Sibling").uncheck()
    click_and_wait(page.get_by_role("button", name="Record the filming"))
    assert "Filming recorded." in page.content()
    for path in (
        reverse("cycles:cycle_clip_add", args=[current.pk]),
        reverse("cycles:cycle_shared_review", args=[reviewed.pk]),
        reverse("cycles:cycle_start", args=[referral.pk]),
    ):
        page.goto(live_server.url + path)
        assert_accessible(page)
