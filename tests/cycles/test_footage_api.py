"""The footage destruction list through the API: footage waiting for its destruction to be confirmed, for those who
may confirm it, in a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from cycles import actions
from cycles.models import Footage
from tests.cycles.helpers_supervision import days_ago, make_cycle
from tests.referrals.allocation_helpers import allocated_referral, set_details

LIST = reverse("api:footage-destruction-list")


def _footage(service, coordinator, practitioner, *, destroy_by):
    family = allocated_referral(service, coordinator, practitioner)
    filming = make_cycle(family, practitioner, 1, filmed_on=days_ago(60)).filming
    footage = actions.record_footage(filming=filming, by=practitioner, location="Encrypted share")
    Footage.objects.filter(pk=footage.pk).update(destroy_by=destroy_by)  # set at discharge from the policy
    return footage


def test_list_shows_footage_waiting_for_destruction_soonest_first(login, service, coordinator, practitioner):
    set_details(practitioner, service, coordinator, capacity=20)
    late = _footage(service, coordinator, practitioner, destroy_by=days_ago(3))
    soon = _footage(service, coordinator, practitioner, destroy_by=days_ago(-10))
    _footage(service, coordinator, practitioner, destroy_by=None)  # no date yet: not on the list
    done = _footage(service, coordinator, practitioner, destroy_by=days_ago(5))
    actions.confirm_footage_destroyed(footage=done, destroyed_on=days_ago(1), by=coordinator)
    client = login(coordinator)
    body = client.get(LIST).json()
    assert [(r["id"], r["overdue"]) for r in body["results"]] == [(late.pk, True), (soon.pk, False)]
    assert body["results"][0]["family_reference"] == late.filming.cycle.referral.reference
    assert body["results"][0]["destruction_confirmed_by"] is None
    assert [r["id"] for r in client.get(LIST, {"overdue": "true"}).json()["results"]] == [late.pk]
    event = AccessEvent.objects.filter(user_id=coordinator.pk, action=AccessAction.LIST).latest("pk")
    assert event.object_type == "cycles.footage" and event.detail["ids_shown"] == [late.pk]
    mine = login(practitioner).get(LIST).json()["results"]
    assert [r["id"] for r in mine] == [late.pk, soon.pk]


def test_list_is_scoped_and_refused_without_the_permission(
    login, service, coordinator, practitioner, other_practitioner, other_coordinator, manager
):
    set_details(practitioner, service, coordinator, capacity=20)
    _footage(service, coordinator, practitioner, destroy_by=days_ago(3))
    assert login(other_coordinator).get(LIST).json()["results"] == []
    assert login(other_practitioner).get(LIST).json()["results"] == []
    assert login(manager).get(LIST).status_code == 403


def test_list_query_count_does_not_grow(login, service, coordinator, practitioner, django_assert_max_num_queries):
    set_details(practitioner, service, coordinator, capacity=20)
    _footage(service, coordinator, practitioner, destroy_by=days_ago(3))
    client = login(coordinator)
    with CaptureQueriesContext(connection) as captured:
        client.get(LIST)
    for n in range(5):
        _footage(service, coordinator, practitioner, destroy_by=days_ago(n))
    with django_assert_max_num_queries(len(captured)):
        assert len(client.get(LIST).json()["results"]) == 6
