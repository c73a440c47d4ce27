"""Supervision and footage through the API: the same actions and refusals as the pages, and scoping by id."""

import pytest
from django.urls import reverse

from accounts.models import Role
from cycles.models import ConsentItem, Cycle, Footage, StageReached, SupervisionSession
from tests.cycles.helpers_supervision import (
    days_ago,
    give_consent,
    make_cycle,
    trainee_family,
    trainee_with_supervisor,
)
from tests.factories import staff
from tests.referrals.allocation_helpers import allocated_referral, set_details

SESSIONS = reverse("api:supervision-session-list")


@pytest.fixture
def setup(service, coordinator, trainee, supervisor):
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    family = trainee_family(service, coordinator, trainee)
    give_consent(family, trainee)
    cycle = make_cycle(family, trainee, 1, filmed_on=days_ago(20), reviewed_on=days_ago(10))
    return membership, family, cycle


def body(membership, cycle, **overrides):
    data = {
        "trainee": membership.user_id,
        "held_on": days_ago(1).isoformat(),
        "duration_minutes": 60,
        "cycles": [cycle.pk],
        "signed_off": [cycle.pk],
        "feedback": "Good.",
    }
    return {**data, **overrides}


def test_supervisor_records_session_through_api_and_trainee_reads_it(login, setup, supervisor, trainee):
    membership, _, cycle = setup
    response = login(supervisor).post(SESSIONS, body(membership, cycle), content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["cycles"] == [
        {"cycle": cycle.pk, "number": 1, "referral": cycle.referral_id, "signed_off": True}
    ]
    assert Cycle.objects.get(pk=cycle.pk).signed_off_by == supervisor
    assert response.json()["supervisor"] == {"id": supervisor.pk, "name": supervisor.display_name}
    assert response.json()["trainee"] == {"id": trainee.pk, "name": trainee.display_name}
    listed = login(trainee).get(SESSIONS, {"trainee": trainee.pk}).json()["results"]
    assert [s["id"] for s in listed] == [response.json()["id"]]
    assert login(trainee).get(SESSIONS, {"trainee": supervisor.pk}).json()["results"] == []


def test_api_refuses_a_supervisor_who_is_not_the_trainees(login, setup, service, other_supervisor):
    membership, _, cycle = setup
    another = staff("another_supervisor", service, Role.SUPERVISOR)
    data = body(membership, cycle)
    assert login(another).post(SESSIONS, data, content_type="application/json").status_code == 403
    assert login(other_supervisor).post(SESSIONS, data, content_type="application/json").status_code == 404
    assert not SupervisionSession.objects.exists()


def test_api_refuses_supervision_without_consent_and_sign_off_without_review(
    login, service, coordinator, trainee, supervisor
):
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    family = trainee_family(service, coordinator, trainee)
    give_consent(family, trainee, items=[ConsentItem.FILMING, ConsentItem.SUPERVISOR_VIEWING])
    unreviewed = make_cycle(family, trainee, 1)
    client = login(supervisor)
    response = client.post(SESSIONS, body(membership, unreviewed), content_type="application/json")
    assert response.status_code == 409 and "no shared review" in response.json()["detail"]
    give_consent(family, trainee, items=[], refused=[ConsentItem.SUPERVISOR_VIEWING])
    family2 = trainee_family(service, coordinator, trainee)
    give_consent(family2, trainee, items=[ConsentItem.FILMING])
    no_consent = make_cycle(family2, trainee, 1, reviewed_on=days_ago(2))
    response = client.post(SESSIONS, body(membership, no_consent, signed_off=[]), content_type="application/json")
    assert response.status_code == 409 and "viewing by the vig supervisor" in response.json()["detail"]


def test_api_refuses_another_practitioners_cycle_id(login, setup, service, coordinator, practitioner, supervisor):
    membership, _, _ = setup
    set_details(practitioner, service, coordinator)
    theirs = make_cycle(
        allocated_referral(service, coordinator, practitioner), practitioner, 1, reviewed_on=days_ago(1)
    )
    response = login(supervisor).post(
        SESSIONS, body(membership, theirs, signed_off=[]), content_type="application/json"
    )
    assert response.status_code == 400 and "cycles" in response.json()


def test_session_list_is_scoped(login, setup, supervisor, other_coordinator, other_practitioner, coordinator):
    membership, _, cycle = setup
    login(supervisor).post(SESSIONS, body(membership, cycle), content_type="application/json")
    assert len(login(coordinator).get(SESSIONS).json()["results"]) == 1
    assert login(other_coordinator).get(SESSIONS).json()["results"] == []
    assert login(other_practitioner).get(SESSIONS).json()["results"] == []


def test_progress_and_stage_through_api(login, setup, supervisor, trainee, coordinator, other_coordinator):
    membership, _, _ = setup
    url = reverse("api:trainee-progress", args=[trainee.pk])
    progress = login(trainee).get(url).json()
    assert progress["trainee"] == {"id": trainee.pk, "name": trainee.display_name}
    assert (progress["stage"], progress["cycles_done"], progress["cycles_required"]) == (1, 1, 6)
    assert login(coordinator).get(url).status_code == 200
    assert login(other_coordinator).get(url).status_code == 404
    stages = reverse("api:trainee-stages", args=[trainee.pk])
    data = {"stage": 2, "reached_on": days_ago(1).isoformat()}
    assert login(coordinator).post(stages, data, content_type="application/json").status_code == 404
    response = login(supervisor).post(stages, data, content_type="application/json")
    assert response.status_code == 200 and response.json()["stage"] == 2
    assert response.json()["stages_reached"][0]["stage"] == 2
    assert response.json()["stages_reached"][0]["recorded_by"] == {"id": supervisor.pk, "name": supervisor.display_name}
    assert login(supervisor).post(stages, data, content_type="application/json").status_code == 409
    assert StageReached.objects.count() == 1


def test_footage_through_api(login, service, coordinator, practitioner, other_practitioner, supervisor):
    set_details(practitioner, service, coordinator)
    family = allocated_referral(service, coordinator, practitioner)
    filming = make_cycle(family, practitioner, 1, filmed_on=days_ago(30)).filming
    url = reverse("api:filming-footage", args=[filming.pk])
    client = login(practitioner)
    assert client.get(url).status_code == 404
    data = {"location": "Encrypted share /vig/2025", "family_copy": "given", "family_copy_on": days_ago(2).isoformat()}
    response = client.post(url, data, content_type="application/json")
    assert response.status_code == 201 and response.json()["destroy_by"] is None
    assert client.post(url, {**data, "reference": "A1"}, content_type="application/json").status_code == 200
    assert client.get(url).json()["reference"] == "A1"
    assert login(other_practitioner).post(url, data, content_type="application/json").status_code == 404
    assert login(coordinator).post(url, data, content_type="application/json").status_code == 403
    footage = Footage.objects.get()
    confirm = reverse("api:footage-confirm-destruction", args=[footage.pk])
    when = {"destroyed_on": days_ago(1).isoformat()}
    assert login(other_practitioner).post(confirm, when, content_type="application/json").status_code == 404
    assert login(coordinator).post(confirm, when, content_type="application/json").status_code == 200
    assert login(practitioner).post(confirm, when, content_type="application/json").status_code == 409


def test_footage_api_bad_values_are_400(login, service, coordinator, practitioner):
    set_details(practitioner, service, coordinator)
    family = allocated_referral(service, coordinator, practitioner)
    filming = make_cycle(family, practitioner, 1, filmed_on=days_ago(30)).filming
    url = reverse("api:filming-footage", args=[filming.pk])
    response = login(practitioner).post(
        url, {"location": "Share", "family_copy": "given"}, content_type="application/json"
    )
    assert response.status_code == 400 and "family_copy_on" in response.json()
    response = login(practitioner).post(url, {"location": "Bad\u202eShare"}, content_type="application/json")
    assert response.status_code == 400 and "location" in response.json()


def test_a_person_without_a_name_is_shown_by_username(login, setup, supervisor, trainee):
    """Display names are never blank: staff without a first or last name are shown by their username."""
    membership, _, cycle = setup
    type(supervisor).objects.filter(pk__in=[supervisor.pk, trainee.pk]).update(first_name="", last_name="")
    response = login(supervisor).post(SESSIONS, body(membership, cycle), content_type="application/json")
    assert response.json()["supervisor"] == {"id": supervisor.pk, "name": supervisor.username}
    assert response.json()["trainee"] == {"id": trainee.pk, "name": trainee.username}
    progress = login(trainee).get(reverse("api:trainee-progress", args=[trainee.pk])).json()
    assert progress["trainee"]["name"] == trainee.username


def test_a_trainee_in_two_services_is_named_with_the_service(login, setup, service, other_service, trainee):
    """People are named by user id; where that names two memberships, the service says which (400 without it)."""
    from accounts.models import Membership, TrainingStatus
    from tests.factories import MembershipFactory

    MembershipFactory(
        user=trainee, service=other_service, role=Role.PRACTITIONER, training_status=TrainingStatus.TRAINEE
    )
    both = staff("both_coordinator", service, Role.COORDINATOR)
    MembershipFactory(user=both, service=other_service, role=Role.COORDINATOR)
    client = login(both)
    url = reverse("api:trainee-progress", args=[trainee.pk])
    response = client.get(url)
    assert response.status_code == 400 and list(response.json()) == ["service"]
    assert client.get(url, {"service": service.slug}).json()["service"] == service.slug
    assert client.get(url, {"service": other_service.slug}).json()["service"] == other_service.slug
    assert Membership.objects.filter(user=trainee).count() == 2
