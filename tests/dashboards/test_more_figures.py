"""The figures added after the first dashboard: each against a small hand-made data set whose answer is known."""

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.models import Service
from cycles.models import SupervisionSession, Visit, VisitOutcome
from dashboards.reads import (
    Quarter,
    Scope,
    caseloads,
    commissioner_return,
    dashboard,
    default_period,
    discharges,
    figure_lists,
    risk_alerts,
    trainees_progress,
)
from notices.models import Notice, NoticeKind
from referrals.history import record_change
from referrals.models import Allocation, Referral, ReferralEvent, TriageDecision
from tests.cycles.helpers_cycles import consent, helping_question, run_cycle
from tests.cycles.helpers_cycles import family as cycles_family
from tests.dashboards.helpers_dashboards import caught_up, days_ago, summarised
from tests.discharge.helpers_discharge import discharge
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral, set_details


@pytest.fixture(autouse=True)
def _letters_in_a_temporary_folder(settings, tmp_path):
    """Discharge drafts letters: keep their PDFs in this test's own folder."""
    storages = {**settings.STORAGES}
    storages["letters"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "letters", "base_url": None, "allow_overwrite": True},
    }
    settings.STORAGES = storages


def scope_for(user, service, site=None, **overrides):
    start, end = default_period()
    return replace(Scope(user=user, service=service, site=site, start=start, end=end), **overrides)


def ids(queryset) -> list[int]:
    return sorted(queryset.values_list("pk", flat=True))


# --- Caseloads: nothing recorded for N weeks, protected days ------------------------------------------------------


def test_families_with_nothing_recorded_for_n_weeks(service, coordinator, manager, practitioner, peterborough):
    set_details(practitioner, service, coordinator, capacity=10)
    quiet = allocated_referral(service, coordinator, practitioner, site=peterborough)
    busy = allocated_referral(service, coordinator, practitioner, site=peterborough)
    waiting = accepted_referral(service, coordinator, site=peterborough)  # not allocated: not counted however quiet
    seven_weeks_ago = timezone.now() - timedelta(weeks=7)
    ReferralEvent.objects.filter(referral__in=[quiet, waiting, busy]).update(at=seven_weeks_ago)
    summarised(service)  # the history re-dated by hand, as an import might: the summaries rebuilt from raw rows
    assert caseloads(scope_for(manager, service))["quiet"] == 2
    # Anything recorded through the actions reaches the summaries (their outbox) before the dashboard counts.
    record_change(referral=busy, by=practitioner, kind="visit_recorded", summary="Visit recorded")
    caught_up()

    assert caseloads(scope_for(manager, service))["quiet"] == 1  # default: 6 weeks
    assert ids(figure_lists(scope_for(manager, service))["quiet"][1]()) == [quiet.pk]
    assert caseloads(scope_for(manager, service, quiet_weeks=8))["quiet"] == 0
    # Exactly at the edge: recorded 7 weeks ago is not "nothing for 7 weeks" until that moment has passed.
    assert caseloads(scope_for(manager, service, quiet_weeks=7))["quiet"] == 1


def test_the_quiet_list_works_off_changes_not_yet_in_the_summaries(
    service, coordinator, manager, practitioner, peterborough
):
    set_details(practitioner, service, coordinator, capacity=10)
    quiet = allocated_referral(service, coordinator, practitioner, site=peterborough)
    seen = allocated_referral(service, coordinator, practitioner, site=peterborough)
    ReferralEvent.objects.filter(referral__in=[quiet, seen]).update(at=timezone.now() - timedelta(weeks=7))
    summarised(service)
    # A visit recorded a moment ago: its outbox row waits (no worker in a test), and the list works it off itself.
    record_change(referral=seen, by=practitioner, kind="visit_recorded", summary="Visit recorded")

    assert ids(figure_lists(scope_for(manager, service))["quiet"][1]()) == [quiet.pk]


def _weekday_in_period(weekday: int) -> datetime:
    """10:00 on the most recent past `weekday` (0 = Monday) at least a week ago, inside the default period."""
    day = timezone.localdate() - timedelta(days=7)
    while day.weekday() != weekday:
        day -= timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())


