"""The triage queue and waiting list: the same count as the home page, and a service column and filter for
someone who covers more than one service."""

import re

from django.urls import reverse

from accounts.models import Membership, Role
from referrals import actions
from tests.referrals.allocation_helpers import accepted_referral
from tests.referrals.helpers import make_referral, parent


def test_home_count_and_queue_heading_use_one_definition(login, service, coordinator):
    """The queue holds received and awaiting-information referrals; home counts the same and says so."""
    make_referral(service, coordinator)
    make_referral(service, coordinator, parents=[parent(name="Ann Other", nhs_number="9990000026")])
    asked = make_referral(service, coordinator, parents=[parent(name="Bea Third", nhs_number="9990000034")])
    actions.triage_referral(referral=asked, decision="request_information", by=coordinator, missing_information="GP")
    client = login(coordinator)
    home = client.get(reverse("home")).content.decode()
    queue = client.get(reverse("referrals:triage_queue")).content.decode()
    assert "3 referrals in the triage queue" in home
    assert "(1 of them awaiting information)" in home
    assert "3 referrals in the triage queue" in queue


def _columns(html: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</thead>", 1)[0]
    return re.findall(r'<th scope="col" class="nhsuk-table__header">([^<]*)</th>', table)


def test_coordinator_in_two_services_gets_a_service_column_and_filter(
    login, service, other_service, coordinator, other_coordinator
):
    Membership.objects.create(user=coordinator, service=other_service, role=Role.COORDINATOR)
    ours = make_referral(service, coordinator)
    theirs = make_referral(other_service, other_coordinator)
    accepted_referral(service, coordinator, parents=[parent(name="Ann Other", nhs_number="9990000026")])
    client = login(coordinator)
    for url_name, table_id in [("referrals:triage_queue", "triage-queue"), ("referrals:waiting_list", "waiting-list")]:
        html = client.get(reverse(url_name)).content.decode()
        assert "Service" in _columns(html, table_id), url_name
        assert 'name="service"' in html and "All services" in html, url_name
    filtered = client.get(reverse("referrals:triage_queue"), {"service": other_service.pk}).content.decode()
    assert theirs.reference in filtered and ours.reference not in filtered


def test_coordinator_in_one_service_gets_no_service_column(login, service, coordinator):
    make_referral(service, coordinator)
    html = login(coordinator).get(reverse("referrals:triage_queue")).content.decode()
    assert "Service" not in _columns(html, "triage-queue")
    assert 'name="service"' not in html


def test_row_links_name_their_row(login, service, coordinator):
    """'Allocate' on every waiting-list row needs the row in its accessible name: reference and parent."""
    referral = accepted_referral(service, coordinator)
    html = login(coordinator).get(reverse("referrals:waiting_list")).content.decode()
    hidden = f'Allocate<span class="nhsuk-u-visually-hidden"> {referral.reference}, {referral.first_parent.name}</span>'
    assert hidden in html
