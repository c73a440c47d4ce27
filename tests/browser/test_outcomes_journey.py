"""Journey: a practitioner completes a baseline EPDS with a risk answer on item 10, sees the warning, acknowledges it
with an action, then completes an end EPDS and GBO ratings and sees the change. Every page must pass axe."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from cycles.models import HelpingQuestion, HelpingQuestionRating, RatingPoint
from notices.models import Notice
from tests.browser.conftest import click_and_wait, sign_in
from tests.outcomes.helpers_outcomes import EPDS_13, EPDS_RISK, family
from tests.referrals.helpers import today

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def answer(page: Page, values, time_point: str) -> None:
    page.get_by_label(time_point).check()
    for number, position in enumerate(values, start=1):
        page.locator(f"input[name=item_{number}][value='{position}']").check()


def test_practitioner_completes_baseline_epds_with_risk_acknowledges_then_sees_change(
    page, live_server, axe_check, service, coordinator, practitioner
):
    referral = family(service, coordinator, practitioner)
    # GBO ratings are recorded with the helping questions (the cycles app); set the start ratings up directly.
    questions = [
        HelpingQuestion.objects.create(referral=referral, number=n, text=text, recorded_by=practitioner)
        for n, text in [(1, "What am I doing well when we play?"), (2, "How do I help her settle?")]
    ]
    for question, start in zip(questions, (2, 3), strict=True):
        HelpingQuestionRating.objects.create(
            question=question,
            point=RatingPoint.START,
            rated_on=today() - timedelta(days=70),
            score=start,
            recorded_by=practitioner,
        )

    sign_in(page, live_server, practitioner)
    page.goto(live_server.url + reverse("referrals:detail", args=[referral.pk]))
    expect(page.get_by_role("heading", name="Outcome measures")).to_be_visible()
    axe_check(page)
    click_and_wait(page.get_by_role("link", name=f"Outcomes and change for {referral.reference}"))
    assert path_of(page) == reverse("outcomes:family", args=[referral.pk])
    axe_check(page)

    # Baseline EPDS with item 10 answered above 0.
    click_and_wait(page.get_by_role("link", name=f"Complete the EPDS for {referral.reference}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Complete the EPDS")
    axe_check(page)
    answer(page, EPDS_RISK, "Baseline (start)")
    page.get_by_label("Day").fill(str((today() - timedelta(days=60)).day))
    page.get_by_label("Month").fill(str((today() - timedelta(days=60)).month))
    page.get_by_label("Year").fill(str((today() - timedelta(days=60)).year))
    click_and_wait(page.get_by_role("button", name="Save and score"))

    # The warning is unmissable on save...
    warning = page.locator(".app-risk-alert")
    expect(warning).to_contain_text("Risk answer needs action")
    expect(warning).to_contain_text("item 10")
    expect(page.locator("main")).to_contain_text("14")
    axe_check(page)
    # ...and on the family's record.
    page.goto(live_server.url + reverse("referrals:detail", args=[referral.pk]))
    expect(page.locator(".app-risk-alert")).to_contain_text("Risk answer needs action")

    # Acknowledge it with the action taken.
    click_and_wait(page.get_by_role("link", name="Acknowledge and record the action taken"))
    axe_check(page)
    page.get_by_label("What did you do about it?").fill("Phoned the parent; safety plan agreed with the GP")
    click_and_wait(page.get_by_role("button", name="Acknowledge"))
    assert not Notice.objects.get(recipient=practitioner).is_open
    page.goto(live_server.url + reverse("referrals:detail", args=[referral.pk]))
    expect(page.locator(".app-risk-alert")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("safety plan agreed with the GP")
    axe_check(page)

    # End EPDS.
    page.goto(live_server.url + reverse("outcomes:record", args=[referral.pk, "epds"]))
    answer(page, EPDS_13, "End")
    click_and_wait(page.get_by_role("button", name="Save and score"))
    expect(page.locator(".app-risk-alert")).to_have_count(0)
    axe_check(page)

    # End GBO ratings (recorded with the helping questions).
    for question, end in zip(questions, (7, 4), strict=True):
        HelpingQuestionRating.objects.create(
            question=question, point=RatingPoint.END, rated_on=today(), score=end, recorded_by=practitioner
        )

    page.goto(live_server.url + reverse("outcomes:family", args=[referral.pk]))
    epds = page.get_by_role("table", name="EPDS total")
    expect(epds.get_by_role("row").filter(has_text="End")).to_contain_text("-1")
    expect(epds).to_contain_text("No reliable change")
    goals = page.get_by_role("table").filter(has_text="Helping question")
    expect(goals.get_by_role("row").filter(has_text="What am I doing well")).to_contain_text("+5")
    expect(goals).to_contain_text("Reliably improved")
    expect(page.locator("svg.app-chart").first).to_be_visible()
    axe_check(page)
