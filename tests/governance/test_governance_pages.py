"""The governance pages: the review queue, the two-person buttons, and a subject access export downloaded."""

from datetime import date

import pytest
from django.urls import reverse

from governance import actions
from governance.models import DestroyedRecord, RetentionReview, RetentionRule
from tests.governance.helpers_governance import _private_files, close_years_ago, family_with_files, people  # noqa: F401
from tests.referrals.helpers import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_review(service, coordinator):
    RetentionRule.objects.create(service=service, basis="closure", years=2)
    referral = close_years_ago(make_referral(service, coordinator), coordinator, 2)
    actions.list_reviews_due()
    return RetentionReview.objects.get(referral=referral)


def test_reviews_page_lists_due_records(due_review, login, manager):
    page = login(manager).get(reverse("governance:reviews"))
    assert page.status_code == 200 and due_review.referral.reference in page.content.decode()


def test_review_pages_two_people(due_review, client, login, manager, service_admin):
    url = reverse("governance:review", args=[due_review.pk])
    login(manager)
    assert client.post(reverse("governance:review-propose", args=[due_review.pk]), {"reason": ""}).status_code == 302
    assert "Approve and destroy" not in client.get(url).content.decode()
    assert (
        client.post(reverse("governance:review-approve", args=[due_review.pk])).status_code == 403
    )  # who: the proposer
    login(service_admin)
    assert "Approve and destroy" in client.get(url).content.decode()
    assert client.post(reverse("governance:review-approve", args=[due_review.pk])).status_code == 302
    assert DestroyedRecord.objects.filter(referral_id=due_review.referral_id).exists()


def test_review_page_is_404_to_another_service(due_review, login, other_manager):
    assert login(other_manager).get(reverse("governance:review", args=[due_review.pk])).status_code == 404


def test_subject_access_pages(service, coordinator, practitioner, manager, login, django_capture_on_commit_callbacks):
    referral, _, _ = family_with_files(service, coordinator, practitioner, django_capture_on_commit_callbacks)
    mother = people(referral)[0]
    client = login(manager)
    response = client.post(
        reverse("governance:sar-new", args=[referral.pk]),
        {
            "parent": mother.pk,
            "received_on_day": date.today().day,
            "received_on_month": date.today().month,
            "received_on_year": date.today().year,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    sar_url = response["Location"]
    assert client.post(sar_url, {"redact": ["parent.phone"]}).status_code == 302
    zipped = client.post(sar_url + "release/")
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"


def test_record_page_links_subject_access_only_for_managers(service, coordinator, login, manager, client):
    referral = make_referral(service, coordinator)
    url = reverse("referrals:detail", args=[referral.pk])
    assert "Record a subject access request" in login(manager).get(url).content.decode()
    assert "Record a subject access request" not in login(coordinator).get(url).content.decode()


def test_reviews_page_query_count_does_not_grow(service, coordinator, login, manager, django_assert_max_num_queries):
    RetentionRule.objects.create(service=service, basis="closure", years=1)
    client = login(manager)

    def add(n):
        for _ in range(n):
            close_years_ago(make_referral(service, coordinator), coordinator, 1)
        actions.list_reviews_due()

    add(3)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("governance:reviews"))
    add(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("governance:reviews"))
    assert page.content.decode().count("Review R") == 15
