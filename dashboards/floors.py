# ruff: noqa: S608 - every statement is built from constants in this file; values are passed as parameters
"""The dashboard's floors: for each figure, the one hand-written SQL statement that computes the same number.

Issue 12 asks that the dashboard cost no more than about twice the sum of these: the page's own queries go
through the ORM, the visibility rules and Python, and the floors show what the database alone needs. They are
written for PostgreSQL (percentile_cont, FILTER, AT TIME ZONE), where the benchmark is measured; each returns its
figure so a test can check that the floor and the dashboard agree (tests/dashboards/test_floors.py), which keeps
both honest. They read the whole service (a manager who covers every site), for the scope's period.
"""

import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection

from dashboards.reads import Scope
from governance.reads.deadlines import answers_overdue_if_received_by
from referrals.reads.caseloads import WAIT_BANDS

# Families first allocated in the period: the denominator of the delivery and outcome figures.
FIRST_ALLOCATIONS = """
    SELECT a.referral_id, a.allocated_at FROM referrals_allocation a
    JOIN referrals_referral r ON r.id = a.referral_id
    WHERE r.service_id = %(service)s AND a.allocated_at >= %(start_at)s AND a.allocated_at < %(end_at)s
    AND NOT EXISTS (SELECT 1 FROM referrals_allocation e WHERE e.referral_id = a.referral_id
        AND (e.allocated_at < a.allocated_at OR (e.allocated_at = a.allocated_at AND e.id < a.id)))
"""

STANDING_DISCHARGES = """
    SELECT d.referral_id, d.reason FROM discharge_discharge d JOIN referrals_referral r ON r.id = d.referral_id
    WHERE r.service_id = %(service)s AND d.discharged_on BETWEEN %(start)s AND %(end)s AND d.reopened_at IS NULL
"""


def _bands_sql() -> str:
    parts = []
    for i, (_low, high, _label) in enumerate(WAIT_BANDS):
        condition = f"date_received <= %(band{i}_low)s"
        if high is not None:
            condition += f" AND date_received > %(band{i}_high)s"
        parts.append(f"COUNT(*) FILTER (WHERE {condition})")
    return ", ".join(parts)


