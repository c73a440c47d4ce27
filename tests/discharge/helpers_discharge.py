"""Shared set-up for discharge tests: an allocated family of the practitioner's, discharged through the action."""

from datetime import timedelta

from discharge import actions
from outcomes.models import MeasureConfig
from tests.outcomes.helpers_outcomes import goal_ratings, record
from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.helpers import TEST_NHS_NUMBERS, today

NO_END_MEASURES = "The family chose not to complete the end questionnaires."
REQUESTED = [{"who": "Health visitor", "what": "Offer a review visit at 12 months", "by_when": "2027-06-01"}]


def family(service, coordinator, practitioner, **overrides):
    """An allocated family received 90 days ago, with an NHS number from the 999 range."""
    overrides.setdefault("child_nhs_number", TEST_NHS_NUMBERS[1])
    overrides.setdefault("date_received", today() - timedelta(days=90))
    overrides.setdefault("child_date_of_birth", today() - timedelta(days=120))
    set_details(practitioner, service, coordinator, capacity=60)
    return allocated_referral(service, coordinator, practitioner, **overrides)


def require_only_epds_at_end(service):
    """The service's measures due at the end: EPDS only (and the helping questions)."""
    MeasureConfig.objects.filter(service=service).exclude(instrument__in=["gbo", "epds"]).delete()
    MeasureConfig.objects.update_or_create(
        service=service, instrument="epds", defaults={"time_points": ["baseline", "end"]}
    )


def with_measures_and_goals(referral, by):
    """EPDS at baseline and end, and two helping questions rated at start and end."""
    record(referral, by, time_point="baseline", days_ago=60)
    record(referral, by, time_point="end", values=[0, 0, 1, 1, 1, 0, 1, 0, 1, 3], days_ago=1)
    goal_ratings(referral, by, [(2, 7), (3, 8)])


def discharge_kwargs(**overrides) -> dict:
    values = {
        "discharged_on": today() - timedelta(days=1),
        "reason": "completed",
        "summary": "Three cycles completed; Mum reports feeling more confident reading her baby's cues.",
        "did_well": "You waited for Ava to look at you before talking.",
        "ideas": "Keep sharing picture books at bedtime.",
        "plan": "Universal health visiting from now on.",
        "requested_actions": REQUESTED,
        "letter_to_referrer_agreed": True,
        "letter_to_health_visitor_agreed": True,
        "family_copy_given": True,
        "missing_measures_reason": NO_END_MEASURES,
    }
    return {**values, **overrides}


def discharge(referral, by, **overrides):
    return actions.discharge_family(referral=referral, by=by, **discharge_kwargs(**overrides))
