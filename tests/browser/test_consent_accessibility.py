"""Consent and helping-question pages checked by axe-core (WCAG 2.2 AA), including a form showing its errors,
and recording consent with JavaScript switched off."""

import pytest
from django.urls import reverse

from cycles import actions
from tests.browser.conftest import assert_accessible, click_and_wait, sign_in
from tests.cycles.helpers_consent import days_ago, give_consent, make_family, upload, use_private_folder

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    return use_private_folder(settings, tmp_path)


def test_consent_and_helping_question_pages_are_accessible(page, live_server, service, coordinator, practitioner):
    family = make_family(service, coordinator, practitioner)
    consent = give_consent(family, practitioner, signed_form=upload())
    actions.withdraw_consent(
        consent=consent, items=["training"], withdrawn_on=days_ago(1), reason="Private", by=practitioner
    )
    question = actions.add_helping_question(referral=family, text="What am I doing well?", by=practitioner)
    actions.rate_helping_question(question=question, point="start", rated_on=days_ago(2), score=2, by=practitioner)
    sign_in(page, live_server, practitioner)
    for path in [
        reverse("referrals:detail", args=[family.pk]),
        reverse("cycles:consents", args=[family.pk]),
        reverse("cycles:consent_record", args=[family.pk]),
        reverse("cycles:consent_detail", args=[consent.pk]),
        reverse("cycles:consent_withdraw", args=[consent.pk]),
        reverse("cycles:helping_questions", args=[family.pk]),
        reverse("cycles:helping_question_add", args=[family.pk]),
        reverse("cycles:helping_question_rate", args=[question.pk]),
        reverse("cycles:helping_question_reword", args=[question.pk]),
    ]:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert_accessible(page)
    page.goto(live_server.url + reverse("cycles:consent_record", args=[family.pk]))
    click_and_wait(page.get_by_role("button", name="Record consent"))
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)


def test_consent_recorded_without_javascript(browser, live_server, service, coordinator, practitioner):
    family = make_family(service, coordinator, practitioner)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, practitioner)
    page.goto(live_server.url + reverse("cycles:consent_record", args=[family.pk]))
    page.get_by_label("Day").fill(str(days_ago(0).day))
    page.get_by_label("Month").fill(str(days_ago(0).month))
    page.get_by_label("Year").fill(str(days_ago(0).year))
    page.get_by_label("Jane Example gave consent on this form").check()
    page.locator("fieldset", has_text="Jane Example (Mother)").get_by_label("Filming").check()
    click_and_wait(page.get_by_role("button", name="Record consent"))
    assert "Consent recorded." in page.content()
    assert family.consents.count() == 1
    context.close()
