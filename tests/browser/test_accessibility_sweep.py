"""Every page a person can reach, checked by axe-core (WCAG 2.2 AA) as someone allowed to see it.

The journeys check the pages they pass through; this sweep covers the rest (staff, caseloads, practitioner details,
withdraw, birth, unallocate, security, the 403 page) so no page escapes the check.
"""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral, set_details
from tests.referrals.helpers import make_referral, today

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
    unborn = make_referral(
        service,
        coordinator,
        child_unborn=True,
        child_name="",
        child_date_of_birth=None,
        expected_delivery_date=today() + timedelta(days=30),
    )
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
