from datetime import timedelta
from html import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent, Membership, Role
from referrals.states import ReferralStatus
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral, set_details
from tests.referrals.helpers import parent, today


@pytest.fixture
def ready(service, coordinator, practitioner, other_practitioner, trainee, supervisor):
    set_details(practitioner, service, coordinator, capacity=60)
    set_details(other_practitioner, service, coordinator, capacity=60)
    set_details(trainee, service, coordinator, capacity=60, supervisor=supervisor, training_stage=1)


def query_count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_coordinator_allocates_from_the_page(login, ready, service, coordinator, practitioner):
    referral = accepted_referral(service, coordinator)
    client = login(coordinator)
    page = client.get(reverse("referrals:allocate", args=[referral.pk]))
    assert page.status_code == 200 and escape(str(practitioner)).encode() in page.content
    response = client.post(reverse("referrals:allocate", args=[referral.pk]), {"practitioner": practitioner.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ALLOCATED
    again = client.post(reverse("referrals:allocate", args=[referral.pk]), {"practitioner": practitioner.pk})
    assert again.status_code == 400  # now a reallocation, which needs a reason and another practitioner


def test_allocate_form_refuses_practitioner_id_from_another_service(
    login, ready, service, coordinator, other_service_practitioner
):
    referral = accepted_referral(service, coordinator)
    response = login(coordinator).post(
        reverse("referrals:allocate", args=[referral.pk]), {"practitioner": other_service_practitioner.pk}
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_practitioner_sees_own_caseload_on_home(login, ready, service, coordinator, practitioner, other_practitioner):
    mine = allocated_referral(service, coordinator, practitioner)
    theirs = allocated_referral(service, coordinator, other_practitioner)
    content = login(practitioner).get(reverse("home")).content.decode()
    assert mine.reference in content and theirs.reference not in content
    assert "Allocated – awaiting first contact" in content
    assert AccessEvent.objects.filter(
        action=AccessAction.LIST, user_id=practitioner.pk, detail__ids_shown=[mine.pk]
    ).exists()


def test_practitioner_cannot_open_another_practitioners_family(
    login, ready, service, coordinator, practitioner, other_practitioner
):
    theirs = allocated_referral(service, coordinator, other_practitioner)
    client = login(practitioner)
    assert client.get(reverse("referrals:detail", args=[theirs.pk])).status_code == 404
    other_membership = Membership.objects.get(user=other_practitioner, role=Role.PRACTITIONER)
    assert client.get(reverse("referrals:practitioner_caseload", args=[other_membership.pk])).status_code == 403
    assert client.get(reverse("referrals:caseloads")).status_code == 403
    assert client.get(reverse("referrals:waiting_list")).status_code == 403


def test_practitioner_opens_own_family(login, ready, service, coordinator, practitioner):
    mine = allocated_referral(service, coordinator, practitioner)
    client = login(practitioner)
    assert client.get(reverse("referrals:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("referrals:triage", args=[mine.pk])).status_code == 403
    assert client.get(reverse("referrals:allocate", args=[mine.pk])).status_code == 403


def test_supervisor_sees_trainees_families_only(login, ready, service, coordinator, trainee, practitioner, supervisor):
    trainee_family = allocated_referral(service, coordinator, trainee)
    other_family = allocated_referral(service, coordinator, practitioner)
    client = login(supervisor)
    home = client.get(reverse("home")).content.decode()
    assert trainee_family.reference in home and other_family.reference not in home
    assert client.get(reverse("referrals:detail", args=[trainee_family.pk])).status_code == 200
    assert client.get(reverse("referrals:detail", args=[other_family.pk])).status_code == 404
    trainee_membership = Membership.objects.get(user=trainee, role=Role.PRACTITIONER)
    assert client.get(reverse("referrals:practitioner_caseload", args=[trainee_membership.pk])).status_code == 200


def test_reallocation_removes_old_practitioners_access(
    login, ready, service, coordinator, practitioner, other_practitioner
):
    from referrals import actions

    referral = allocated_referral(service, coordinator, practitioner)
    actions.reallocate_referral(referral=referral, practitioner=other_practitioner, reason="Moved site", by=coordinator)
    assert login(practitioner).get(reverse("referrals:detail", args=[referral.pk])).status_code == 404


def test_manager_sees_service_caseload_table_not_other_services(
    login, ready, service, coordinator, manager, practitioner, other_service_practitioner
):
    allocated_referral(service, coordinator, practitioner)
    accepted_referral(service, coordinator)
    content = login(manager).get(reverse("referrals:caseloads")).content.decode()
    assert escape(str(practitioner)) in content  # names like O'Brien are escaped
    assert str(other_service_practitioner) not in content
    assert "1 waiting for allocation" in content


def test_other_service_manager_cannot_see_our_practitioner(login, ready, other_manager, practitioner):
    membership = Membership.objects.get(user=practitioner, role=Role.PRACTITIONER)
    assert login(other_manager).get(reverse("referrals:practitioner_caseload", args=[membership.pk])).status_code == 404


def test_waiting_list_bands_and_target_warning(login, service, coordinator):
    service.wait_target_weeks = 2
    service.save()
    old = accepted_referral(service, coordinator, date_received=today() - timedelta(days=20))
    week = accepted_referral(service, coordinator, date_received=today() - timedelta(days=7))
    content = login(coordinator).get(reverse("referrals:waiting_list")).content.decode()
    assert content.index(old.reference) < content.index(week.reference)
    assert "2–4 weeks (20 days)" in content and "Target breached" in content
    assert "1–2 weeks (7 days)" in content


def test_coordinator_edits_practitioner_details(login, service, coordinator, trainee, supervisor):
    membership = Membership.objects.get(user=trainee, role=Role.PRACTITIONER)
    client = login(coordinator)
    url = reverse("referrals:practitioner_edit", args=[membership.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Stage 1: 6 cycles and 7 hours of supervision" in page.content.decode()
    response = client.post(
        url, {"capacity": "4", "protected_days": ["1"], "supervisor": supervisor.pk, "training_stage": "2"}
    )
    assert response.status_code == 302
    membership.practitioner_details.refresh_from_db()
    assert membership.practitioner_details.supervisor == supervisor
    bad = client.post(url, {"capacity": "-1"})
    assert bad.status_code == 400


def test_other_service_coordinator_cannot_edit_our_practitioner(login, other_coordinator, practitioner):
    membership = Membership.objects.get(user=practitioner, role=Role.PRACTITIONER)
    response = login(other_coordinator).post(
        reverse("referrals:practitioner_edit", args=[membership.pk]), {"capacity": "40"}
    )
    assert response.status_code == 404  # another service: not revealed


@pytest.mark.slow
@pytest.mark.parametrize("url_name", ["referrals:waiting_list", "referrals:caseloads", "home"])
def test_list_query_counts_do_not_grow(login, ready, service, coordinator, practitioner, url_name):
    def build(n):
        for _ in range(n):
            allocated_referral(service, coordinator, practitioner)
            accepted_referral(service, coordinator)

    client = login(coordinator)
    build(5)
    five = query_count(client, reverse(url_name))
    build(45)
    assert query_count(client, reverse(url_name)) == five


@pytest.mark.slow
def test_practitioner_home_query_count_does_not_grow(login, ready, service, coordinator, practitioner):
    client = login(practitioner)
    for _ in range(5):
        allocated_referral(service, coordinator, practitioner)
    five = query_count(client, reverse("home"))
    for _ in range(45):
        allocated_referral(service, coordinator, practitioner)
    assert query_count(client, reverse("home")) == five


def test_service_admin_cannot_read_a_practitioners_families(
    login, ready, service, coordinator, practitioner, service_admin
):
    allocated_referral(service, coordinator, practitioner)
    membership = Membership.objects.get(user=practitioner, role=Role.PRACTITIONER)
    assert login(service_admin).get(reverse("referrals:practitioner_caseload", args=[membership.pk])).status_code == 403


def test_site_coordinator_sees_only_families_at_their_sites(
    login, ready, service, coordinator, site_coordinator, practitioner, cambridgeshire, peterborough
):
    here = allocated_referral(service, coordinator, practitioner, site=peterborough)
    there = allocated_referral(
        service, coordinator, practitioner, site=cambridgeshire, parents=[parent(postcode="CB1 2AB")]
    )
    membership = Membership.objects.get(user=practitioner, role=Role.PRACTITIONER)
    content = (
        login(site_coordinator).get(reverse("referrals:practitioner_caseload", args=[membership.pk])).content.decode()
    )
    assert here.reference in content and there.reference not in content


def test_refusal_by_404_is_logged(login, service, coordinator, other_coordinator):
    from tests.referrals.helpers import make_referral

    referral = make_referral(service, coordinator)
    assert login(other_coordinator).get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert AccessEvent.objects.filter(
        action=AccessAction.PERMISSION_DENIED, user_id=other_coordinator.pk, object_id=str(referral.pk)
    ).exists()


def test_manager_cannot_allocate_or_unallocate(login, ready, service, coordinator, manager, practitioner):
    waiting = accepted_referral(service, coordinator)
    held = allocated_referral(service, coordinator, practitioner)
    client = login(manager)
    assert (
        client.post(reverse("referrals:allocate", args=[waiting.pk]), {"practitioner": practitioner.pk}).status_code
        == 403
    )
    assert client.post(reverse("referrals:unallocate", args=[held.pk]), {"reason": "x"}).status_code == 403
    waiting.refresh_from_db()
    held.refresh_from_db()
    assert (waiting.status, held.status) == (ReferralStatus.ACCEPTED, ReferralStatus.ALLOCATED)


def test_double_submitted_allocation_allocates_once(login, ready, service, coordinator, practitioner):
    """A second click of 'Allocate' (or a stale form) must not start a second allocation."""
    from referrals.models import Allocation

    referral = accepted_referral(service, coordinator)
    client = login(coordinator)
    url = reverse("referrals:allocate", args=[referral.pk])
    assert client.post(url, {"practitioner": practitioner.pk}).status_code == 302
    again = client.post(url, {"practitioner": practitioner.pk})
    assert again.status_code == 400  # now a reallocation form: needs a reason and another practitioner
    assert Allocation.objects.filter(referral=referral).count() == 1


def test_service_admin_changes_practitioner_details_without_seeing_families(login, ready, service_admin, practitioner):
    """The caseload table offers a service admin 'Change' (theirs to do) but no link into a practitioner's families."""
    membership = Membership.objects.get(user=practitioner, role=Role.PRACTITIONER)
    client = login(service_admin)
    page = client.get(reverse("referrals:caseloads")).content.decode()
    assert reverse("referrals:practitioner_edit", args=[membership.pk]) in page
    assert reverse("referrals:practitioner_caseload", args=[membership.pk]) not in page
    assert reverse("referrals:waiting_list") not in page
    assert client.get(reverse("referrals:practitioner_edit", args=[membership.pk])).status_code == 200
    assert client.get(reverse("referrals:practitioner_caseload", args=[membership.pk])).status_code == 403
