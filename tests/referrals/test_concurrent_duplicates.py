"""Two coordinators record the same family at the same moment: the second is told, not silently saved (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from referrals import actions
from referrals.models import Referral
from tests.referrals.helpers import parent, referral_data
from tests.services import require_postgres


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_same_family_recorded_twice_at_once_one_is_stopped(service, coordinator):
    require_postgres()
    from accounts.models import Role
    from tests.factories import staff

    second = staff("second_coordinator", service, Role.COORDINATOR)
    barrier = threading.Barrier(2)
    outcomes = []

    def record(by):
        try:
            barrier.wait(timeout=10)
            outcomes.append(
                actions.create_referral(service=service, data=referral_data(service), parents=[parent()], by=by)
            )
        except actions.DuplicateSuspected as suspected:
            outcomes.append(suspected)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(who,)) for who in (coordinator, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(type(o).__name__ for o in outcomes) == ["DuplicateSuspected", "Referral"], outcomes
    assert Referral.objects.count() == 1