FLOORS: list[tuple[str, str]] = [
    (
        "Referrals in by month and source",
        "SELECT date_trunc('month', date_received), referral_source_id, COUNT(*) FROM referrals_referral "
        "WHERE service_id = %(service)s AND date_received BETWEEN %(start)s AND %(end)s GROUP BY 1, 2",
    ),
    (
        "Acceptance rate and days to decision",
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE accepts > 0), percentile_cont(0.5) WITHIN GROUP (ORDER BY days) "
        "FROM (SELECT r.id, COUNT(*) FILTER (WHERE d.decision = 'accept') AS accepts, "
        "(MIN(d.decided_at) AT TIME ZONE %(zone)s)::date - r.date_received AS days "
        "FROM referrals_triagedecision d JOIN referrals_referral r ON r.id = d.referral_id "
        "WHERE r.service_id = %(service)s AND r.date_received BETWEEN %(start)s AND %(end)s "
        "AND d.decision IN ('accept', 'decline') GROUP BY r.id, r.date_received) x",
    ),
    (
        "Decline reasons",
        "SELECT d.reason, COUNT(*) FROM referrals_triagedecision d JOIN referrals_referral r ON r.id = d.referral_id "
        "WHERE r.service_id = %(service)s AND r.date_received BETWEEN %(start)s AND %(end)s "
        "AND d.decision = 'decline' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
    ),
    (
        "Waiting list in bands",
        "SELECT COUNT(*), MIN(date_received), "
        + _bands_sql()
        + " FROM referrals_referral WHERE service_id = %(service)s AND status = 'accepted'",
    ),
    (
        # Families whose dates contradict each other (allocated before received, filmed before allocated) are
        # counted among those allocated but left out of both waits, as the dashboard leaves them out.
        "Waits to allocation and first filming",
        "SELECT COUNT(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY allocated_on - date_received) FILTER "
        "(WHERE NOT contradictory), percentile_cont(0.5) WITHIN GROUP (ORDER BY filmed_on - allocated_on) FILTER "
        "(WHERE NOT contradictory), COUNT(*) FILTER (WHERE contradictory) FROM (SELECT *, (allocated_on < "
        "date_received OR COALESCE(filmed_on < allocated_on, false)) AS contradictory FROM ("
        "SELECT r.date_received, (f.allocated_at AT TIME ZONE %(zone)s)::date AS allocated_on, "
        "(SELECT MIN(m.filmed_on) FROM cycles_filming m JOIN cycles_cycle c ON c.id = m.cycle_id "
        "WHERE c.referral_id = f.referral_id AND m.entered_in_error_at IS NULL) AS filmed_on "
        "FROM (" + FIRST_ALLOCATIONS + ") f JOIN referrals_referral r ON r.id = f.referral_id) w) x",
    ),
    (
        "Caseloads",
        "SELECT a.practitioner_id, COUNT(*) FROM referrals_allocation a JOIN referrals_referral r "
        "ON r.id = a.referral_id WHERE a.ended_at IS NULL AND r.status = 'allocated' AND r.service_id = %(service)s "
        "GROUP BY 1",
    ),
    (
        "Nothing recorded for N weeks",
        "SELECT COUNT(*) FROM referrals_referral r WHERE r.service_id = %(service)s AND r.status = 'allocated' "
        "AND (SELECT MAX(e.at) FROM referrals_referralevent e WHERE e.referral_id = r.id) < %(quiet_cutoff)s",
    ),
    (
        "Protected days in use",
        "SELECT v.practitioner_id, EXTRACT(isodow FROM v.planned_at AT TIME ZONE %(zone)s), COUNT(*) "
        "FROM cycles_visit v JOIN referrals_referral r ON r.id = v.referral_id WHERE r.service_id = %(service)s "
        "AND v.planned_at >= %(start_at)s AND v.planned_at < %(end_at)s AND v.outcome <> 'cancelled_by_service' "
        "AND v.entered_in_error_at IS NULL GROUP BY 1, 2",
    ),
    (
        "Cycles per family",
        "SELECT n, COUNT(*) FROM (SELECT (SELECT COUNT(*) FROM cycles_cycle c WHERE c.referral_id = f.referral_id) "
        "AS n FROM (" + FIRST_ALLOCATIONS + ") f) x GROUP BY n ORDER BY n",
    ),
    (
        "Did not attend and cancellations",
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE v.outcome = 'did_not_attend'), "
        "COUNT(*) FILTER (WHERE v.outcome IN ('cancelled_by_family', 'cancelled_by_service')) "
        "FROM cycles_visit v JOIN referrals_referral r ON r.id = v.referral_id WHERE r.service_id = %(service)s "
        "AND v.outcome <> '' AND v.planned_at >= %(start_at)s AND v.planned_at < %(end_at)s "
        "AND v.entered_in_error_at IS NULL",
    ),
    (
        "Discharges by reason",
        "SELECT reason, COUNT(*) FROM (" + STANDING_DISCHARGES + ") d GROUP BY 1",
    ),
    (
        "Cycles at discharge against the plan",
        "SELECT done, COUNT(*) FROM (SELECT (SELECT COUNT(*) FROM cycles_sharedreview s JOIN cycles_cycle c "
        "ON c.id = s.cycle_id WHERE c.referral_id = d.referral_id AND s.entered_in_error_at IS NULL) AS done FROM ("
        + STANDING_DISCHARGES
        + ") d) x "
        "GROUP BY done ORDER BY done",
    ),
    (
        "Outcome pairs and mean change",
        "SELECT b.instrument, COUNT(*), AVG(e.primary_value - b.primary_value) FROM outcomes_measure b "
        "JOIN outcomes_measure e ON e.referral_id = b.referral_id AND e.instrument = b.instrument "
        "AND e.time_point = 'end' AND e.superseded_at IS NULL AND e.primary_value IS NOT NULL "
        "AND e.entered_in_error_at IS NULL "
        "WHERE b.time_point = 'baseline' AND b.superseded_at IS NULL AND b.primary_value IS NOT NULL "
        "AND b.entered_in_error_at IS NULL "
        "AND b.referral_id IN (SELECT referral_id FROM (" + FIRST_ALLOCATIONS + ") f) GROUP BY 1 ORDER BY 1",
    ),
    (
        "Helping questions start and end",
        "SELECT COUNT(*), AVG(e - s) FROM (SELECT "
        "(array_agg(g.score ORDER BY g.rated_on, g.id) FILTER (WHERE g.point = 'start'))[1] AS s, "
        "(array_agg(g.score ORDER BY g.rated_on DESC, g.id DESC) FILTER (WHERE g.point = 'end'))[1] AS e "
        "FROM cycles_helpingquestionrating g JOIN cycles_helpingquestion q ON q.id = g.question_id "
        "WHERE q.referral_id IN (SELECT referral_id FROM (" + FIRST_ALLOCATIONS + ") f) "
        "AND g.entered_in_error_at IS NULL AND q.entered_in_error_at IS NULL GROUP BY g.question_id) x "
        "WHERE s IS NOT NULL AND e IS NOT NULL",
    ),
    (
        "Risk answers and time to action",
        "SELECT COUNT(*), COUNT(acted), percentile_cont(0.5) WITHIN GROUP "
        "(ORDER BY EXTRACT(epoch FROM acted - raised) / 3600) FROM (SELECT MIN(n.created_at) AS raised, "
        "MIN(n.acknowledged_at) AS acted FROM notices_notice n JOIN referrals_referral r ON r.id = n.referral_id "
        "WHERE r.service_id = %(service)s AND n.kind = 'risk_answer' AND n.created_at >= %(start_at)s "
        "AND n.created_at < %(end_at)s GROUP BY n.object_type, n.object_id) x",
    ),
    (
        "Trainees: supervision hours",
        "SELECT trainee_id, SUM(duration_minutes) FROM cycles_supervisionsession WHERE service_id = %(service)s "
        "AND held_on BETWEEN %(start)s AND %(end)s AND entered_in_error_at IS NULL GROUP BY 1",
    ),
    (
        "Footage past destruction",
        "SELECT COUNT(*) FROM cycles_footage f JOIN cycles_filming m ON m.id = f.filming_id JOIN cycles_cycle c "
        "ON c.id = m.cycle_id JOIN referrals_referral r ON r.id = c.referral_id WHERE r.service_id = %(service)s "
        "AND f.destroyed_on IS NULL AND f.destroy_by < %(today)s",
    ),
    (
        "Retention reviews overdue",
        "SELECT COUNT(*) FROM governance_retentionreview v JOIN referrals_referral r ON r.id = v.referral_id "
        "WHERE r.service_id = %(service)s AND v.status IN ('due', 'proposed') AND v.due_on < %(today)s",
    ),
    (
        "Subject access requests overdue",
        "SELECT COUNT(*) FROM governance_subjectaccessrequest q JOIN referrals_referral r ON r.id = q.referral_id "
        "WHERE r.service_id = %(service)s AND q.status <> 'released' AND q.received_on <= %(sar_overdue_by)s",
    ),
    (
        "Consents withdrawn",
        "SELECT COUNT(*) FROM cycles_consentdecision d JOIN cycles_consentgiver g ON g.id = d.giver_id "
        "JOIN cycles_consent c ON c.id = g.consent_id JOIN referrals_referral r ON r.id = c.referral_id "
        "WHERE r.service_id = %(service)s AND d.withdrawn_on BETWEEN %(start)s AND %(end)s",
    ),
    (
        "Letters failed or waiting",
        "SELECT COUNT(*) FILTER (WHERE l.status = 'failed'), "
        "COUNT(*) FILTER (WHERE l.status IN ('approved', 'queued', 'rendering')) FROM letters_letter l "
        "JOIN referrals_referral r ON r.id = l.referral_id WHERE r.service_id = %(service)s "
        "AND l.superseded_at IS NULL AND l.status IN ('failed', 'approved', 'queued', 'rendering')",
    ),
]


