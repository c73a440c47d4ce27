"""Footage pages and the Footage section of the family's record."""

import pytest
from django.urls import reverse

from cycles import actions
from cycles.models import Footage
from notices.models import Notice
from tests.cycles.helpers_supervision import days_ago, make_cycle
from tests.referrals.allocation_helpers import allocated_referral, set_details


@pytest.fixture
def family(service, coordinator, practitioner):
    set_details(practitioner, service, coordinator)
    return allocated_referral(service, coordinator, practitioner)


@pytest.fixture
def filming(family, practitioner):
    return make_cycle(family, practitioner, 1, filmed_on=days_ago(40)).filming


def test_practitioner_records_footage_and_record_says_set_at_discharge(login, family, filming, practitioner):
    client = login(practitioner)
    record = client.get(reverse("referrals:detail", args=[family.pk])).content.decode()
    assert 'id="footage"' in record and "Not recorded" in record and "Set at discharge" in record
    assert reverse("cycles:footage", args=[filming.pk]) in record
    url = reverse("cycles:footage", args=[filming.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"location": "Encrypted laptop", "reference": "L-7", "family_copy": "given", "family_copy_on": ""}
    )
    assert response.status_code == 400 and "Enter the date the family received its copy" in response.content.decode()
    data = {"location": "Encrypted laptop", "reference": "L-7", "family_copy": "not_yet"}
    assert client.post(url, data).status_code == 302
    record = client.get(reverse("referrals:detail", args=[family.pk])).content.decode()
    assert "Encrypted laptop (L-7)" in record and "Confirm destruction" in record


def test_footage_pages_refuse_others(login, filming, practitioner, other_practitioner, coordinator, other_coordinator):
    url = reverse("cycles:footage", args=[filming.pk])
    data = {"location": "Share", "family_copy": "not_yet"}
    assert login(other_practitioner).post(url, data).status_code == 404
    assert login(other_coordinator).post(url, data).status_code == 404
    assert login(coordinator).post(url, data).status_code == 403  # coordinators read, the practitioner records
    assert not Footage.objects.exists()


def test_coordinator_confirms_destruction_page_and_manager_cannot(login, filming, practitioner, coordinator, manager):
    footage = actions.record_footage(filming=filming, location="Share", by=practitioner)
    url = reverse("cycles:confirm_destruction", args=[footage.pk])
    assert login(manager).post(url, {"destroyed_on": days_ago(1).isoformat()}).status_code == 403
    record = login(manager).get(reverse("referrals:detail", args=[filming.cycle.referral_id])).content.decode()
    assert "Confirm destruction" not in record
    assert login(coordinator).post(url, {"destroyed_on": days_ago(1).isoformat()}).status_code == 302
    footage.refresh_from_db()
    assert footage.destruction_confirmed_by == coordinator
    assert login(coordinator).post(url, {"destroyed_on": days_ago(1).isoformat()}).status_code == 409


def test_overdue_footage_shows_on_the_record_and_the_practitioners_home(
    login, family, filming, practitioner, coordinator
):
    actions.record_footage(filming=filming, location="Share", by=practitioner)
    actions.set_footage_destruction_dates(referral=family, involvement_ended_on=days_ago(90), by=coordinator)
    actions.raise_overdue_footage_notices()
    client = login(practitioner)
    assert "Overdue" in client.get(reverse("referrals:detail", args=[family.pk])).content.decode()
    home = client.get(reverse("home")).content.decode()
    assert Notice.objects.get(recipient=practitioner).kind == "footage_overdue"
    assert f"Footage of cycle 1 for {family.reference} was due for destruction" in home


def test_footage_section_costs_fixed_queries(login, family, practitioner, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(practitioner)
    url = reverse("referrals:detail", args=[family.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for n in range(1, 3):
        filming = make_cycle(family, practitioner, n).filming
        actions.record_footage(filming=filming, location="Share", by=practitioner)
    few = count()
    for n in range(3, 9):
        filming = make_cycle(family, practitioner, n).filming
        actions.record_footage(filming=filming, location="Share", by=practitioner)
    assert count() == few
