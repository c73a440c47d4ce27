"""Visits, the diary and liaison through the API: the same rules, JSON errors, another family's ids refused."""

from django.urls import reverse
from django.utils import timezone

from cycles.models import Liaison, Visit
from tests.cycles.helpers_visits import (  # noqa: F401
    at,
    book,
    days_ago,
    family_fixture,
    other_family_fixture,
    query_count,
    ready_fixture,
)


def test_book_list_and_read_a_visit(login, family, practitioner):
    client = login(practitioner)
    response = client.post(
        reverse("api:visit-list", args=[family.pk]),
        {"planned_at": at(2).isoformat(), "place": "clinic", "activities": ["shared_review", "filming"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["practitioner"]["id"] == practitioner.pk and body["outcome"] == ""
    assert [a["kind"] for a in body["activities"]] == ["shared_review", "filming"]
    assert response["Location"] == reverse("api:visit-detail", args=[body["id"]])
    assert client.get(reverse("api:visit-detail", args=[body["id"]])).json()["place"] == "clinic"
    listed = client.get(reverse("api:visit-list", args=[family.pk])).json()
    assert [v["id"] for v in listed["results"]] == [body["id"]]


def test_record_rules_are_json_errors(login, family, practitioner):
    client = login(practitioner)
    future = book(family, practitioner, days=2)
    past = book(family, practitioner, days=-1)
    url = reverse("api:visit-record", args=[future.pk])
    response = client.post(url, {"outcome": "attended", "duration_minutes": 30}, content_type="application/json")
    assert response.status_code == 400 and "in the future" in response.json()["outcome"][0]
    url = reverse("api:visit-record", args=[past.pk])
    response = client.post(url, {"outcome": "cancelled_by_family"}, content_type="application/json")
    assert response.status_code == 400 and "outcome_reason" in response.json()
    response = client.post(url, {"outcome": "attended"}, content_type="application/json")
    assert response.status_code == 400 and "duration_minutes" in response.json()
    ok = client.post(url, {"outcome": "attended", "duration_minutes": 50}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["outcome"] == "attended"
    again = client.post(url, {"outcome": "attended", "duration_minutes": 50}, content_type="application/json")
    assert again.status_code == 409 and "already recorded" in again.json()["detail"]


def test_reschedule_through_the_api(login, family, practitioner):
    visit = book(family, practitioner, days=2)
    new_time = at(4)
    response = login(practitioner).post(
        reverse("api:visit-reschedule", args=[visit.pk]),
        {"planned_at": new_time.isoformat(), "reason": "Family asked"},
        content_type="application/json",
    )
    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.planned_at == new_time


def test_another_practitioners_family_and_visit_by_id(login, family, other_family, practitioner, other_practitioner):
    theirs = book(other_family, other_practitioner, days=-1)
    client = login(practitioner)
    assert client.get(reverse("api:visit-list", args=[other_family.pk])).status_code == 404
    assert client.get(reverse("api:visit-detail", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("api:visit-record", args=[theirs.pk]),
        {"outcome": "attended", "duration_minutes": 30},
        content_type="application/json",
    )
    assert response.status_code == 404
    response = client.post(
        reverse("api:visit-list", args=[other_family.pk]),
        {"planned_at": at(1).isoformat(), "place": "home"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert client.get(reverse("api:liaison-list", args=[other_family.pk])).status_code == 404
    assert Visit.objects.filter(referral=other_family).count() == 1


def test_manager_reads_but_cannot_book_or_record(login, family, practitioner, manager):
    visit = book(family, practitioner, days=-1)
    client = login(manager)
    assert client.get(reverse("api:visit-detail", args=[visit.pk])).status_code == 200
    assert client.get(reverse("api:visit-list", args=[family.pk])).status_code == 200
    response = client.post(
        reverse("api:visit-list", args=[family.pk]),
        {"planned_at": at(1).isoformat(), "place": "home"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = client.post(
        reverse("api:visit-record", args=[visit.pk]),
        {"outcome": "attended", "duration_minutes": 30},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client.get(reverse("api:diary")).status_code == 403


def test_liaison_through_the_api(login, family, practitioner):
    client = login(practitioner)
    url = reverse("api:liaison-list", args=[family.pk])
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    bad = client.post(
        url, {"contacted_on": tomorrow.isoformat(), "method": "phone", "summary": "x"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "contacted_on" in bad.json()
    ok = client.post(
        url,
        {"contacted_on": timezone.localdate().isoformat(), "method": "phone", "summary": "Spoke to the HV"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and Liaison.objects.count() == 1
    assert client.get(url).json()["results"][0]["summary"] == "Spoke to the HV"


def test_diary_api(login, family, practitioner):
    late = book(family, practitioner, days=-2)
    soon = book(family, practitioner, days=3)
    far = book(family, practitioner, days=60)
    body = login(practitioner).get(reverse("api:diary")).json()
    assert [(v["id"], v["not_yet_recorded"]) for v in body["results"]] == [(late.pk, True), (soon.pk, False)]
    longer = login(practitioner).get(reverse("api:diary"), {"weeks": 12}).json()["results"]
    assert [v["id"] for v in longer] == [late.pk, soon.pk, far.pk]


def test_diary_api_query_count_does_not_grow(login, ready, service, coordinator, practitioner):
    from tests.referrals.allocation_helpers import allocated_referral

    def build(n):
        for i in range(n):
            referral = allocated_referral(service, coordinator, practitioner, date_received=days_ago(60))
            book(referral, practitioner, days=-(i + 1) if i % 2 else i + 1)

    client = login(practitioner)
    build(5)
    five = query_count(client, reverse("api:diary"))
    build(45)
    assert query_count(client, reverse("api:diary")) == five
