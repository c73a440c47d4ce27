"""A database error in the middle of an action leaves no partial data.

A real error, raised by PostgreSQL itself: a trigger refuses the history row that every action writes last, so the
referral, its parents and its eligibility were already written in the same transaction when the error comes.
"""

from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection

from referrals import actions
from referrals.models import Allocation, Parent, Referral, ReferralEvent
from tests.referrals.allocation_helpers import accepted_referral, set_details
from tests.referrals.helpers import make_referral
from tests.services import require_postgres


@contextmanager
def history_refused():
    """Make PostgreSQL itself refuse every new history row while the block runs."""
    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE OR REPLACE FUNCTION pg_temp.refuse_history() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'history refused (test)'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_history BEFORE INSERT ON referrals_referralevent
            FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_history();
            """
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_history ON referrals_referralevent")


@pytest.mark.postgres
def test_failed_history_write_leaves_no_referral_or_parents(service, coordinator):
    require_postgres()
    before = (Referral.objects.count(), Parent.objects.count())
    with history_refused(), pytest.raises(DatabaseError):
        make_referral(service, coordinator)
    assert (Referral.objects.count(), Parent.objects.count()) == before


@pytest.mark.postgres
def test_failed_history_write_leaves_allocation_and_status_unchanged(service, coordinator, practitioner):
    require_postgres()
    set_details(practitioner, service, coordinator, capacity=5)
    referral = accepted_referral(service, coordinator)
    events = ReferralEvent.objects.filter(referral=referral).count()
    with history_refused(), pytest.raises(DatabaseError):
        actions.allocate_referral(referral=referral, practitioner=practitioner, by=coordinator)
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert not Allocation.objects.filter(referral=referral).exists()
    assert ReferralEvent.objects.filter(referral=referral).count() == events
