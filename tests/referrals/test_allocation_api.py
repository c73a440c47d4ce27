"""The allocation and caseload API: same actions, candidates, caseloads and permission rules as the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent, Membership, Role
from referrals.models import Allocation, Referral
from referrals.reads.caseloads import ranked_candidates
from referrals.states import ReferralStatus
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral, set_details

PRACTITIONERS_URL = "/api/v1/practitioners/"
MINE_URL = "/api/v1/caseloads/mine/"


def url(name: str, referral: Referral) -> str:
    return reverse(f"api:referral-{name}", kwargs={"pk": referral.pk})


def caseload_url(user) -> str:
    return reverse("api:caseload-detail", kwargs={"user_id": user.pk})


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["referral_id"] for row in response.json()["results"]]


@pytest.fixture
def ready(service, coordinator, practitioner, other_practitioner, trainee, supervisor):
    set_details(practitioner, service, coordinator, capacity=60, protected_days=[0, 2])
    set_details(other_practitioner, service, coordinator, capacity=60)
    set_details(trainee, service, coordinator, capacity=60, supervisor=supervisor, training_stage=1)


# --- allocate ------------------------------------------------------------------------------------------------------


def test_allocate_then_allocate_again_is_409(login, ready, service, coordinator, practitioner, other_practitioner):
    referral = accepted_referral(service, coordinator)
    client = login(coordinator)
    response = post(client, url("allocate", referral), {"practitioner": practitioner.pk})
    assert response.status_code == 200, response.json()
    out = response.json()
    allocation = Allocation.objects.get(referral=referral)
    assert out == {
        "id": allocation.pk,
        "referral": referral.pk,
        "practitioner": {"id": practitioner.pk, "name": str(practitioner)},
        "supervisor": None,
        "allocated_by": {"id": coordinator.pk, "name": str(coordinator)},
        "allocated_at": out["allocated_at"],
        "over_capacity_reason": "",
    }
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ALLOCATED

    response = post(client, url("allocate", referral), {"practitioner": other_practitioner.pk})
    assert response.status_code == 409
    assert "just allocated" in response.json()["detail"]
    assert str(practitioner) in response.json()["detail"]
    assert Allocation.objects.get(referral=referral).practitioner == practitioner


def test_allocating_a_trainee_names_their_supervisor(login, ready, service, coordinator, trainee, supervisor):
    referral = accepted_referral(service, coordinator)
    response = post(login(coordinator), url("allocate", referral), {"practitioner": trainee.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["supervisor"] == {"id": supervisor.pk, "name": str(supervisor)}


def test_allocating_a_referral_not_yet_accepted_is_409(login, ready, service, coordinator, practitioner):
    from tests.referrals.helpers import make_referral

    referral = make_referral(service, coordinator)
    response = post(login(coordinator), url("allocate", referral), {"practitioner": practitioner.pk})
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_other_service_coordinator_gets_404_and_nothing_changes(
    login, ready, service, coordinator, other_coordinator, practitioner, other_practitioner
):
    waiting = accepted_referral(service, coordinator)
    allocated = allocated_referral(service, coordinator, practitioner)
    client = login(other_coordinator)
    assert post(client, url("allocate", waiting), {"practitioner": practitioner.pk}).status_code == 404
    assert client.get(url("candidates", waiting)).status_code == 404
    reallocate = {"practitioner": other_practitioner.pk, "reason": "No"}
    assert post(client, url("reallocate", allocated), reallocate).status_code == 404
    assert post(client, url("unallocate", allocated), {"reason": "No"}).status_code == 404
    waiting.refresh_from_db()
    allocated.refresh_from_db()
    assert waiting.status == ReferralStatus.ACCEPTED and not waiting.allocations.exists()
    assert allocated.status == ReferralStatus.ALLOCATED
    assert allocated.allocations.get().practitioner == practitioner


def test_manager_may_see_but_not_allocate(login, ready, service, coordinator, manager, practitioner):
    referral = accepted_referral(service, coordinator)
    client = login(manager)
    assert post(client, url("allocate", referral), {"practitioner": practitioner.pk}).status_code == 403
    assert client.get(url("candidates", referral)).status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED, user_id=manager.pk).count() == 2


def test_practitioner_of_another_service_or_unknown_id_is_400(
    login, ready, service, coordinator, other_service_practitioner
):
    referral = accepted_referral(service, coordinator)
    client = login(coordinator)
    for practitioner_id in (other_service_practitioner.pk, 987654, coordinator.pk):
        response = post(client, url("allocate", referral), {"practitioner": practitioner_id})
        assert response.status_code == 400
        assert response.json() == {"practitioner": ["Choose a practitioner of this service"]}
    assert post(client, url("allocate", referral), {"practitioner": "someone"}).status_code == 400
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_over_capacity_needs_a_reason(login, service, coordinator, practitioner):
    set_details(practitioner, service, coordinator, capacity=1)
    allocated_referral(service, coordinator, practitioner)
    referral = accepted_referral(service, coordinator)
    client = login(coordinator)
    response = post(client, url("allocate", referral), {"practitioner": practitioner.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["over_capacity_reason"]
    assert "1 of 1 families" in response.json()["over_capacity_reason"][0]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED

    data = {"practitioner": practitioner.pk, "over_capacity_reason": "Family already knows her"}
    response = post(client, url("allocate", referral), data)
    assert response.status_code == 200
    assert response.json()["over_capacity_reason"] == "Family already knows her"


def test_trainee_without_supervisor_is_400(login, service, coordinator, trainee):
    set_details(trainee, service, coordinator, capacity=6)
    referral = accepted_referral(service, coordinator)
    response = post(login(coordinator), url("allocate", referral), {"practitioner": trainee.pk})
    assert response.status_code == 400
    assert "no named supervisor" in response.json()["practitioner"][0]
    assert not referral.allocations.exists()


# --- reallocate and unallocate -------------------------------------------------------------------------------------


def test_reallocate_needs_a_reason_then_moves_the_family(
    login, ready, service, coordinator, practitioner, other_practitioner
):
    referral = allocated_referral(service, coordinator, practitioner)
    assert ids(login(practitioner).get(MINE_URL)) == [referral.pk]
    client = login(coordinator)
    response = post(client, url("reallocate", referral), {"practitioner": other_practitioner.pk, "reason": " "})
    assert response.status_code == 400
    assert response.json() == {"reason": ["Enter why the referral is being reallocated"]}
    assert referral.allocations.get(ended_at__isnull=True).practitioner == practitioner

    same = {"practitioner": practitioner.pk, "reason": "Moved"}
    assert post(client, url("reallocate", referral), same).json() == {
        "practitioner": ["Choose a different practitioner"]
    }

    data = {"practitioner": other_practitioner.pk, "reason": "Family moved site"}
    response = post(client, url("reallocate", referral), data)
    assert response.status_code == 200, response.json()
    assert response.json()["practitioner"]["id"] == other_practitioner.pk
    ended = referral.allocations.get(ended_at__isnull=False)
    assert (ended.practitioner, ended.end_reason) == (practitioner, "Family moved site")

    assert ids(login(practitioner).get(MINE_URL)) == []
    assert ids(login(other_practitioner).get(MINE_URL)) == [referral.pk]


def test_reallocating_a_waiting_referral_is_409(login, ready, service, coordinator, practitioner):
    referral = accepted_referral(service, coordinator)
    data = {"practitioner": practitioner.pk, "reason": "Moved"}
    assert post(login(coordinator), url("reallocate", referral), data).status_code == 409


def test_unallocate_returns_the_referral_to_the_waiting_list(login, ready, service, coordinator, practitioner):
    referral = allocated_referral(service, coordinator, practitioner)
    client = login(coordinator)
    response = post(client, url("unallocate", referral), {"reason": ""})
    assert response.json() == {"reason": ["Enter why the referral is being unallocated"]}
    response = post(client, url("unallocate", referral), {"reason": "Practitioner off sick"})
    assert response.status_code == 200
    assert response.json() == {
        "id": referral.pk,
        "reference": referral.reference,
        "status": "accepted",
        "status_display": "Accepted – waiting for allocation",
    }
    assert referral.allocations.get().end_reason == "Practitioner off sick"
    assert post(client, url("unallocate", referral), {"reason": "Again"}).status_code == 409
    assert ids(login(practitioner).get(MINE_URL)) == []


# --- candidates ----------------------------------------------------------------------------------------------------


def test_candidates_are_ranked_as_the_page_ranks_them(
    login, service, coordinator, practitioner, other_practitioner, trainee
):
    set_details(practitioner, service, coordinator, capacity=1)
    set_details(other_practitioner, service, coordinator, capacity=5, protected_days=[1])
    set_details(trainee, service, coordinator, capacity=5)  # a trainee with no supervisor: cannot be allocated
    allocated_referral(service, coordinator, practitioner)
    referral = accepted_referral(service, coordinator)

    response = login(coordinator).get(url("candidates", referral))
    assert response.status_code == 200
    out = response.json()["results"]
    expected = ranked_candidates(referral)
    assert [c["id"] for c in out] == [c.user.pk for c in expected]
    assert [c["id"] for c in out] == [other_practitioner.pk, practitioner.pk, trainee.pk]
    best, full, no_supervisor = out
    assert best["name"] == str(other_practitioner)
    assert (best["open_cases"], best["capacity"], best["has_spare_capacity"]) == (0, 5, True)
    assert best["next_protected_day"] is not None
    assert (full["open_cases"], full["capacity"], full["has_spare_capacity"]) == (1, 1, False)
    assert (no_supervisor["is_trainee"], no_supervisor["supervisor"]) == (True, None)
    assert no_supervisor["can_be_allocated"] is False
    assert best.keys() >= {"same_site", "paused", "is_trainee", "supervisor", "can_be_allocated"}


# --- practitioners -------------------------------------------------------------------------------------------------


def test_practitioners_list_is_scoped_to_the_users_services(
    login, ready, service, coordinator, other_manager, nobody, practitioner, trainee, supervisor, peterborough
):
    allocated_referral(service, coordinator, practitioner)
    response = login(coordinator).get(PRACTITIONERS_URL)
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == set(
        Membership.objects.filter(service=service, role=Role.PRACTITIONER).values_list("user_id", flat=True)
    )
    mine = rows[practitioner.pk]
    assert mine["id"] == practitioner.pk
    assert mine["name"] == str(practitioner)
    assert mine["service"] == service.slug
    assert mine["sites"] == [{"id": peterborough.pk, "name": peterborough.name}]
    assert (mine["capacity"], mine["open_cases"], mine["protected_days"]) == (60, 1, [0, 2])
    assert (mine["training_status"], mine["training_stage"], mine["supervisor"]) == ("accredited", None, None)
    assert (mine["paused"], mine["paused_from"], mine["paused_until"]) == (False, None, None)
    assert rows[trainee.pk]["supervisor"] == {"id": supervisor.pk, "name": str(supervisor)}
    assert rows[trainee.pk]["training_stage"] == 1
    event = AccessEvent.objects.filter(action=AccessAction.LIST, user_id=coordinator.pk).last()
    assert event.object_type == "accounts.membership"
    shown = Membership.objects.filter(user_id__in=rows, service=service, role=Role.PRACTITIONER)
    assert sorted(event.detail["ids_shown"]) == sorted(shown.values_list("pk", flat=True))

    other_rows = login(other_manager).get(PRACTITIONERS_URL).json()["results"]
    assert not {row["id"] for row in other_rows} & set(rows)
    assert all(row["service"] != service.slug for row in other_rows)
    assert login(nobody).get(PRACTITIONERS_URL).json() == {"next": None, "previous": None, "results": []}


def test_practitioner_never_given_details_shows_the_default_capacity(login, service, coordinator, practitioner):
    rows = login(coordinator).get(PRACTITIONERS_URL).json()["results"]
    assert [(r["id"], r["capacity"], r["open_cases"]) for r in rows] == [(practitioner.pk, 6, 0)]


# --- caseloads -----------------------------------------------------------------------------------------------------


def test_my_caseload_shows_only_my_families_and_is_logged(
    login, ready, service, coordinator, practitioner, other_practitioner
):
    mine = allocated_referral(service, coordinator, practitioner, risks_to_staff="Dog")
    allocated_referral(service, coordinator, other_practitioner)
    response = login(practitioner).get(MINE_URL)
    assert ids(response) == [mine.pk]
    row = response.json()["results"][0]
    assert row["reference"] == mine.reference
    assert row["status"] == "Allocated – awaiting first contact"
    assert row["days_since_allocation"] == 3  # the helper allocates on the day received, three days ago
    assert row["flags"] == ["Risks to staff"]
    assert row["referrer"].startswith(mine.referrer_name)
    assert row["first_parent_name"] == "Jane Example"
    assert row["child_display_name"] == mine.child_display_name
    assert row["practitioner"] == {"id": practitioner.pk, "name": str(practitioner)}
    assert (row["last_contact"], row["next_visit"]) == (None, None)
    event = AccessEvent.objects.get(action=AccessAction.LIST, user_id=practitioner.pk)
    assert event.detail == {"list": "own caseload", "ids_shown": [mine.pk]}


def test_supervisor_sees_trainees_families(login, ready, service, coordinator, supervisor, trainee, practitioner):
    trainee_family = allocated_referral(service, coordinator, trainee)
    allocated_referral(service, coordinator, practitioner)
    client = login(supervisor)
    assert ids(client.get(MINE_URL, {"as": "supervisor"})) == [trainee_family.pk]
    assert ids(client.get(MINE_URL)) == []
    assert ids(client.get(caseload_url(trainee))) == [trainee_family.pk]
    assert client.get(caseload_url(practitioner)).status_code == 403
    assert client.get(MINE_URL, {"as": "someone"}).status_code == 400


def test_practitioner_cannot_see_another_practitioners_caseload(
    login, ready, service, coordinator, practitioner, other_practitioner
):
    mine = allocated_referral(service, coordinator, practitioner)
    allocated_referral(service, coordinator, other_practitioner)
    client = login(practitioner)
    assert ids(client.get(caseload_url(practitioner))) == [mine.pk]
    assert client.get(caseload_url(other_practitioner)).status_code == 403
    assert AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED, user_id=practitioner.pk).exists()
    assert client.get(reverse("api:caseload-detail", kwargs={"user_id": 987654})).status_code == 404


def test_service_staff_see_a_practitioners_caseload_other_services_do_not(
    login, ready, service, coordinator, manager, other_manager, practitioner
):
    family = allocated_referral(service, coordinator, practitioner)
    response = login(manager).get(caseload_url(practitioner))
    assert ids(response) == [family.pk]
    event = AccessEvent.objects.get(action=AccessAction.LIST, user_id=manager.pk)
    assert event.detail == {
        "list": "caseload",
        "membership": Membership.objects.get(user=practitioner, role=Role.PRACTITIONER).pk,
        "ids_shown": [family.pk],
    }
    assert login(other_manager).get(caseload_url(practitioner)).status_code == 404  # another service: not revealed


# --- query counts and schema ---------------------------------------------------------------------------------------


def _allocate_families(service, coordinator, practitioners, count):
    for index in range(count):
        allocated_referral(
            service,
            coordinator,
            practitioners[index % len(practitioners)],
            risks_to_staff="Dog" if index % 2 else "",
        )


def _queries(client, path, expected_rows=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    if expected_rows is not None:
        assert len(response.json()["results"]) == expected_rows
    return len(captured)


@pytest.mark.slow
def test_practitioners_query_count_does_not_grow_with_families(
    login, ready, service, coordinator, practitioner, other_practitioner, trainee
):
    client = login(coordinator)
    _allocate_families(service, coordinator, [practitioner, other_practitioner, trainee], 5)
    few = _queries(client, PRACTITIONERS_URL, expected_rows=3)
    _allocate_families(service, coordinator, [practitioner, other_practitioner, trainee], 45)
    assert _queries(client, PRACTITIONERS_URL, expected_rows=3) == few
    assert sum(row["open_cases"] for row in client.get(PRACTITIONERS_URL).json()["results"]) == 50


@pytest.mark.slow
def test_my_caseload_query_count_does_not_grow_with_families(login, ready, service, coordinator, practitioner):
    client = login(practitioner)
    _allocate_families(service, coordinator, [practitioner], 5)
    few = _queries(client, MINE_URL, expected_rows=5)
    _allocate_families(service, coordinator, [practitioner], 45)
    assert _queries(client, MINE_URL, expected_rows=50) == few


def test_schema_lists_the_allocation_endpoints(login, coordinator):
    schema = login(coordinator).get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/referrals/{id}/allocate/:",
        "/api/v1/referrals/{id}/reallocate/:",
        "/api/v1/referrals/{id}/unallocate/:",
        "/api/v1/referrals/{id}/candidates/:",
        "/api/v1/practitioners/:",
        "/api/v1/caseloads/mine/:",
        "/api/v1/caseloads/{user_id}/:",
    ):
        assert path in schema
    for operation in ("referrals_allocate", "referrals_reallocate", "practitioners_list", "caseloads_mine"):
        assert f"operationId: {operation}" in schema
    assert "AllocationOut" in schema and "CaseloadRowOut" in schema


def test_actions_are_the_same_ones_the_pages_use(login, ready, service, coordinator, practitioner):
    """Allocation through the API leaves the same history as the page: an event and an access-log row."""
    referral = accepted_referral(service, coordinator)
    post(login(coordinator), url("allocate", referral), {"practitioner": practitioner.pk})
    assert referral.events.filter(kind="allocated").exists()
    assert AccessEvent.objects.filter(
        action=AccessAction.UPDATE, object_id=str(referral.pk), detail__allocated=True
    ).exists()