def test_protected_days_in_use(service, coordinator, manager, practitioner, peterborough):
    set_details(practitioner, service, coordinator, capacity=10, protected_days=[0])  # Mondays
    referral = allocated_referral(service, coordinator, practitioner, site=peterborough)
    for weekday, outcome in [(0, VisitOutcome.ATTENDED), (1, VisitOutcome.ATTENDED), (0, "")]:
        Visit.objects.create(  # set-up only: the visit actions need consent first
            referral=referral,
            practitioner=practitioner,
            planned_at=_weekday_in_period(weekday),
            outcome=outcome,
            recorded_at=timezone.now() if outcome else None,
            created_by=practitioner,
        )
    # Cancelled by the service: the day was not used for VIG work, so it is not counted either way.
    Visit.objects.create(
        referral=referral,
        practitioner=practitioner,
        planned_at=_weekday_in_period(0),
        outcome=VisitOutcome.CANCELLED_BY_SERVICE,
        recorded_at=timezone.now(),
        created_by=practitioner,
    )
    # Outside the period: not counted.
    Visit.objects.create(
        referral=referral,
        practitioner=practitioner,
        planned_at=timezone.now() - timedelta(days=500),
        outcome=VisitOutcome.ATTENDED,
        recorded_at=timezone.now(),
        created_by=practitioner,
    )
    summarised(service)
    figures = caseloads(scope_for(manager, service))
    (row,) = figures["practitioners"]
    assert row["protected"] == {"days": "Mon", "visits": 3, "on_protected": 2}
    protected = figures["protected_days"]
    assert (protected["visits"], protected["on_protected"], protected["percent_on_protected"]) == (3, 2, 66.7)
    assert protected["practitioners_with_days"] == 1


# --- Discharges: by reason, cycles against the plan -----------------------------------------------------------------


def _discharged(service, coordinator, practitioner, *, cycles: int, reason: str):
    referral = cycles_family(service, coordinator, practitioner)
    consent(referral, practitioner)
    question = helping_question(referral, practitioner)
    for n in range(cycles):
        run_cycle(referral, practitioner, question, filmed_on=days_ago(30 - 10 * n), reviewed_on=days_ago(25 - 10 * n))
    discharge(
        referral,
        practitioner,
        reason=reason,
        letter_to_referrer_agreed=False,
        letter_to_health_visitor_agreed=False,
    )
    return referral


def test_discharges_by_reason_and_cycles_against_the_plan(service, coordinator, manager, practitioner):
    Service.objects.filter(pk=service.pk).update(min_cycles=1, planned_cycles=2, max_cycles=4)
    service.refresh_from_db()
    as_planned = _discharged(service, coordinator, practitioner, cycles=2, reason="completed")
    more = _discharged(service, coordinator, practitioner, cycles=3, reason="completed")
    fewer = _discharged(service, coordinator, practitioner, cycles=0, reason="moved_away")

    caught_up()
    figures = discharges(scope_for(manager, service))
    assert figures["total"] == 3
    assert [(value, n) for value, _label, n in figures["by_reason"]] == [("completed", 2), ("moved_away", 1)]
    assert figures["cycles_at_discharge"] == [("0", 1), ("2", 1), ("3", 1)]
    assert [(key, n) for key, _label, n in figures["against_plan"]] == [("fewer", 1), ("as_planned", 1), ("more", 1)]
    lists = figure_lists(scope_for(manager, service))
    assert ids(lists["discharged"][1]()) == sorted([as_planned.pk, more.pk, fewer.pk])
    assert ids(lists["discharged:moved_away"][1]()) == [fewer.pk]
    assert ids(lists["against_plan:fewer"][1]()) == [fewer.pk]
    assert ids(lists["against_plan:as_planned"][1]()) == [as_planned.pk]
    assert ids(lists["against_plan:more"][1]()) == [more.pk]
    # Outside the period: nothing.
    long_ago = scope_for(manager, service, start=date(2020, 1, 1), end=date(2020, 12, 31))
    assert discharges(long_ago)["total"] == 0

    rows = dict(commissioner_return(scope_for(manager, service)))
    assert rows["Discharged"] == 3
    assert rows["Discharged: Moved away"] == 1


# --- Risk answers and how fast they were acted on -----------------------------------------------------------------


def _notice(recipient, referral, measure_id: int, *, hours_ago: float, acted_hours_ago: float | None = None):
    now = timezone.now()
    acted = acted_hours_ago is not None
    return Notice.objects.create(  # set-up only: timestamps are the point of this test
        recipient=recipient,
        kind=NoticeKind.RISK_ANSWER,
        referral=referral,
        object_type="outcomes.measure",
        object_id=str(measure_id),
        summary="Risk answer on EPDS: act on it",
        urgent=True,
        created_at=now - timedelta(hours=hours_ago),
        acknowledged_at=now - timedelta(hours=acted_hours_ago) if acted else None,
        acknowledged_by=recipient if acted else None,
        action_taken="Rang the family and the GP" if acted else "",
    )


