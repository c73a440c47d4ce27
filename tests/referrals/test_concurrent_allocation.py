"""Two coordinators allocate the same referral at the same moment: exactly one succeeds (real PostgreSQL)."""

import threading

import pytest
from django.db import connection

from referrals import actions
from referrals.models import Allocation
from referrals.states import TransitionRefused
from tests.referrals.allocation_helpers import accepted_referral, set_details
from tests.services import require_postgres


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_allocating_at_once_one_wins(service, coordinator, practitioner, other_practitioner):
    require_postgres()
    from accounts.models import Role
    from tests.factories import staff

    second_coordinator = staff("second_coordinator", service, Role.COORDINATOR)
    set_details(practitioner, service, coordinator)
    set_details(other_practitioner, service, coordinator)
    referral = accepted_referral(service, coordinator)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(name, by, practitioner_user):
        try:
            barrier.wait(timeout=10)
            outcomes[name] = actions.allocate_referral(referral=referral, practitioner=practitioner_user, by=by)
        except TransitionRefused as refusal:
            outcomes[name] = refusal
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=("first", coordinator, practitioner)),
        threading.Thread(target=attempt, args=("second", second_coordinator, other_practitioner)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    won = [o for o in outcomes.values() if isinstance(o, Allocation)]
    refused = [o for o in outcomes.values() if isinstance(o, TransitionRefused)]
    assert len(won) == 1 and len(refused) == 1, outcomes
    assert "just allocated" in str(refused[0])
    assert Allocation.objects.filter(referral=referral, ended_at__isnull=True).count() == 1
