"""Discharge pages and API: who may discharge or reopen which family, the form's rules, the letters step."""

from datetime import timedelta

import pytest
from django.urls import reverse

from discharge.models import Discharge
from letters.models import Letter
from referrals.models import Referral
from referrals.states import ReferralStatus
from tests.discharge.helpers_discharge import REQUESTED, discharge, family, require_only_epds_at_end
from tests.referrals.helpers import today


@pytest.fixture
def referral(service, coordinator, practitioner):
    return family(service, coordinator, practitioner)


def form_data(**overrides) -> dict:
    day = today() - timedelta(days=1)
    data = {
        "discharged_on": day.isoformat(),
        "reason": "completed",
        "summary": "Three cycles completed.",
        "did_well": "You waited for Ava to look at you.",
        "ideas": "Keep reading together.",
        "health_visitor": "Helen Visitor",
        "plan": "Universal health visiting.",
        "action_1_who": "Health visitor",
        "action_1_what": "Offer a review visit",
        "action_1_by_when": "2027-06-01",
        "letter_to_referrer_agreed": "on",
        "letter_to_health_visitor_agreed": "on",
        "family_copy_given": "on",
        "missing_measures_reason": "The family chose not to complete them.",
    }
    return {**data, **overrides}


def api_data(**overrides) -> dict:
    data = {
        "discharged_on": (today() - timedelta(days=1)).isoformat(),
        "reason": "completed",
        "summary": "Three cycles completed.",
        "requested_actions": REQUESTED,
        "letter_to_health_visitor_agreed": True,
        "missing_measures_reason": "The family chose not to complete them.",
    }
    return {**data, **overrides}


def test_practitioner_discharges_through_the_page_then_sees_the_letters_step(login, referral, practitioner):
    client = login(practitioner)
    record = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk}))
    assert reverse("discharge:discharge", kwargs={"pk": referral.pk}) in record.content.decode()
    page = client.get(reverse("discharge:discharge", kwargs={"pk": referral.pk}))
    assert page.status_code == 200 and "Discharge the family" in page.content.decode()
    response = client.post(reverse("discharge:discharge", kwargs={"pk": referral.pk}), form_data())
    assert response.status_code == 302
    assert response.url == reverse("discharge:letters", kwargs={"pk": referral.pk})
    letters = client.get(response.url)
    body = letters.content.decode()
    for letter in Letter.objects.filter(referral=referral):
        assert reverse("letters:edit", kwargs={"letter_id": letter.pk}) in body
        assert reverse("letters:approve", kwargs={"letter_id": letter.pk}) in body
    assert Discharge.objects.get().requested_actions[0]["what"] == "Offer a review visit"
    record = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode()
    assert "Discharged" in record and reverse("discharge:reopen", kwargs={"pk": referral.pk}) not in record


def test_page_lists_missing_end_measures_and_needs_a_reason(login, service, referral, practitioner):
    require_only_epds_at_end(service)
    client = login(practitioner)
    url = reverse("discharge:discharge", kwargs={"pk": referral.pk})
    assert "EPDS" in client.get(url).content.decode()
    response = client.post(url, form_data(missing_measures_reason=""))
    assert response.status_code == 400 and "End measures missing" in response.content.decode()
    response = client.post(url, form_data(discharged_on=(today() + timedelta(days=3)).isoformat()))
    assert response.status_code == 400
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ALLOCATED


@pytest.mark.parametrize("who", ["other_practitioner", "supervisor", "other_coordinator", "manager"])
def test_no_one_else_discharges_by_id(login, referral, who, request):
    client = login(request.getfixturevalue(who))
    page = client.post(reverse("discharge:discharge", kwargs={"pk": referral.pk}), form_data())
    api = client.post(
        reverse("api:referral-discharge", kwargs={"pk": referral.pk}), api_data(), content_type="application/json"
    )
    assert page.status_code in (403, 404) and api.status_code in (403, 404)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ALLOCATED


def test_api_discharge_twice_is_409_and_reopen_by_practitioner_403(login, referral, practitioner, coordinator):
    client = login(practitioner)
    url = reverse("api:referral-discharge", kwargs={"pk": referral.pk})
    first = client.post(url, api_data(), content_type="application/json")
    assert first.status_code == 201, first.json()
    assert first.json()["status"] == "discharged"
    assert sorted(letter["kind"] for letter in first.json()["letters"]) == ["family", "handover"]
    assert client.post(url, api_data(), content_type="application/json").status_code == 409
    reopen = reverse("api:referral-reopen", kwargs={"pk": referral.pk})
    assert client.post(reopen, {"reason": "More help"}, content_type="application/json").status_code == 403
    coordinator_client = login(coordinator)
    done = coordinator_client.post(reopen, {"reason": "More help"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["reopen_reason"] == "More help"
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ACCEPTED


def test_api_refuses_a_future_date_and_missing_measures_without_reason(login, service, referral, practitioner):
    require_only_epds_at_end(service)
    client = login(practitioner)
    url = reverse("api:referral-discharge", kwargs={"pk": referral.pk})
    future = client.post(
        url, api_data(discharged_on=(today() + timedelta(days=2)).isoformat()), content_type="application/json"
    )
    assert future.status_code == 400 and "discharged_on" in future.json()
    missing = client.post(url, api_data(missing_measures_reason=""), content_type="application/json")
    assert missing.status_code == 400 and "missing_measures_reason" in missing.json()


def test_coordinator_reopens_through_the_page(login, referral, practitioner, coordinator):
    discharge(referral, practitioner)
    client = login(coordinator)
    url = reverse("discharge:reopen", kwargs={"pk": referral.pk})
    assert url in client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Family asked for more help", "allocate_again": "on"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ALLOCATED
    assert login(practitioner).get(url).status_code in (403, 404)


def test_discharged_family_leaves_the_practitioners_caseload(login, referral, practitioner):
    discharge(referral, practitioner)
    assert referral not in Referral.objects.open()
    assert not referral.allocations.filter(ended_at__isnull=True).exists()