def params(scope: Scope, today: date) -> dict:
    """The values every floor statement may use, from the dashboard's own scope."""
    start_at, end_at = scope.moments
    values = {
        "service": scope.service.pk,
        "start": scope.start,
        "end": scope.end,
        "start_at": start_at,
        "end_at": end_at,
        "today": today,
        "zone": settings.TIME_ZONE,
        "quiet_cutoff": None,
        "sar_overdue_by": answers_overdue_if_received_by(today),
    }
    for i, (low, high, _label) in enumerate(WAIT_BANDS):
        values[f"band{i}_low"] = today - timedelta(days=low * 7)
        values[f"band{i}_high"] = today - timedelta(days=(high or 0) * 7)
    return values


@dataclass
class Floor:
    name: str
    p50_ms: float
    p95_ms: float
    rows: list


def measure(scope: Scope, repeat: int, *, today: date, now, percentile) -> list[Floor]:
    """Each floor statement's p50 and p95 in ms over `repeat` runs, and the rows it returned."""
    values = params(scope, today)
    values["quiet_cutoff"] = now - timedelta(weeks=scope.quiet_weeks)
    results = []
    with connection.cursor() as cursor:
        for name, sql in FLOORS:
            timings, rows = [], []
            for _ in range(max(repeat, 1)):
                started = time.perf_counter()
                cursor.execute(sql, values)
                rows = cursor.fetchall()
                timings.append((time.perf_counter() - started) * 1000)
            results.append(Floor(name, round(statistics.median(timings), 1), round(percentile(timings, 95), 1), rows))
    return results
