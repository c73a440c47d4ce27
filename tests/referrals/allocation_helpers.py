"""Shared set-up for allocation tests: details through the action, accepted referrals through triage."""

from datetime import datetime, time

from django.utils import timezone

from accounts.models import Membership, Role
from referrals import actions
from referrals.actions import change_practitioner_details as update_practitioner_details
from referrals.models import Allocation
from tests.referrals.helpers import make_referral


def set_details(user, service, by, **fields):
    membership = Membership.objects.get(user=user, service=service, role=Role.PRACTITIONER)
    defaults = {"capacity": 3, "protected_days": [], "supervisor": None, "training_stage": None}
    return update_practitioner_details(membership=membership, by=by, **{**defaults, **fields})


def accepted_referral(service, by, **overrides):
    referral = make_referral(service, by, **overrides)
    actions.triage_referral(referral=referral, decision="accept", by=by)
    referral.refresh_from_db()
    return referral


def allocated_referral(service, by, practitioner, *, allocated_on=None, **overrides):
    """An allocated family, allocated on the day it was received (09:00 UK time) unless `allocated_on` says another
    day (today: now), so tests may record casework on any day since then: casework is not dated before the
    allocation (`cycles.dates`)."""
    referral = accepted_referral(service, by, **overrides)
    actions.allocate_referral(referral=referral, practitioner=practitioner, by=by)
    day = allocated_on or referral.date_received
    if day != timezone.localdate():
        allocated_at = timezone.make_aware(datetime.combine(day, time(9)))
        Allocation.objects.filter(referral=referral).update(allocated_at=min(allocated_at, timezone.now()))
    referral.refresh_from_db()
    return referral
