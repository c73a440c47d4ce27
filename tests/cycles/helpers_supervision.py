"""Shared set-up for supervision, progress and footage tests.

Cycles, filmings, reviews and consents are made directly with the ORM here: their own actions belong to other
topics. Supervision and footage themselves always go through their actions.
"""

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import Membership, Role
from cycles.models import (
    Consent,
    ConsentDecision,
    ConsentGiver,
    ConsentItem,
    Cycle,
    Filming,
    SharedReview,
)
from tests.referrals.allocation_helpers import allocated_referral, set_details


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def membership_of(user, service=None) -> Membership:
    query = Membership.objects.filter(user=user, role=Role.PRACTITIONER)
    if service is not None:
        query = query.filter(service=service)
    return query.get()


def trainee_with_supervisor(service, coordinator, trainee, supervisor, stage=1) -> Membership:
    set_details(trainee, service, coordinator, supervisor=supervisor, training_stage=stage)
    return membership_of(trainee, service)


def trainee_family(service, coordinator, trainee, **overrides):
    """A family allocated to the trainee (whose details must name a supervisor first)."""
    return allocated_referral(service, coordinator, trainee, **overrides)


def give_consent(referral, by, *, given_on=None, items=tuple(ConsentItem.values), people=None, refused=()):
    """A written consent by `people` (default: every parent) agreeing to `items`, refusing `refused`."""
    consent = Consent.objects.create(referral=referral, given_on=given_on or days_ago(60), recorded_by=by)
    for person in people if people is not None else list(referral.parents.all()):
        giver = ConsentGiver.objects.create(
            consent=consent,
            parent=person if person.__class__.__name__ == "Parent" else None,
            other_child=person if person.__class__.__name__ == "OtherChild" else None,
        )
        for item in ConsentItem.values:
            if item in items or item in refused:
                ConsentDecision.objects.create(giver=giver, item=item, agreed=item not in refused)
    return consent


def withdraw(referral, item, *, on, by):
    ConsentDecision.objects.filter(giver__consent__referral=referral, item=item).update(
        withdrawn_on=on, withdrawn_by=by, withdrawal_reason="Changed their mind"
    )


def make_cycle(referral, by, number=1, *, filmed_on=None, reviewed_on=None, children=()) -> Cycle:
    """Cycle `number` with its filming of every parent (and `children`), and its shared review if `reviewed_on`."""
    cycle = Cycle.objects.create(referral=referral, number=number, created_by=by)
    filming = Filming.objects.create(
        cycle=cycle, filmed_on=filmed_on or days_ago(30), activity="play", length_seconds=300, recorded_by=by
    )
    filming.filmed_parents.set(referral.parents.all())
    filming.filmed_children.set(children)
    if reviewed_on is not None:
        SharedReview.objects.create(
            cycle=cycle, reviewed_on=reviewed_on, parent_reflections="I see her smile back.", recorded_by=by
        )
    return cycle
