"""Discharge traps found in outside testing (issue 18): reopening back to a full practitioner, more requested
actions than the README promises, and a discharge form offered for a family already discharged."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from discharge import actions
from discharge.models import Discharge
from referrals.states import ReferralStatus
from tests.discharge.helpers_discharge import REQUESTED, discharge, family
from tests.discharge.test_discharge_pages import api_data, form_data
from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.helpers import TEST_NHS_NUMBERS

REASON = "Family asked for more help"
PAST_CAPACITY = "She knows the family and has agreed to take one more."


@pytest.fixture
def referral(service, coordinator, practitioner):
    return family(service, coordinator, practitioner)


@pytest.fixture
def discharged_to_a_full_practitioner(referral, service, coordinator, practitioner):
    """Discharged, then their practitioner filled up: capacity one, one other family."""
    discharge(referral, practitioner)
    set_details(practitioner, service, coordinator, capacity=1)
    allocated_referral(service, coordinator, practitioner, child_nhs_number=TEST_NHS_NUMBERS[3])
    return referral


def test_reopen_to_a_full_practitioner_needs_and_keeps_the_reason(discharged_to_a_full_practitioner, coordinator):
    referral = discharged_to_a_full_practitioner
    with pytest.raises(ValidationError) as refused:
        actions.reopen_family(referral=referral, reason=REASON, by=coordinator, allocate_again=True)
    assert "over_capacity_reason" in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DISCHARGED  # nothing half done
    actions.reopen_family(
        referral=referral, reason=REASON, by=coordinator, allocate_again=True, over_capacity_reason=PAST_CAPACITY
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ALLOCATED
    assert referral.active_allocation.over_capacity_reason == PAST_CAPACITY


def test_reopen_page_offers_the_reason_when_the_practitioner_is_full(
    login, discharged_to_a_full_practitioner, coordinator
):
    referral = discharged_to_a_full_practitioner
    client = login(coordinator)
    url = reverse("discharge:reopen", kwargs={"pk": referral.pk})
    assert 'name="over_capacity_reason"' in client.get(url).content.decode()
    refused = client.post(url, {"reason": REASON, "allocate_again": "on"})
    assert refused.status_code == 400
    assert 'name="over_capacity_reason"' in refused.content.decode() and "capacity" in refused.content.decode()
    done = client.post(url, {"reason": REASON, "allocate_again": "on", "over_capacity_reason": PAST_CAPACITY})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.active_allocation.over_capacity_reason == PAST_CAPACITY


def test_reopen_api_takes_the_reason_and_documents_it(login, discharged_to_a_full_practitioner, coordinator):
    referral = discharged_to_a_full_practitioner
    client = login(coordinator)
    url = reverse("api:referral-reopen", kwargs={"pk": referral.pk})
    refused = client.post(url, {"reason": REASON, "allocate_again": True}, content_type="application/json")
    assert refused.status_code == 400 and "over_capacity_reason" in refused.json()
    done = client.post(
        url,
        {"reason": REASON, "allocate_again": True, "over_capacity_reason": PAST_CAPACITY},
        content_type="application/json",
    )
    assert done.status_code == 200
    schemas = client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    reopen_in = [body for name, body in schemas.items() if name.startswith("ReopenIn")]
    assert reopen_in and all("over_capacity_reason" in body["properties"] for body in reopen_in)


FOUR = REQUESTED * 4


def test_discharge_action_refuses_a_fourth_requested_action(referral, practitioner):
    with pytest.raises(ValidationError) as refused:
        discharge(referral, practitioner, requested_actions=FOUR)
    assert "requested_actions" in refused.value.message_dict
    assert "3" in refused.value.message_dict["requested_actions"][0]
    assert not Discharge.objects.exists()
    assert len(discharge(referral, practitioner, requested_actions=REQUESTED * 3).requested_actions) == 3


def test_discharge_api_refuses_a_fourth_requested_action(login, referral, practitioner):
    client = login(practitioner)
    url = reverse("api:referral-discharge", kwargs={"pk": referral.pk})
    refused = client.post(url, api_data(requested_actions=FOUR), content_type="application/json")
    assert refused.status_code == 400 and "requested_actions" in refused.json()
    assert "3" in str(refused.json()["requested_actions"])
    assert not Discharge.objects.exists()


def test_discharge_form_refuses_a_fourth_requested_action_it_never_offered(login, referral, practitioner):
    client = login(practitioner)
    url = reverse("discharge:discharge", kwargs={"pk": referral.pk})
    page = client.get(url).content.decode()
    assert 'name="action_3_who"' in page and 'name="action_4_who"' not in page
    extra = {"action_4_who": "GP", "action_4_what": "Review", "action_4_by_when": "2027-06-01"}
    refused = client.post(url, form_data(**extra))
    assert refused.status_code == 400 and "Requested actions: enter at most 3" in refused.content.decode()
    assert not Discharge.objects.exists()


@pytest.mark.parametrize("who", ["practitioner", "coordinator"])
def test_discharge_form_is_not_offered_for_a_family_already_discharged(login, referral, practitioner, who, request):
    discharge(referral, practitioner)
    client = login(request.getfixturevalue(who))
    url = reverse("discharge:discharge", kwargs={"pk": referral.pk})
    assert f'href="{url}"' not in client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode()
    page = client.get(url)
    assert page.status_code == 409
    text = page.content.decode()
    assert "already discharged" in text and 'name="summary"' not in text
    assert client.post(url, form_data()).status_code == 409
    assert Discharge.objects.count() == 1