def test_risk_alerts_count_once_and_time_to_the_first_action(service, coordinator, manager, practitioner, peterborough):
    set_details(practitioner, service, coordinator, capacity=10)
    referral = allocated_referral(service, coordinator, practitioner, site=peterborough)
    other = allocated_referral(service, coordinator, practitioner, site=peterborough)
    # Alert 1 went to two people: raised 5 hours ago, the first of them acted 3 hours later.
    _notice(practitioner, referral, 1, hours_ago=5, acted_hours_ago=2)
    _notice(coordinator, referral, 1, hours_ago=5, acted_hours_ago=1)
    # Alert 2: acted on after 1 hour.
    _notice(practitioner, referral, 2, hours_ago=10, acted_hours_ago=9)
    # Alert 3: nobody has acted yet.
    _notice(practitioner, other, 3, hours_ago=1)
    _notice(coordinator, other, 3, hours_ago=1)
    # Alert 4: raised before the period.
    _notice(practitioner, other, 4, hours_ago=24 * 400)

    figures = risk_alerts(scope_for(manager, service))
    assert (figures["raised"], figures["acknowledged"], figures["open"]) == (3, 2, 1)
    assert figures["median_hours_to_acknowledge"] == 2.0  # of 3 and 1 hours
    assert figures["longest_hours_to_acknowledge"] == 3.0
    lists = figure_lists(scope_for(manager, service))
    assert ids(lists["risk_alerts"][1]()) == sorted([referral.pk, other.pk])
    assert ids(lists["risk_open"][1]()) == [other.pk]


# --- Trainees: supervision hours in the period ------------------------------------------------------------------------


def test_supervision_hours_in_the_period(service, coordinator, manager, trainee, supervisor):
    set_details(trainee, service, coordinator, supervisor=supervisor)
    for held_on, minutes in [(days_ago(10), 90), (days_ago(20), 45), (days_ago(500), 60)]:
        SupervisionSession.objects.create(
            service=service,
            supervisor=supervisor,
            trainee=trainee,
            held_on=held_on,
            duration_minutes=minutes,
            recorded_by=supervisor,
        )
    figures = trainees_progress(scope_for(manager, service))
    (row,) = figures["rows"]
    assert row["progress"].membership.user == trainee
    assert row["period_hours"] == 2.2  # 135 minutes
    assert row["progress"].supervised_hours == 3.2  # every session counts towards the stage target
    assert figures["total_period_hours"] == 2.2


# --- The commissioner return for a past quarter ---------------------------------------------------------------------


def test_past_quarter_waiting_list_is_worked_out_from_dates(service, coordinator, manager, practitioner, peterborough):
    """A family waiting at the end of last quarter and allocated since still counts as waiting then."""
    set_details(practitioner, service, coordinator, capacity=10)
    today = timezone.localdate()
    start, end = Quarter.of(today).previous().bounds
    zone = timezone.get_current_timezone()
    in_quarter = datetime.combine(start + timedelta(days=10), time(10), tzinfo=zone)
    after_quarter = datetime.combine(end + timedelta(days=1), time(10), tzinfo=zone)

    allocated_since = allocated_referral(service, coordinator, practitioner, site=peterborough)
    allocated_then = allocated_referral(service, coordinator, practitioner, site=peterborough)
    accepted_since = accepted_referral(service, coordinator, site=peterborough)
    for referral in (allocated_since, allocated_then, accepted_since):
        Referral.objects.filter(pk=referral.pk).update(date_received=start)
        TriageDecision.objects.filter(referral=referral).update(decided_at=in_quarter)
    Allocation.objects.filter(referral=allocated_since).update(allocated_at=after_quarter)
    Allocation.objects.filter(referral=allocated_then).update(allocated_at=in_quarter + timedelta(days=1))
    TriageDecision.objects.filter(referral=accepted_since).update(decided_at=after_quarter)

    rows = dict(commissioner_return(scope_for(manager, service, start=start, end=end)))
    waiting = sum(value for label, value in rows.items() if label.startswith("Waiting at period end"))
    assert waiting == 1  # only allocated_since: accepted_since was not yet accepted, allocated_then was allocated
    assert rows["Referrals received"] == 3


