"""Two escalation sweeps at the same moment, and a sweep racing an acknowledgement (real PostgreSQL)."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from notices.actions import acknowledge_notice
from notices.escalation import escalate_overdue_risk_notices
from notices.models import Notice, NoticeKind
from referrals.models import ReferralEvent
from tests.outcomes.helpers_outcomes import EPDS_RISK, family, record
from tests.services import require_postgres

LONDON = ZoneInfo("Europe/London")
FRIDAY_3PM = datetime(2026, 12, 4, 15, 0, tzinfo=LONDON)
MONDAY_NOON = datetime(2026, 12, 7, 12, 0, tzinfo=LONDON)


def run_at_once(*targets) -> list:
    barrier, results = threading.Barrier(len(targets)), []

    def run(target):
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as error:  # noqa: BLE001 — the test reads what each thread met
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def risk_answer(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    measure = record(referral, practitioner, values=EPDS_RISK)
    Notice.objects.filter(object_id=str(measure.pk)).update(created_at=FRIDAY_3PM)
    return referral, measure


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_once(service, coordinator, practitioner, manager):
    require_postgres()
    referral, measure = risk_answer(service, coordinator, practitioner)
    sweep = lambda: escalate_overdue_risk_notices(now=MONDAY_NOON)  # noqa: E731
    results = run_at_once(sweep, sweep, sweep)
    assert sorted(results) == [0, 0, 1], results
    assert Notice.objects.filter(kind=NoticeKind.RISK_ESCALATED, object_id=str(measure.pk)).count() == 2
    assert ReferralEvent.objects.filter(referral=referral, kind="risk_notice_escalated").count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_acting_while_the_sweep_runs_leaves_nothing_open(service, coordinator, practitioner, manager):
    require_postgres()
    _, measure = risk_answer(service, coordinator, practitioner)
    notice = Notice.objects.get(recipient=practitioner, object_id=str(measure.pk))
    results = run_at_once(
        lambda: escalate_overdue_risk_notices(now=MONDAY_NOON),
        lambda: acknowledge_notice(notice=notice, action_taken="Phoned the parent", by=practitioner),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    # Whichever came first, the action closed every notice about the answer, escalations included.
    assert not Notice.objects.filter(object_id=str(measure.pk)).open().exists()
    assert Notice.objects.filter(object_id=str(measure.pk), acknowledged_at__gte=MONDAY_NOON - timedelta(days=365))
