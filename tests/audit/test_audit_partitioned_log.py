"""The audit viewer over the monthly partitions (issue 21, ADR 0023): rows of an old month and of this month are
found, the date range keeps to its months, and the unfiltered page (one LATERAL statement on PostgreSQL) walks every
colleague's row once, ties in time included. Runs on SQLite too (one plain table, the UNION form)."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from accounts import partitions
from accounts.models import AccessAction, AccessEvent
from audit.reads import Filters, timeline
from tests.audit.helpers_audit import family, viewed

pytestmark = pytest.mark.django_db

OLD_MONTH = partitions.month_start(timezone.now().astimezone(UTC).date(), -14)


@pytest.fixture
def mine(coordinator, service):
    return family(service, coordinator)


def _old_view(user, referral, day=10) -> AccessEvent:
    partitions.ensure_partitions(today=OLD_MONTH, months_ahead=0)
    return AccessEvent.objects.create(
        at=datetime(OLD_MONTH.year, OLD_MONTH.month, day, 9, tzinfo=UTC),
        action=AccessAction.VIEW,
        user_id=user.pk,
        username=user.username,
        object_type="referrals.referral",
        object_id=str(referral.pk),
    )


def test_a_familys_rows_in_an_old_month_and_this_month_are_found(mine, practitioner, manager):
    old = _old_view(practitioner, mine)
    new = viewed(practitioner, mine)
    ids = {row.id for row in timeline(manager, Filters(referral=mine), limit=1000)[0] if row.source == 0}
    assert {old.pk, new.pk} <= ids
    within = Filters(referral=mine, start=OLD_MONTH, end=date(OLD_MONTH.year, OLD_MONTH.month, 28))
    only_old = {row.id for row in timeline(manager, within, limit=1000)[0] if row.source == 0}
    assert only_old == {old.pk}


def test_a_persons_rows_across_months(mine, practitioner, manager):
    old = _old_view(practitioner, mine)
    new = viewed(practitioner, mine)
    rows = timeline(manager, Filters(person=practitioner), limit=1000)[0]
    assert [row.id for row in rows if row.source == 0][:1] == [new.pk]
    assert old.pk in {row.id for row in rows if row.source == 0}


def test_the_unfiltered_page_walks_every_colleagues_row_once(mine, practitioner, coordinator, manager):
    at = timezone.now().replace(microsecond=0)
    for user in (practitioner, coordinator) * 6:  # ties in time between colleagues
        AccessEvent.objects.create(at=at, action=AccessAction.VIEW, user_id=user.pk, username=user.username)
    _old_view(coordinator, mine)
    seen, cursor = [], None
    while True:
        rows, cursor = timeline(manager, Filters(), cursor=cursor, limit=4)
        seen += [(row.source, row.id) for row in rows]
        if cursor is None:
            break
    expected = timeline(manager, Filters(), limit=1000)[0]
    assert seen == [(row.source, row.id) for row in expected]
    assert len(seen) == len(set(seen)) >= 13
