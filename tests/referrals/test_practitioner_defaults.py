"""One definition of a new practitioner's details, however the membership was made (issue 8)."""

import importlib

from django.apps import apps as django_apps

from accounts.models import DEFAULT_CAPACITY, Membership, PractitionerDetails, Role, TrainingStatus
from referrals import actions
from referrals.models import Allocation
from referrals.reads.caseloads import candidate, practitioners_in, ranked_candidates
from tests.factories import UserFactory
from tests.referrals.allocation_helpers import accepted_referral
from tests.referrals.helpers import today


def _admin_style_practitioner(service, username="admin_made"):
    """As the Django admin saves it: a plain Membership.objects.create, no details form."""
    user = UserFactory(username=username)
    Membership.objects.create(
        user=user, service=service, role=Role.PRACTITIONER, training_status=TrainingStatus.ACCREDITED
    )
    return user


def test_practitioner_added_like_the_admin_gets_default_capacity_and_can_be_allocated(service, coordinator):
    user = _admin_style_practitioner(service)
    details = PractitionerDetails.objects.get(membership__user=user)
    assert details.capacity == DEFAULT_CAPACITY == 6
    referral = accepted_referral(service, coordinator)
    [row] = [c for c in ranked_candidates(referral) if c.user == user]
    assert (row.open_cases, row.capacity, row.has_spare_capacity) == (0, 6, True)
    allocation = actions.allocate_referral(referral=referral, practitioner=user, by=coordinator)  # no reason needed
    assert allocation.over_capacity_reason == ""


def test_other_roles_get_no_practitioner_details(service):
    Membership.objects.create(user=UserFactory(username="coord2"), service=service, role=Role.COORDINATOR)
    assert not PractitionerDetails.objects.filter(membership__user__username="coord2").exists()


def test_candidate_without_a_details_row_uses_the_same_defaults(service, coordinator):
    user = _admin_style_practitioner(service)
    PractitionerDetails.objects.filter(membership__user=user).delete()  # as a bulk insert would leave it
    [membership] = [m for m in practitioners_in([service.pk]) if m.user_id == user.pk]
    row = candidate(membership, None, today())
    assert (row.capacity, row.paused, row.next_protected_day) == (DEFAULT_CAPACITY, False, None)


def test_migration_gives_existing_practitioners_their_details(service):
    user = _admin_style_practitioner(service)
    PractitionerDetails.objects.filter(membership__user=user).delete()
    migration = importlib.import_module("accounts.migrations.0005_practitioner_details_for_every_practitioner")
    migration.create_missing_details(django_apps, None)
    assert PractitionerDetails.objects.get(membership__user=user).capacity == DEFAULT_CAPACITY
    assert not Allocation.objects.exists()
