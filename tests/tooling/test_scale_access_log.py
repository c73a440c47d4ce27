"""seed_scale --access-log-rows at a small size: the rows land in their months, the swapped-in partitions keep the
append-only trigger and the parent's indexes, ids stay unique, and the app's own writes go on working after it."""

from collections import Counter
from datetime import UTC

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import partitions
from accounts.audit import log_access
from accounts.models import AccessAction, AccessEvent
from audit.reads import Filters, timeline
from referrals.models import Referral
from tooling import scale_access_log

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_months_plan_spreads_rows_over_the_year_in_proportion():
    now = timezone.now()
    plan = scale_access_log.months_plan(12_000, 12, now)
    assert sum(count for _begin, _end, count in plan) == 12_000
    assert 12 <= len(plan) <= 13
    assert plan[-1][1] == now and all(a[1] == b[0] for a, b in zip(plan, plan[1:], strict=False))


def test_seed_scale_writes_the_access_log_into_its_months(settings):
    settings.DEMO_MODE = True
    call_command("seed_scale", "--referrals", "120", "--practitioners", "8", "--i-know-this-is-throwaway")
    before = AccessEvent.objects.count()
    call_command(
        "seed_scale", "--access-log-rows", "3000", "--i-know-this-is-throwaway"
    )  # on seeded data: the log only
    assert Referral.objects.count() == 120
    assert AccessEvent.objects.count() == before + 3000
    rows = AccessEvent.objects.filter(at__gte=timezone.now() - timezone.timedelta(days=366))
    actions = Counter(rows.values_list("action", flat=True))
    assert actions["view"] > actions["list"] > 0 and actions["login"] > 0
    ids = list(AccessEvent.objects.values_list("pk", flat=True))
    assert len(ids) == len(set(ids))
    after = log_access(action=AccessAction.VIEW, object_type="referrals.referral", object_id=1)
    assert after.pk > max(i for i in ids if i != after.pk)
    if connection.vendor != "postgresql":
        return
    assert partitions.default_rows() == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text, min(at), max(at), count(*) FROM accounts_accessevent GROUP BY 1"
        )
        for name, first, last, _count in cursor.fetchall():
            month = first.astimezone(UTC).date()
            assert name == partitions.partition_name(partitions.month_start(month))
            assert partitions.month_start(last.astimezone(UTC).date()) == partitions.month_start(month)
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass", [name])
            assert cursor.fetchone()[0] == 1
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [name])
            assert cursor.fetchone()[0] == 6
    old = AccessEvent.objects.order_by("at").first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_accessevent WHERE id = %s", [old.pk])
    manager = Referral.objects.first().service.memberships.filter(role="manager").first().user
    rows, _cursor = timeline(manager, Filters(referral=Referral.objects.filter(service__memberships__user=manager)[0]))
    assert rows
