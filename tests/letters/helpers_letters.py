"""Shared set-up for letters tests: families made and declined through the actions, letters through actions."""

from letters import actions
from referrals import actions as referral_actions
from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.helpers import TEST_NHS_NUMBERS, make_referral, parent

DECLINE_REASON = "The family lives outside the area this service covers."


def declined_referral(service, coordinator, **overrides):
    overrides.setdefault("child_nhs_number", TEST_NHS_NUMBERS[0])
    referral = make_referral(service, coordinator, **overrides)
    referral_actions.triage_referral(referral=referral, decision="decline", reason=DECLINE_REASON, by=coordinator)
    referral.refresh_from_db()
    return referral


def decline_letter(service, coordinator, **overrides):
    referral = declined_referral(service, coordinator, **overrides)
    return actions.draft_letter(referral=referral, kind="decline", by=coordinator)


def family_of(service, coordinator, practitioner, **overrides):
    """An allocated family (the practitioner's own), with a child NHS number from the 999 range."""
    overrides.setdefault("child_nhs_number", TEST_NHS_NUMBERS[1])
    set_details(practitioner, service, coordinator)
    return allocated_referral(service, coordinator, practitioner, **overrides)


def trainee_family(service, coordinator, trainee, supervisor, **overrides):
    overrides.setdefault("child_nhs_number", TEST_NHS_NUMBERS[2])
    set_details(trainee, service, coordinator, supervisor=supervisor)
    return allocated_referral(service, coordinator, trainee, **overrides)


def approve_now(letter, by, django_capture_on_commit_callbacks, **confirmations):
    """Approve and run the after-commit render (eager in tests), as a request would."""
    with django_capture_on_commit_callbacks(execute=True):
        letter = actions.approve_letter(letter=letter, by=by, **confirmations)
    letter.refresh_from_db()
    return letter


__all__ = ["parent"]
