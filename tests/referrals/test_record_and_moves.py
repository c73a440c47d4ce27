"""The API record shows who holds the family and what happened; a family that moved site is flagged until it
is resolved (issue 8)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals import actions
from referrals.models import MOVED_SITE_FLAG, Referral, ReferralEvent
from referrals.reads.caseloads import caseload_rows, practitioner_caseload_allocations
from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.helpers import referral_data
from tests.referrals.test_api import body, put

LIST_URL = "/api/v1/referrals/"


def _move(referral, site, by):
    data = referral_data(referral.service, site=site, referral_source=referral.referral_source)
    parents = [{k: getattr(p, k) for k in ("name", "date_of_birth", "postcode")} for p in referral.parents.all()]
    return actions.update_referral(referral=referral, data=data, parents=parents, by=by)


def test_record_shows_current_allocation_history_and_timeline(
    login, service, coordinator, practitioner, other_practitioner
):
    set_details(practitioner, service, coordinator)
    set_details(other_practitioner, service, coordinator)
    referral = allocated_referral(service, coordinator, practitioner)
    actions.reallocate_referral(referral=referral, practitioner=other_practitioner, reason="Left", by=coordinator)
    data = login(coordinator).get(f"{LIST_URL}{referral.pk}/").json()
    assert data["current_allocation"]["practitioner"] == {"id": other_practitioner.pk, "name": str(other_practitioner)}
    assert data["current_allocation"]["allocated_by"]["id"] == coordinator.pk
    first, second = data["allocations"]
    assert (first["practitioner"]["id"], first["end_reason"], first["ended_by"]["id"]) == (
        practitioner.pk,
        "Left",
        coordinator.pk,
    )
    assert second["ended_at"] is None
    kinds = [event["kind"] for event in data["timeline"]]
    assert kinds == ["created", "triage_accept", "allocated", "reallocated"]
    assert data["timeline"][-1]["actor"] == {"id": coordinator.pk, "name": str(coordinator)}
    assert data["timeline"][-1]["changes"]["reason"] == [None, "Left"]
    assert data["needs_reallocation"] is False


def test_waiting_referral_has_no_current_allocation(login, service, coordinator):
    from tests.referrals.allocation_helpers import accepted_referral

    data = login(coordinator).get(f"{LIST_URL}{accepted_referral(service, coordinator).pk}/").json()
    assert (data["current_allocation"], data["allocations"]) == (None, [])


def test_record_query_count_does_not_grow_with_history(login, service, coordinator, practitioner, other_practitioner):
    set_details(practitioner, service, coordinator, capacity=10)
    set_details(other_practitioner, service, coordinator, capacity=10)
    referral = allocated_referral(service, coordinator, practitioner)
    client = login(coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{LIST_URL}{referral.pk}/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(3):
        to, back = (other_practitioner, practitioner) if n % 2 == 0 else (practitioner, other_practitioner)
        actions.reallocate_referral(referral=referral, practitioner=to, reason=f"Move {n}", by=coordinator)
    assert queries() == few


def test_family_that_moved_site_is_flagged_until_reallocated(
    login, service, coordinator, practitioner, trainee, supervisor, peterborough, cambridgeshire
):
    """The practitioner works only at Peterborough; the family moves to Cambridgeshire."""
    set_details(practitioner, service, coordinator)
    set_details(trainee, service, coordinator, supervisor=supervisor)
    referral = allocated_referral(service, coordinator, practitioner, site=peterborough)
    assert not Referral.objects.get(pk=referral.pk).needs_reallocation
    _move(Referral.objects.get(pk=referral.pk), cambridgeshire, coordinator)

    moved = Referral.objects.with_list_details().get(pk=referral.pk)
    assert moved.needs_reallocation and MOVED_SITE_FLAG in moved.flags()
    event = ReferralEvent.objects.filter(referral=referral, kind="site_changed").get()
    assert "check the allocation" in event.summary
    client = login(coordinator)
    assert client.get(f"{LIST_URL}{referral.pk}/").json()["needs_reallocation"] is True
    [row] = client.get(LIST_URL).json()["results"]
    assert MOVED_SITE_FLAG in row["flags"]
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert b"Moved site: check allocation" in page.content
    [caseload_row] = caseload_rows(practitioner_caseload_allocations(coordinator, _membership(practitioner)))
    assert MOVED_SITE_FLAG in caseload_row.flags

    actions.reallocate_referral(referral=referral, practitioner=trainee, reason="Family moved", by=coordinator)
    assert not Referral.objects.get(pk=referral.pk).needs_reallocation
    assert client.get(f"{LIST_URL}{referral.pk}/").json()["needs_reallocation"] is False


def test_practitioner_who_covers_the_new_site_resolves_it(
    service, coordinator, practitioner, peterborough, cambridgeshire
):
    set_details(practitioner, service, coordinator)
    referral = allocated_referral(service, coordinator, practitioner, site=peterborough)
    _move(referral, cambridgeshire, coordinator)
    assert Referral.objects.get(pk=referral.pk).needs_reallocation
    _membership(practitioner).sites.add(cambridgeshire)
    assert not Referral.objects.get(pk=referral.pk).needs_reallocation


def test_moving_a_waiting_family_is_not_flagged_and_adds_no_event(service, coordinator, peterborough, cambridgeshire):
    from tests.referrals.allocation_helpers import accepted_referral

    referral = accepted_referral(service, coordinator, site=peterborough)
    _move(referral, cambridgeshire, coordinator)
    assert not Referral.objects.get(pk=referral.pk).needs_reallocation
    assert not ReferralEvent.objects.filter(referral=referral, kind="site_changed").exists()


def test_list_query_count_stays_constant_with_moved_families(
    login, service, coordinator, practitioner, peterborough, cambridgeshire
):
    set_details(practitioner, service, coordinator, capacity=20)
    client = login(coordinator)

    def queries(rows: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert len(client.get(LIST_URL).json()["results"]) == rows
        return len(captured)

    _move(allocated_referral(service, coordinator, practitioner, site=peterborough), cambridgeshire, coordinator)
    few = queries(1)
    for _ in range(4):
        _move(allocated_referral(service, coordinator, practitioner, site=peterborough), cambridgeshire, coordinator)
    assert queries(5) == few


def test_api_update_of_site_flags_the_record(login, service, coordinator, practitioner, peterborough, cambridgeshire):
    set_details(practitioner, service, coordinator)
    referral = allocated_referral(service, coordinator, practitioner, site=peterborough)
    response = put(login(coordinator), f"{LIST_URL}{referral.pk}/", body(service, site=cambridgeshire.pk))
    assert response.status_code == 200, response.json()
    assert response.json()["needs_reallocation"] is True
    assert response.json()["timeline"][-1]["kind"] == "site_changed"


def _membership(user):
    from accounts.models import Membership, Role

    return Membership.objects.get(user=user, role=Role.PRACTITIONER)
