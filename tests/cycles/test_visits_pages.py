"""Visit and liaison pages: book, record, move, one visit, and the Visits section of the family's record."""

from django.urls import reverse
from django.utils import timezone

from cycles.models import Liaison, Visit
from tests.cycles.helpers_visits import (  # noqa: F401
    attended,
    book,
    days_ago,
    family_fixture,
    other_family_fixture,
    query_count,
    ready_fixture,
)
from tests.referrals.allocation_helpers import allocated_referral


def test_practitioner_books_a_visit_from_the_page(login, family, practitioner):
    client = login(practitioner)
    day = timezone.localdate() + timezone.timedelta(days=3)
    response = client.post(
        reverse("cycles:visit_book", args=[family.pk]),
        {
            "planned_on_day": day.day,
            "planned_on_month": day.month,
            "planned_on_year": day.year,
            "planned_time": "2:30pm",
            "place": "home",
            "activities": ["shared_review", "filming"],
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    local = timezone.localtime(visit.planned_at)
    assert (local.date(), local.hour, local.minute) == (day, 14, 30)
    assert visit.activities.count() == 2


def test_booking_page_shows_errors(login, family, practitioner):
    response = login(practitioner).post(
        reverse("cycles:visit_book", args=[family.pk]), {"planned_time": "25:99", "place": "other"}
    )
    assert response.status_code == 400
    assert b"nhsuk-error-summary" in response.content
    assert not Visit.objects.exists()


def test_recording_page_puts_the_reason_rule_beside_its_field(login, family, practitioner):
    visit = book(family, practitioner, days=-1)
    response = login(practitioner).post(
        reverse("cycles:visit_record", args=[visit.pk]), {"outcome": "did_not_attend", "outcome_reason": ""}
    )
    assert response.status_code == 400
    assert b"Enter why" in response.content


def test_future_attended_refused_on_the_page(login, family, practitioner):
    visit = book(family, practitioner, days=2)
    response = login(practitioner).post(
        reverse("cycles:visit_record", args=[visit.pk]), {"outcome": "attended", "duration_minutes": "30"}
    )
    assert response.status_code == 400 and b"in the future" in response.content


def test_another_practitioners_family_and_visit_by_id(login, family, other_family, practitioner, other_practitioner):
    theirs = book(other_family, other_practitioner, days=-1)
    client = login(practitioner)
    assert client.get(reverse("cycles:visit_book", args=[other_family.pk])).status_code == 404
    assert client.get(reverse("cycles:liaison_record", args=[other_family.pk])).status_code == 404
    for name in ("cycles:visit_detail", "cycles:visit_record", "cycles:visit_reschedule"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    response = client.post(reverse("cycles:visit_record", args=[theirs.pk]), {"outcome": "attended"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.outcome == ""


def test_manager_and_coordinator_read_but_do_not_book(login, family, practitioner, manager, coordinator):
    visit = book(family, practitioner, days=-1)
    for user in (manager, coordinator):
        client = login(user)
        assert client.get(reverse("cycles:visit_detail", args=[visit.pk])).status_code == 200
        assert client.get(reverse("cycles:visit_book", args=[family.pk])).status_code == 403
        assert client.get(reverse("cycles:visit_record", args=[visit.pk])).status_code == 403
        assert client.post(reverse("cycles:liaison_record", args=[family.pk]), {}).status_code == 403
        record = client.get(reverse("referrals:detail", args=[family.pk]))
        assert b'id="visits-heading"' in record.content
        assert reverse("cycles:visit_book", args=[family.pk]).encode() not in record.content
        assert reverse("cycles:visit_record", args=[visit.pk]).encode() not in record.content


def test_record_section_offers_booking_recording_and_liaison_to_the_practitioner(login, family, practitioner):
    visit = book(family, practitioner, days=-1, activities=["shared_review", "filming"])
    page = login(practitioner).get(reverse("referrals:detail", args=[family.pk]))
    content = page.content.decode()
    assert reverse("cycles:visit_book", args=[family.pk]) in content
    assert reverse("cycles:visit_record", args=[visit.pk]) in content
    assert reverse("cycles:liaison_record", args=[family.pk]) in content
    assert "Not yet recorded" in content and "shared review, filming" in content
    assert "No liaison with the referrer recorded yet" in content


def test_liaison_from_the_page(login, family, practitioner):
    today = timezone.localdate()
    response = login(practitioner).post(
        reverse("cycles:liaison_record", args=[family.pk]),
        {
            "contacted_on_day": today.day,
            "contacted_on_month": today.month,
            "contacted_on_year": today.year,
            "method": "phone",
            "summary": "Told the health visitor we start next week.",
        },
    )
    assert response.status_code == 302
    assert Liaison.objects.get().method == "phone"


def test_recorded_visit_page_shows_what_happened(login, family, practitioner):
    visit = attended(book(family, practitioner, days=-1), practitioner, notes="Lovely eye contact")
    page = login(practitioner).get(reverse("cycles:visit_detail", args=[visit.pk]))
    assert b"Lovely eye contact" in page.content and b"60 minutes" in page.content
    assert reverse("cycles:visit_record", args=[visit.pk]).encode() not in page.content


def test_family_record_query_count_does_not_grow_with_visits(login, ready, service, coordinator, practitioner):
    family = allocated_referral(service, coordinator, practitioner, date_received=days_ago(60))  # past visits too

    def build(n):
        for i in range(n):
            visit = book(family, practitioner, days=-(i + 1) if i % 2 else i + 1)
            if i % 4 == 1:
                attended(visit, practitioner)

    client = login(practitioner)
    url = reverse("referrals:detail", args=[family.pk])
    build(5)
    five = query_count(client, url)
    build(45)
    assert query_count(client, url) == five
