"""Caseload rows filled from visits, liaison, consent and cycles: stage, contact, next visit, what is overdue."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cycles import actions
from cycles.models import Consent, Cycle, Filming, SharedReview
from cycles.reads.caseloads import LIAISON_DUE_DAYS, stage_for
from referrals.reads.caseloads import caseload_rows, my_caseload_allocations
from tests.cycles.helpers_visits import (  # noqa: F401
    attended,
    book,
    family_fixture,
    query_count,
    ready_fixture,
)
from tests.referrals.allocation_helpers import allocated_referral


def cycle(number, *, filmed=False, reviewed=False):
    """An unsaved cycle with its filming and shared review attached (or not), for `stage_for`."""
    made = Cycle(number=number)
    made._prefetched_objects_cache = {  # as `timeline.in_force_work` leaves it
        "filmings": [Filming(filmed_on=timezone.localdate(), length_seconds=300)] if filmed else [],
        "shared_reviews": [SharedReview(reviewed_on=timezone.localdate())] if reviewed else [],
    }
    return made


@pytest.mark.parametrize(
    ("consented", "cycles", "contacted", "expected"),
    [
        (False, [], False, "Allocated – awaiting first contact"),
        (False, [], True, "Consent to record"),
        (True, [], True, "Cycle 1: filming due"),
        (True, [cycle(1, filmed=True)], True, "Cycle 1: review due"),
        (True, [cycle(1, filmed=True, reviewed=True)], True, "Cycle 2: filming due"),
        (True, [cycle(2), cycle(1, filmed=True, reviewed=True)], True, "Cycle 2: filming due"),
        (True, [cycle(1, filmed=True, reviewed=True), cycle(2, filmed=True)], True, "Cycle 2: review due"),
        (True, [cycle(n, filmed=True, reviewed=True) for n in (1, 2, 3)], True, "All cycles done"),
    ],
)
def test_stage_in_words(consented, cycles, contacted, expected):
    assert stage_for(consented=consented, cycles=cycles, planned_cycles=3, contacted=contacted) == expected


def _rows(user):
    return caseload_rows(my_caseload_allocations(user, Role.PRACTITIONER))


def test_row_shows_last_contact_next_visit_liaison_and_overdue(family, practitioner):
    (row,) = _rows(practitioner)
    assert (row.last_contact, row.next_visit, row.liaison_done, row.overdue) == (None, None, False, False)
    assert row.status == "Allocated – awaiting first contact"
    done = attended(book(family, practitioner, days=-2), practitioner)
    book(family, practitioner, days=-1)  # not recorded: overdue
    coming = book(family, practitioner, days=4)
    (row,) = _rows(practitioner)
    assert row.last_contact == timezone.localtime(done.planned_at).date()
    assert row.next_visit == timezone.localtime(coming.planned_at).date()
    assert row.overdue and row.overdue_reasons == ["1 visit not yet recorded"]
    assert row.status == "Consent to record"
    actions.record_liaison(
        referral=family, contacted_on=timezone.localdate(), method="email", summary="Emailed", by=practitioner
    )
    (row,) = _rows(practitioner)
    assert row.liaison_done and row.last_contact == timezone.localdate()


def test_liaison_overdue_after_the_days_allowed(family, practitioner):
    today = timezone.localdate()
    (row,) = caseload_rows(
        my_caseload_allocations(practitioner, Role.PRACTITIONER), today=today + timedelta(days=LIAISON_DUE_DAYS + 1)
    )
    assert row.overdue and "Liaison with the referrer not done" in row.overdue_reasons[0]


def give_consent_and_cycle(referral, by, *, reviewed: bool):
    """Direct rows, standing in for the consent and cycle actions another part of issue 9 adds."""
    Consent.objects.create(referral=referral, given_on=timezone.localdate(), recorded_by=by)
    made = Cycle.objects.create(referral=referral, number=1, created_by=by)
    Filming.objects.create(
        cycle=made, filmed_on=timezone.localdate(), activity="play", length_seconds=300, recorded_by=by
    )
    if reviewed:
        SharedReview.objects.create(
            cycle=made, reviewed_on=timezone.localdate(), parent_reflections="She smiles", recorded_by=by
        )


def test_row_stage_from_consent_and_cycles(family, practitioner):
    give_consent_and_cycle(family, practitioner, reviewed=True)
    (row,) = _rows(practitioner)
    assert row.status == "Cycle 2: filming due"


def build(service, coordinator, practitioner, n):
    for i in range(n):
        referral = allocated_referral(service, coordinator, practitioner)
        visit = book(referral, practitioner, days=-2)
        if i % 2:
            attended(visit, practitioner)
            give_consent_and_cycle(referral, practitioner, reviewed=bool(i % 3))
        book(referral, practitioner, days=3)
        actions.record_liaison(
            referral=referral, contacted_on=timezone.localdate(), method="phone", summary="Called", by=practitioner
        )


def test_practitioner_home_and_caseload_page_query_counts(login, ready, service, coordinator, practitioner):
    from accounts.models import Membership

    membership = Membership.objects.get(user=practitioner, role=Role.PRACTITIONER)
    urls = [reverse("home"), reverse("referrals:practitioner_caseload", args=[membership.pk])]
    client = login(practitioner)
    build(service, coordinator, practitioner, 5)
    five = [query_count(client, url) for url in urls]
    build(service, coordinator, practitioner, 45)
    assert [query_count(client, url) for url in urls] == five
    page = client.get(urls[1]).content.decode()
    assert "Cycle 2: filming due" in page and "Next visit:" in page


def test_api_caseload_query_count_and_fields(login, ready, service, coordinator, practitioner):
    client = login(practitioner)
    url = reverse("api:caseload-mine")
    build(service, coordinator, practitioner, 5)
    five = query_count(client, url)
    build(service, coordinator, practitioner, 45)
    assert query_count(client, url) == five
    row = client.get(url).json()["results"][0]
    assert row["liaison_done"] is True and row["next_visit"] and row["overdue"] is True
    assert row["overdue_reasons"] == ["1 visit not yet recorded"]
    assert row["status"] in {"Consent to record", "Cycle 1: review due", "Cycle 2: filming due"}


def test_row_stage_leaves_out_work_entered_in_error(family, practitioner):
    """The stage reads only work in force: a shared review, then the filming, marked entered in error take the
    family back to "review due", then "filming due" (the enricher's EXISTS use the same `in_force()` rule)."""
    give_consent_and_cycle(family, practitioner, reviewed=True)
    now = timezone.now()
    SharedReview.objects.filter(cycle__referral=family).update(
        entered_in_error_at=now, entered_in_error_by=practitioner, entered_in_error_reason="Wrong family"
    )
    (row,) = _rows(practitioner)
    assert row.status == "Cycle 1: review due"
    Filming.objects.filter(cycle__referral=family).update(
        entered_in_error_at=now, entered_in_error_by=practitioner, entered_in_error_reason="Wrong family"
    )
    (row,) = _rows(practitioner)
    assert row.status == "Cycle 1: filming due"
