"""Every page a person can reach, checked by axe-core (WCAG 2.2 AA) as someone allowed to see it.

The journeys check the pages they pass through; this sweep covers the rest (staff, caseloads, practitioner details,
withdraw, birth, unallocate, security, the 403 page) so no page escapes the check.
"""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral, set_details
from tests.referrals.helpers import make_referral, make_unborn_referral, today

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visit_all(page, live_server, paths):
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status in (200, 403), path
        assert_accessible(page)


def test_coordinator_pages_are_accessible(page, live_server, service, coordinator, practitioner, trainee, supervisor):
    from datetime import timedelta

    set_details(practitioner, service, coordinator)
    set_details(trainee, service, coordinator, supervisor=supervisor, training_stage=1)
    allocated = allocated_referral(service, coordinator, practitioner)
    unborn = make_unborn_referral(service, coordinator, due=today() + timedelta(days=30))
    accepted_referral(service, coordinator)
    membership = Membership.objects.get(user=practitioner, role=Role.PRACTITIONER)
    sign_in(page, live_server, coordinator)
    visit_all(
        page,
        live_server,
        [
            reverse("referrals:caseloads"),
            reverse("referrals:practitioner_caseload", args=[membership.pk]),
            reverse("referrals:practitioner_edit", args=[membership.pk]),
            reverse("referrals:unallocate", args=[allocated.pk]),
            reverse("referrals:allocate", args=[allocated.pk]),  # reallocation form
            reverse("referrals:withdraw", args=[unborn.pk]),
            reverse("referrals:record_birth", args=[unborn.pk]),
            reverse("referrals:detail", args=[unborn.pk]),
            reverse("referrals:waiting_list"),
            reverse("accounts:security"),
            reverse("accounts:staff"),  # 403 page for a coordinator
        ],
    )


def test_service_admin_and_manager_pages_are_accessible(
    page, live_server, service, service_admin, manager, coordinator, practitioner
):
    set_details(practitioner, service, coordinator)
    allocated_referral(service, coordinator, practitioner)
    sign_in(page, live_server, service_admin)
    visit_all(page, live_server, [reverse("accounts:staff"), reverse("referrals:caseloads"), reverse("home")])


def test_supervisor_home_is_accessible(page, live_server, service, coordinator, trainee, supervisor):
    set_details(trainee, service, coordinator, supervisor=supervisor, training_stage=1)
    allocated_referral(service, coordinator, trainee)
    sign_in(page, live_server, supervisor)
    visit_all(page, live_server, [reverse("home")])


def test_issue_8_page_states_are_accessible(page, live_server, service, other_service, coordinator, practitioner):
    """The states issue 8 added: the referral form with its contents list and revealed child dates, the triage
    page with a reason revealed under its decision, the allocation page's one list of radios with hints and its
    no-practitioner state, and lists with a service column and filter for a coordinator in two services."""
    from referrals.states import ReferralStatus

    Membership.objects.create(user=coordinator, service=other_service, role=Role.COORDINATOR)
    set_details(practitioner, service, coordinator)
    received = make_referral(service, coordinator)
    ours = accepted_referral(service, coordinator)
    nobody_to_allocate = make_referral(other_service, coordinator)
    from referrals import actions

    actions.triage_referral(referral=nobody_to_allocate, decision="accept", by=coordinator, override_reason="Agreed")
    nobody_to_allocate.refresh_from_db()
    assert ours.status == nobody_to_allocate.status == ReferralStatus.ACCEPTED
    sign_in(page, live_server, coordinator)
    visit_all(
        page,
        live_server,
        [
            reverse("referrals:allocate", args=[ours.pk]),
            reverse("referrals:allocate", args=[nobody_to_allocate.pk]),
            reverse("referrals:triage_queue"),
            reverse("referrals:waiting_list"),
            reverse("referrals:new") + f"?service={service.slug}",
        ],
    )
    page.locator("input[name=child_unborn][value=no]").check()  # reveals the child's name and date of birth
    assert page.locator("#id_child_date_of_birth_day").is_visible()
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()  # the error summary and inline errors
    page.wait_for_load_state()
    assert_accessible(page)
    page.goto(live_server.url + reverse("referrals:triage", args=[received.pk]))
    page.locator("input[name=decision][value=decline]").check()
    assert page.locator("#id_reason").is_visible() and not page.locator("#id_missing_information").is_visible()
    assert_accessible(page)
