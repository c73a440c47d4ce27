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


def test_a_familys_pages_walk_the_months_newest_first_and_find_every_row_once(mine, practitioner, manager):
    """A family's rows are read month by month, newest first, stopping once a page is full (audit.reads,
    `_family_events_lateral` on PostgreSQL): small pages over rows in this month, two months ago and past the
    months walked (the last, open-ended part), views and lists alike, give every row once and in order."""
    two_months_ago = partitions.month_start(timezone.now().astimezone(UTC).date(), -2)
    partitions.ensure_partitions(today=two_months_ago, months_ahead=0)
    made = {_old_view(practitioner, mine, day=day).pk for day in (3, 4)}
    for day in (5, 6, 7):
        made.add(
            AccessEvent.objects.create(
                at=datetime(two_months_ago.year, two_months_ago.month, day, 9, tzinfo=UTC),
                action=AccessAction.LIST,
                user_id=practitioner.pk,
                username=practitioner.username,
                object_type="referrals.referral",
                object_id="",
                detail={"ids_shown": [mine.pk + 1, mine.pk]},
            ).pk
        )
    made |= {viewed(practitioner, mine).pk for _ in range(3)}
    seen, cursor = [], None
    while True:
        rows, cursor = timeline(manager, Filters(referral=mine), cursor=cursor, limit=2)
        seen += [row for row in rows if row.source == 0]
        if cursor is None:
            break
    ids = [row.id for row in seen]
    assert made <= set(ids)
    assert len(ids) == len(set(ids))
    assert [row.key for row in seen] == sorted((row.key for row in seen), reverse=True)
