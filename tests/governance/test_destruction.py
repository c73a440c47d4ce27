"""Two-person destruction: it removes the family's data and files, keeps the access log, leaves a tombstone, and a
destroyed record answers 410 to those in its service and 404 to everyone else."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import AccessEvent
from core.refusals import ActionRefused
from cycles.models import Consent
from governance import actions
from governance.models import DestroyedRecord, RetentionReview, RetentionRule
from letters.models import Letter
from referrals.models import Parent, Referral
from tests.governance.helpers_governance import _private_files, close_years_ago, family_with_files  # noqa: F401
from tests.referrals.helpers import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_review(service, coordinator):
    RetentionRule.objects.create(service=service, basis="closure", years=2)
    referral = close_years_ago(make_referral(service, coordinator), coordinator, 2)
    actions.list_reviews_due()
    return RetentionReview.objects.get(referral=referral)


def test_the_proposer_cannot_approve(due_review, manager):
    review = actions.propose_destruction(review=due_review, reason="Past its retention date.", by=manager)
    with pytest.raises(PermissionDenied):  # who acts, not the review's state: a 403
        actions.approve_destruction(review=review, by=manager)
    assert Referral.objects.filter(pk=review.referral_id).exists()


def test_another_services_admin_cannot_propose_or_approve(due_review, manager, other_service_admin, other_manager):
    with pytest.raises(PermissionDenied):
        actions.propose_destruction(review=due_review, by=other_service_admin)
    review = actions.propose_destruction(review=due_review, by=manager)
    with pytest.raises(PermissionDenied):
        actions.approve_destruction(review=review, by=other_manager)


def test_a_coordinator_or_practitioner_cannot_destroy(due_review, manager, coordinator, practitioner):
    review = actions.propose_destruction(review=due_review, by=manager)
    for user in (coordinator, practitioner):
        with pytest.raises(PermissionDenied):
            actions.approve_destruction(review=review, by=user)


def test_destruction_needs_a_proposal_first(due_review, service_admin):
    with pytest.raises(ActionRefused, match="no longer"):
        actions.approve_destruction(review=due_review, by=service_admin)


def test_extension_needs_a_reason_and_a_future_date(due_review, manager):
    from datetime import date, timedelta

    with pytest.raises(Exception, match="reason"):
        actions.extend_retention(review=due_review, until=date.today() + timedelta(days=400), reason="", by=manager)
    with pytest.raises(Exception, match="future"):
        actions.extend_retention(review=due_review, until=date.today(), reason="Complaint open.", by=manager)
    review = actions.extend_retention(
        review=due_review, until=date.today() + timedelta(days=400), reason="A complaint is open.", by=manager
    )
    assert review.status == "extended"
    assert actions.list_reviews_due() == []  # kept until the new date


def test_destruction_removes_data_and_files_and_leaves_a_tombstone(
    service, coordinator, practitioner, manager, service_admin, django_capture_on_commit_callbacks
):
    RetentionRule.objects.create(service=service, basis="closure", years=1)
    referral, consent, letter = family_with_files(
        service, coordinator, practitioner, django_capture_on_commit_callbacks
    )
    form_storage, form_name = consent.signed_form.storage, consent.signed_form.name
    letter_storage, letter_name = letter.file.storage, letter.file.name
    assert form_storage.exists(form_name) and letter_storage.exists(letter_name)
    close_years_ago(referral, coordinator, 1)
    logged = AccessEvent.objects.filter(object_id=str(referral.pk)).count()
    [review] = actions.list_reviews_due()
    review = actions.propose_destruction(review=review, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        tombstone = actions.approve_destruction(review=review, by=service_admin)

    assert not Referral.objects.filter(pk=referral.pk).exists()
    assert not Parent.objects.filter(referral_id=referral.pk).exists()
    assert not Consent.objects.filter(pk=consent.pk).exists() and not Letter.objects.filter(pk=letter.pk).exists()
    assert not form_storage.exists(form_name) and not letter_storage.exists(letter_name)
    assert AccessEvent.objects.filter(object_id=str(referral.pk)).count() >= logged > 0
    stone = DestroyedRecord.objects.get(referral_id=referral.pk)
    assert stone == tombstone and stone.reference == referral.reference
    assert (stone.proposed_by_id, stone.approved_by_id) == (manager.pk, service_admin.pk)
    assert stone.rule == "1 year from closure"
    assert "Example" not in str(stone.as_tombstone())  # no names


@pytest.fixture
def destroyed(due_review, manager, service_admin):
    review = actions.propose_destruction(review=due_review, by=manager)
    actions.approve_destruction(review=review, by=service_admin)
    return due_review.referral_id


def test_destroyed_record_answers_410_to_a_former_viewer(destroyed, login, coordinator):
    client = login(coordinator)
    page = client.get(reverse("referrals:detail", args=[destroyed]))
    assert page.status_code == 410
    assert "This record was destroyed" in page.content.decode()
    api = client.get(reverse("api:referral-detail", args=[destroyed]))
    assert api.status_code == 410 and api.json()["reference"] == f"R{destroyed:06d}"


def test_destroyed_record_is_404_to_another_service(destroyed, login, other_coordinator):
    client = login(other_coordinator)
    assert client.get(reverse("referrals:detail", args=[destroyed])).status_code == 404
    assert client.get(reverse("api:referral-detail", args=[destroyed])).status_code == 404
