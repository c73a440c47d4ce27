""" "My caseload" has one definition, shared by the home page and `GET /api/v1/caseloads/mine/`.

Before the house was reshaped, the home page listed a practitioner's families by practitioner alone while the API
also required the practitioner role in the family's service: a practitioner who left a service (membership
deactivated) but still practised in another kept seeing the old service's families on the home page only.
"""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role, TrainingStatus
from tests.factories import MembershipFactory
from tests.referrals.allocation_helpers import allocated_referral, set_details


@pytest.fixture
def moved_practitioner(service, other_service, coordinator, practitioner):
    """Allocated a family in service A, then left A to practise in service B only."""
    set_details(practitioner, service, coordinator, capacity=10)
    referral = allocated_referral(service, coordinator, practitioner)
    Membership.objects.filter(user=practitioner, service=service).update(is_active=False)
    MembershipFactory(
        user=practitioner, service=other_service, role=Role.PRACTITIONER, training_status=TrainingStatus.ACCREDITED
    )
    return referral


def _api_references(client) -> set[str]:
    return {row["reference"] for row in client.get("/api/v1/caseloads/mine/").json()["results"]}


def test_home_page_and_api_list_the_same_families(login, moved_practitioner, practitioner):
    client = login(practitioner)
    home = client.get(reverse("home")).content.decode()
    assert moved_practitioner.reference not in _api_references(client)
    assert moved_practitioner.reference not in home


def test_a_current_family_is_on_both(login, service, coordinator, practitioner):
    set_details(practitioner, service, coordinator, capacity=10)
    referral = allocated_referral(service, coordinator, practitioner)
    client = login(practitioner)
    assert referral.reference in _api_references(client)
    assert referral.reference in client.get(reverse("home")).content.decode()