def test_every_new_figure_costs_the_same_queries_at_two_sizes(
    service, coordinator, manager, practitioner, peterborough
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_details(practitioner, service, coordinator, capacity=40)
    allocated_referral(service, coordinator, practitioner, site=peterborough)

    def count() -> int:
        caught_up()
        with CaptureQueriesContext(connection) as queries:
            dashboard(scope_for(manager, service))
        return len(queries)

    count()  # the first call loads what is cached for the process (instrument definitions)
    small = count()
    for _ in range(8):
        referral = allocated_referral(service, coordinator, practitioner, site=peterborough)
        _notice(practitioner, referral, referral.pk, hours_ago=3, acted_hours_ago=1)
    assert count() == small


# --- The scope's condition is visible_to's rule, failing closed ------------------------------------------------------


def test_scope_condition_matches_visible_to_for_everyone(
    service, other_service, coordinator, manager, other_manager, practitioner, supervisor, peterborough, cambridgeshire
):
    from accounts.models import Role
    from accounts.permissions import Perm
    from tests.dashboards.helpers_dashboards import known_service
    from tests.factories import staff

    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    site_manager = staff("site_manager", service, Role.MANAGER, sites=[cambridgeshire])
    site_coordinator = staff("site_coordinator", service, Role.COORDINATOR, sites=[peterborough])
    for user in (manager, coordinator, site_manager, site_coordinator, other_manager, practitioner, supervisor):
        expected = Referral.objects.visible_to(user, Perm.DASHBOARD_VIEW).filter(service_id=service.pk)
        assert ids(scope_for(user, service).referrals) == ids(expected), user.username
    assert ids(scope_for(site_manager, service).referrals)  # not vacuous: a site-limited manager sees some
    assert ids(scope_for(other_manager, service).referrals) == []  # another service's manager: none
    assert ids(scope_for(practitioner, service).referrals) == []  # no service-wide role: none, not everything
    # A site the user does not cover matches nothing, even when asked for by id.
    assert ids(scope_for(site_manager, service, site=peterborough).referrals) == []


def test_another_services_manager_sees_every_figure_empty(
    service, other_service, coordinator, other_manager, practitioner, trainee, supervisor, peterborough, cambridgeshire
):
    """Every figure group of another service's dashboard is empty while this service has one of everything."""
    from tests.dashboards.helpers_dashboards import known_service

    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    Service.objects.filter(pk=service.pk).update(min_cycles=1, planned_cycles=1)
    service.refresh_from_db()
    referral = _discharged(service, coordinator, practitioner, cycles=1, reason="completed")
    _notice(practitioner, referral, 1, hours_ago=5, acted_hours_ago=2)
    set_details(trainee, service, coordinator, supervisor=supervisor)
    SupervisionSession.objects.create(
        service=service,
        supervisor=supervisor,
        trainee=trainee,
        held_on=days_ago(3),
        duration_minutes=60,
        recorded_by=supervisor,
    )
    mine = dashboard(scope_for(coordinator, service))
    assert mine["triage"]["decided"] and mine["discharges"]["total"] and mine["risk_alerts"]["raised"]

    theirs = dashboard(scope_for(other_manager, other_service))
    assert theirs["referrals_in"]["total"] == 0
    assert theirs["triage"]["decided"] == 0 and theirs["triage"]["decline_reasons"] == []
    assert theirs["waiting"]["total"] == 0 and theirs["waiting"]["allocated_in_period"] == 0
    assert theirs["caseloads"]["quiet"] == 0 and theirs["caseloads"]["protected_days"]["visits"] == 0
    assert theirs["delivery"]["families"] == 0 and theirs["delivery"]["visits_recorded"] == 0
    assert theirs["discharges"]["total"] == 0 and theirs["risk_alerts"]["raised"] == 0
    assert theirs["trainees"]["total_period_hours"] == 0
    assert all(m["pairs"] == 0 for m in theirs["outcomes"]["measures"])
    # And asking for this service by id with another service's role: nothing at all.
    asked = dashboard(scope_for(other_manager, service))
    assert asked["triage"]["decided"] == 0 and asked["discharges"]["total"] == 0
    assert asked["risk_alerts"]["raised"] == 0 and asked["referrals_in"]["total"] == 0
    assert asked["caseloads"]["practitioners"] == [] and asked["trainees"]["rows"] == []


def test_every_figure_link_on_the_page_opens_its_list_and_csv(
    client, service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    """Follow every figure link the dashboard shows (new figures included) to its list and its CSV."""
    import re
    from html import unescape

    from django.urls import reverse

    from tests.conftest import verify_session
    from tests.dashboards.helpers_dashboards import dashboard_url, known_service

    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    referral = _discharged(service, coordinator, practitioner, cycles=1, reason="moved_away")
    _notice(practitioner, referral, 1, hours_ago=5)
    verify_session(client, manager)
    page = client.get(dashboard_url(service, weeks=3)).content.decode()
    list_path = reverse("dashboards:figure_list")
    links = sorted({unescape(href) for href in re.findall(rf'href="({re.escape(list_path)}\?[^"]+)"', page)})
    figures = {re.search(r"figure=([^&]+)", link).group(1) for link in links}
    assert {"quiet", "discharged", "discharged:moved_away", "against_plan:fewer", "risk_alerts", "risk_open"} <= figures
    for link in links:
        listed = client.get(link)
        assert listed.status_code == 200, link
        exported = client.get(link.replace(list_path, reverse("dashboards:figure_csv")))
        assert exported.status_code == 200, link
    risk_open = client.get(f"{list_path}?service={service.pk}&figure=risk_open")
    assert [r.pk for r in risk_open.context["rows"]] == [referral.pk]
    assert "weeks=3" in next(link for link in links if "figure=quiet" in link)  # the chosen N travels with the link
