"""Each dashboard floor (one hand-written SQL statement) computes the same figure as the dashboard: a floor that
counted something else would make the benchmark's comparison meaningless, and a figure that disagreed with plain
SQL would be wrong. The floors are PostgreSQL's SQL, where the benchmark is measured."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Service
from cycles.models import SupervisionSession
from dashboards import floors
from dashboards.reads import dashboard
from referrals.models import Allocation
from tests.conftest import verify_session
from tests.dashboards.helpers_dashboards import days_ago, known_service
from tests.dashboards.test_more_figures import _discharged, _notice, scope_for
from tests.referrals.allocation_helpers import set_details
from tooling.benchmark import percentile

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the floors are PostgreSQL's SQL")


@pytest.fixture(autouse=True)
def _letters_in_a_temporary_folder(settings, tmp_path):
    storages = {**settings.STORAGES}
    storages["letters"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "letters", "base_url": None, "allow_overwrite": True},
    }
    settings.STORAGES = storages


def test_every_floor_agrees_with_its_dashboard_figure(
    service, coordinator, manager, practitioner, trainee, supervisor, peterborough, cambridgeshire
):
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    Service.objects.filter(pk=service.pk).update(min_cycles=1, planned_cycles=1)
    service.refresh_from_db()
    done = _discharged(service, coordinator, practitioner, cycles=1, reason="completed")
    _discharged(service, coordinator, practitioner, cycles=0, reason="moved_away")
    # Then re-dated as a record from an older system might be: filmed 30 days ago, allocated today (contradictory).
    Allocation.objects.filter(referral=done).update(allocated_at=timezone.now())
    _notice(practitioner, done, 1, hours_ago=5, acted_hours_ago=2)
    _notice(practitioner, done, 2, hours_ago=1)
    set_details(trainee, service, coordinator, supervisor=supervisor)
    SupervisionSession.objects.create(
        service=service,
        supervisor=supervisor,
        trainee=trainee,
        held_on=days_ago(3),
        duration_minutes=90,
        recorded_by=supervisor,
    )
    scope = scope_for(manager, service)
    figures = dashboard(scope)
    measured = floors.measure(scope, 1, today=timezone.localdate(), now=timezone.now(), percentile=percentile)
    rows = {f.name: f.rows for f in measured}
    assert [f.name for f in measured] == [name for name, _sql in floors.FLOORS]

    assert sum(n for _m, _s, n in rows["Referrals in by month and source"]) == figures["referrals_in"]["total"]
    ((decided, accepted, median_days),) = rows["Acceptance rate and days to decision"]
    triage = figures["triage"]
    assert (decided, accepted, median_days) == (
        triage["decided"],
        triage["accepted"],
        triage["median_days_to_decision"],
    )
    assert [tuple(r) for r in rows["Decline reasons"]] == triage["decline_reasons"]
    total, oldest, *bands = rows["Waiting list in bands"][0]
    waiting = figures["waiting"]
    assert total == waiting["total"] and bands == [n for _label, n in waiting["bands"]]
    assert (timezone.localdate() - oldest).days == waiting["longest_days"]
    ((allocated, to_allocation, to_filming, contradictory),) = rows["Waits to allocation and first filming"]
    assert allocated == waiting["allocated_in_period"] > 0
    assert to_allocation == waiting["median_days_to_allocation"]
    assert to_filming == waiting["median_days_allocation_to_filming"]
    # The family filmed 30 days ago and allocated today is contradictory, so left out of the wait.
    assert contradictory == waiting["contradictory"] == 1 and to_filming is None
    open_cases = sum(n for _p, n in rows["Caseloads"])
    assert open_cases == sum(r["open"] for r in figures["caseloads"]["practitioners"])
    assert rows["Nothing recorded for N weeks"][0][0] == figures["caseloads"]["quiet"]
    assert sum(n for _p, _d, n in rows["Protected days in use"]) == figures["caseloads"]["protected_days"]["visits"]
    cycles = [(str(n), families) for n, families in rows["Cycles per family"]]
    assert cycles == figures["delivery"]["cycles_per_family"]
    ((recorded, dna, cancelled),) = rows["Did not attend and cancellations"]
    delivery = figures["delivery"]
    assert (recorded, dna) == (delivery["visits_recorded"], delivery["did_not_attend"])
    assert cancelled == delivery["cancelled_by_family"] + delivery["cancelled_by_service"]
    by_reason = sorted((reason, n) for reason, _label, n in figures["discharges"]["by_reason"])
    assert sorted(rows["Discharges by reason"]) == by_reason == [("completed", 1), ("moved_away", 1)]
    assert [(str(n), c) for n, c in rows["Cycles at discharge against the plan"]] == figures["discharges"][
        "cycles_at_discharge"
    ]
    pairs = {m["instrument"]: m["pairs"] for m in figures["outcomes"]["measures"] if m["instrument"] != "gbo"}
    assert {instrument: n for instrument, n, _mean in rows["Outcome pairs and mean change"]} == {
        k: v for k, v in pairs.items() if v
    }
    gbo = next(m for m in figures["outcomes"]["measures"] if m["instrument"] == "gbo")
    assert rows["Helping questions start and end"][0][0] == gbo["pairs"]
    ((raised, acted, median_hours),) = rows["Risk answers and time to action"]
    risk = figures["risk_alerts"]
    assert (raised, acted) == (risk["raised"], risk["acknowledged"]) == (2, 1)
    assert round(median_hours, 1) == risk["median_hours_to_acknowledge"] == 3.0
    assert sum(m for _t, m in rows["Trainees: supervision hours"]) / 60 == figures["trainees"]["total_period_hours"]
    protection = figures["data_protection"]
    assert rows["Footage past destruction"][0][0] == protection["footage_past_destruction"]
    assert rows["Consents withdrawn"][0][0] == protection["consents_withdrawn"]
    assert rows["Retention reviews overdue"][0][0] == protection["retention_reviews_overdue"]
    assert rows["Subject access requests overdue"][0][0] == protection["subject_access_overdue"]
    assert tuple(rows["Letters failed or waiting"][0]) == (protection["letters_failed"], protection["letters_waiting"])


def test_floors_cover_the_last_twelve_months_only(service, coordinator, manager, practitioner):
    """A discharge dated before the period is in neither the floor nor the figure."""
    referral = _discharged(service, coordinator, practitioner, cycles=0, reason="moved_away")
    referral.discharges.update(discharged_on=timezone.localdate() - timedelta(days=400))
    scope = scope_for(manager, service)
    measured = {
        f.name: f.rows
        for f in floors.measure(scope, 1, today=timezone.localdate(), now=timezone.now(), percentile=percentile)
    }
    assert measured["Discharges by reason"] == [] and dashboard(scope)["discharges"]["total"] == 0


def test_every_summary_figure_agrees_with_its_floor(client, service, manager, busy_service):
    """The summary at the top of the page against the hand-written SQL of the figures it summarises, on data with
    a contradictory family, risk answers and overdue governance work."""
    verify_session(client, manager)
    response = client.get(reverse("dashboards:dashboard"))
    top = response.context["summary"]
    scope = response.context["scope"]
    rows = {
        f.name: f.rows
        for f in floors.measure(scope, 1, today=timezone.localdate(), now=timezone.now(), percentile=percentile)
    }
    total, oldest, *_bands = rows["Waiting list in bands"][0]
    assert (top["waiting"], top["longest_wait_days"]) == (total, (timezone.localdate() - oldest).days) == (3, 364)
    assert top["open_families"] == sum(n for _p, n in rows["Caseloads"])
    ((_allocated, _to_allocation, to_filming, contradictory),) = rows["Waits to allocation and first filming"]
    assert (top["median_days_to_filming"], top["contradictory"]) == (to_filming, contradictory) == (15, 1)
    ((raised, acted, _median),) = rows["Risk answers and time to action"]
    assert top["risk_not_acted_on"] == raised - acted == 1
    overdue = sum(
        rows[name][0][0]
        for name in ("Footage past destruction", "Retention reviews overdue", "Subject access requests overdue")
    )
    assert top["data_protection_overdue"] == overdue == 2
