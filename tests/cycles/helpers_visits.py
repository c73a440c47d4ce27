"""Shared set-up for the visits, diary, liaison and draft tests: families allocated through the actions.

Test modules import the fixtures by their function names (`family_fixture`); tests ask for them by their
fixture names (`family`).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cycles import actions
from tests.referrals.allocation_helpers import allocated_referral, set_details


@pytest.fixture(name="ready")
def ready_fixture(service, coordinator, practitioner, other_practitioner, trainee, supervisor):
    """Practitioners with room for many families; the trainee supervised."""
    set_details(practitioner, service, coordinator, capacity=60)
    set_details(other_practitioner, service, coordinator, capacity=60)
    set_details(trainee, service, coordinator, capacity=60, supervisor=supervisor, training_stage=1)


@pytest.fixture(name="family")
def family_fixture(ready, service, coordinator, practitioner):
    """A family allocated to `practitioner`."""
    return allocated_referral(service, coordinator, practitioner)


@pytest.fixture(name="other_family")
def other_family_fixture(ready, service, coordinator, other_practitioner):
    """A family of the same service allocated to `other_practitioner`."""
    return allocated_referral(service, coordinator, other_practitioner)


def days_ago(days: int):
    """A date `days` before today (UK time)."""
    return timezone.localdate() - timedelta(days=days)


def at(days: float = 0, hours: float = 0):
    """A time relative to now."""
    return timezone.now() + timedelta(days=days, hours=hours)


def book(referral, by, *, days: float = 2, activities=("filming",), **overrides):
    data = {"planned_at": at(days), "place": "home", "place_details": "", "activities": list(activities)}
    data.update(overrides)
    return actions.book_visit(referral=referral, by=by, **data)


def attended(visit, by, **overrides):
    data = {"outcome": "attended", "duration_minutes": 60, "present": "Mother and baby", "notes": "Went well."}
    data.update(overrides)
    return actions.record_visit(visit=visit, by=by, **data)


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
