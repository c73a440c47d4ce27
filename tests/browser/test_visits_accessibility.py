"""The visit, diary and liaison pages, checked by axe-core as the practitioner who uses them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cycles import actions
from tests.browser.conftest import assert_accessible, click_and_wait, sign_in
from tests.referrals.allocation_helpers import allocated_referral, set_details

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visit_pages_are_accessible(page, live_server, service, coordinator, practitioner):
    set_details(practitioner, service, coordinator)
    family = allocated_referral(service, coordinator, practitioner)
    now = timezone.now()
    late = actions.book_visit(
        referral=family, planned_at=now - timedelta(days=1), place="home", activities=["filming"], by=practitioner
    )
    done = actions.book_visit(
        referral=family,
        planned_at=now - timedelta(days=3),
        place="clinic",
        activities=["introduction"],
        by=practitioner,
    )
    actions.record_visit(visit=done, outcome="attended", duration_minutes=45, notes="Met the family", by=practitioner)
    actions.book_visit(referral=family, planned_at=now + timedelta(days=2), place="home", by=practitioner)
    sign_in(page, live_server, practitioner)
    for path in [
        reverse("cycles:diary"),
        reverse("referrals:detail", args=[family.pk]),
        reverse("cycles:visit_book", args=[family.pk]),
        reverse("cycles:visit_detail", args=[done.pk]),
        reverse("cycles:visit_reschedule", args=[late.pk]),
        reverse("cycles:liaison_record", args=[family.pk]),
        reverse("cycles:visit_record", args=[late.pk]),
    ]:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert_accessible(page)
    # the record form with a draft restored, then with an error summary
    page.get_by_label("Notes").fill("Half-written notes")
    click_and_wait(page.get_by_role("button", name="Save as draft"))
    assert "Restored your unsaved draft" in page.content()
    assert_accessible(page)
    page.get_by_label("Did not attend").check()
    click_and_wait(page.get_by_role("button", name="Record visit"))
    assert "There is a problem" in page.content()
    assert_accessible(page)
