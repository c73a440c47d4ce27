"""Governance's destruction of a whole record (retention, two people) takes the family's films, clips and key."""

from governance import actions as governance
from governance.models import RetentionReview, RetentionRule
from referrals.models import Referral
from tests.vault.helpers_vault import cut_all, family_with_filming, film_file, upload
from vault.models import FamilyKey


def test_destroying_the_record_deletes_the_vault_objects_and_the_key(
    service,
    coordinator,
    practitioner,
    manager,
    service_admin,
    object_store,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    from datetime import timedelta

    from django.utils import timezone

    referral, filming = family_with_filming(service, coordinator, practitioner, clips=((1, 2),))
    film = upload(filming, film_file(tmp_path, seconds=3), practitioner)
    cut_all(film, practitioner, django_capture_on_commit_callbacks)
    assert object_store.object_keys() and FamilyKey.objects.exists()
    RetentionRule.objects.create(service=service, basis="closure", years=2)
    Referral.objects.filter(pk=referral.pk).update(
        status="discharged", closed_at=timezone.now() - timedelta(days=365 * 2 + 2)
    )
    governance.list_reviews_due()
    review = governance.propose_destruction(review=RetentionReview.objects.get(referral=referral), by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        governance.approve_destruction(review=review, by=service_admin)
    assert object_store.object_keys() == []
    assert not FamilyKey.objects.exists()
