"""List rows read only the columns they hold (`ReferralQuerySet.with_list_details`, `with_api_row_details`):
a row that touched any other column would read it with a query of its own, one per row, and a busy page's cost
would follow its length again (issue 20). Every list page and answer that shows families is asked here, for rows
that take every branch of a row (flags, eligibility, unborn child, awaiting information, a possible duplicate),
with Django's loading of a deferred column refused."""

from datetime import timedelta

import pytest
from django.db.models.query_utils import DeferredAttribute
from django.urls import reverse

from referrals import actions
from referrals.models import Referral
from tests.referrals.helpers import TEST_NHS_NUMBERS, make_referral, parent, post_data, today
from tests.referrals.test_api import body
from tests.referrals.test_list_serializer import _families


@pytest.fixture
def refused(monkeypatch):
    """Every deferred column read afresh, as `model.field` (a list the test asserts is empty)."""
    reads = []
    original = DeferredAttribute.__get__

    def watched(self, instance, cls=None):
        if instance is not None and self.field.attname not in instance.__dict__:
            reads.append(f"{type(instance).__name__}.{self.field.attname}")
        return original(self, instance, cls)

    monkeypatch.setattr(DeferredAttribute, "__get__", watched)
    return reads


@pytest.fixture
def families(service, coordinator, practitioner, peterborough):
    plain, flagged, unborn = _families(service, coordinator)
    waiting = make_referral(service, coordinator, parents=[parent(nhs_number=TEST_NHS_NUMBERS[3])])  # as `unborn`'s
    actions.triage_referral(referral=waiting, decision="accept", override_reason="Agreed in team", by=coordinator)
    actions.triage_referral(referral=plain, decision="request_information", by=coordinator, missing_information="GP")
    Referral.objects.filter(pk=plain.pk).update(awaiting_information_since=today() - timedelta(days=20))
    return [plain, flagged, unborn, waiting]


def test_the_lists_read_no_column_they_did_not_load(login, coordinator, manager, service, families, refused):
    pages = [
        reverse("referrals:triage_queue"),
        reverse("referrals:waiting_list"),
        f"{reverse('referrals:search')}?name=Example",
        f"{reverse('referrals:search')}?postcode=PE2",
        f"{reverse('referrals:search')}?nhs_number={TEST_NHS_NUMBERS[3]}",
        reverse("api:referral-list"),
        f"{reverse('api:referral-list')}?name=Example",
    ]
    for user in (coordinator, manager):
        client = login(user)
        for page in pages:
            response = client.get(page)
            assert response.status_code in (200, 403), (user.username, page)
        client.logout()
    shown = login(coordinator).get(f"{reverse('referrals:search')}?name=Example").content.decode()
    assert all(family.reference in shown for family in families if family.parent_list[0].name.endswith("Example"))
    assert refused == []


def test_possible_duplicates_read_no_column_they_did_not_load(login, coordinator, service, families, refused):
    client = login(coordinator)
    page = client.post(reverse("referrals:new"), post_data(service, parent1_nhs_number=TEST_NHS_NUMBERS[3]))
    assert 'id="possible-duplicates"' in page.content.decode()
    api = client.post(
        reverse("api:referral-list"),
        body(service, parents=[parent(name="Someone Else", nhs_number=TEST_NHS_NUMBERS[3])]),
        content_type="application/json",
    )
    assert api.status_code == 409
    assert {row["id"] for row in api.json()["possible_duplicates"]} == {families[2].pk, families[3].pk}
    assert refused == []


def test_the_watch_sees_a_column_read_afresh(service, coordinator, refused):
    """The fixture is not blind: a row read with `with_list_details` and asked for a column it did not load."""
    make_referral(service, coordinator)
    row = Referral.objects.with_list_details().get()
    assert row.concerns
    assert refused == ["Referral.concerns"]
