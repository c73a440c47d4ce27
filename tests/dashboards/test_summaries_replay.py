"""The dashboard's summaries are never stale (ADR 0022): a random history, with a fixed seed, replayed through the real
actions — referrals made, triaged, allocated, unallocated and withdrawn; consent given and withdrawn; visits booked,
recorded and cancelled; cycles filmed and reviewed; helping questions rated; measures recorded and corrected;
families discharged and reopened; records marked entered in error — each step committed as the actions commit,
so the summaries' task runs after it as it does in production (and the outbox is worked off by the page at random
moments too). Then every summarised figure, for several scopes, equals the same figure from summaries rebuilt from
raw rows, and (on PostgreSQL) the floors: the hand-written SQL over raw rows.
"""

import contextlib
import io
import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.refusals import ActionRefused
from cycles import actions as cycles_actions
from cycles.models import Consent, Filming, HelpingQuestion, SharedReview, Visit
from dashboards import floors, summaries
from dashboards.models import FamilySummary, SummaryItem, VisitMonth
from dashboards.reads import Quarter, Scope, caseloads, commissioner_return, dashboard, default_period
from discharge import actions as discharge_actions
from outcomes.models import Measure
from referrals import actions
from referrals.actions.entered_in_error import mark_entered_in_error
from referrals.models import Allocation, FamilyChange, Referral
from tests.cycles.helpers_cycles import clip_kwargs, filming_kwargs, review_kwargs
from tests.discharge.helpers_discharge import discharge_kwargs
from tests.outcomes.helpers_outcomes import EPDS_RISK, answers
from tests.referrals.allocation_helpers import set_details
from tests.referrals.helpers import make_referral
from tooling.benchmark import percentile

SEED = 2122
STEPS = 160
REFUSED = (ValidationError, PermissionDenied, ActionRefused)


def _ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


class History:
    """The random history: each step picks an action that may apply and runs it as its page would (refusals are
    part of a history too, and leave nothing behind)."""

    def __init__(self, rng, service, coordinator, practitioners, sites):
        self.rng, self.service, self.coordinator = rng, service, coordinator
        self.practitioners, self.sites = practitioners, sites
        self.steps = [
            self.new_referral,
            self.new_referral,
            self.triage,
            self.triage,
            self.allocate,
            self.allocate,
            self.consent,
            self.visit,
            self.visit,
            self.record_visit,
            self.cycle,
            self.cycle,
            self.rate,
            self.measure,
            self.discharge,
            self.reopen,
            self.unallocate,
            self.withdraw_referral,
            self.withdraw_consent,
            self.entered_in_error,
            self.entered_in_error,
        ]

    def pick(self, queryset):
        rows = list(queryset.order_by("pk"))
        return self.rng.choice(rows) if rows else None

    def practitioner_of(self, referral):
        allocation = Allocation.objects.filter(referral=referral, ended_at__isnull=True).first()
        return allocation.practitioner if allocation else self.coordinator

    def new_referral(self):
        received = _ago(self.rng.randint(0, 420))
        make_referral(
            self.service,
            self.coordinator,
            site=self.rng.choice(self.sites),
            referral_source=self.rng.choice(list(self.service.referral_sources.order_by("pk"))),
            date_received=received,
            child_date_of_birth=received - timedelta(days=40),
        )

    def triage(self):
        referral = self.pick(Referral.objects.filter(service=self.service, status__in=["received", "info_requested"]))
        if referral:
            decision = self.rng.choice(["accept", "accept", "decline"])
            reason = self.rng.choice(["Outside the age range", "Already has support"]) if decision == "decline" else ""
            actions.triage_referral(
                referral=referral,
                decision=decision,
                reason=reason,
                override_reason="Agreed at panel",
                by=self.coordinator,
            )

    def allocate(self):
        referral = self.pick(Referral.objects.filter(service=self.service, status="accepted"))
        if referral:
            actions.allocate_referral(
                referral=referral,
                practitioner=self.rng.choice(self.practitioners),
                by=self.coordinator,
                over_capacity_reason="Agreed at panel",
            )
            # Allocated some days after it was received, as the day's work would have (set-up: the actions allocate
            # now); dated before the step commits, so the summaries' task sees it.
            day = min(referral.date_received + timedelta(days=self.rng.randint(0, 60)), timezone.localdate())
            moment = timezone.make_aware(datetime.combine(day, time(9)))
            Allocation.objects.filter(referral=referral, ended_at__isnull=True).update(
                allocated_at=min(moment, timezone.now())
            )

    def allocated(self):
        return self.pick(Referral.objects.filter(service=self.service, status="allocated"))

    def since_allocation(self, referral) -> date:
        first = Allocation.objects.filter(referral=referral, ended_at__isnull=True).first()
        start = timezone.localtime(first.allocated_at).date()
        span = max((timezone.localdate() - start).days, 0)
        return start + timedelta(days=self.rng.randint(0, span))

    def consent(self):
        referral = self.allocated()
        if referral and not Consent.objects.filter(referral=referral).exists():
            cycles_actions.record_consent(
                referral=referral,
                given_on=self.since_allocation(referral),
                givers=[{"parent": p, "items": dict.fromkeys(_consent_items(), True)} for p in referral.parents.all()],
                written_agreement_given=True,
                sharing_with="The family's health visitor",
                by=self.practitioner_of(referral),
            )

    def visit(self):
        referral = self.allocated()
        if referral:
            day = self.since_allocation(referral) + timedelta(days=self.rng.randint(0, 20))
            cycles_actions.book_visit(
                referral=referral,
                planned_at=timezone.make_aware(datetime.combine(day, time(self.rng.randint(9, 16)))),
                place="home",
                activities=["filming"],
                backdated_reason="Recorded late" if day < timezone.localdate() else "",
                by=self.practitioner_of(referral),
            )

    def record_visit(self):
        visit = self.pick(
            Visit.objects.filter(referral__service=self.service, outcome="", planned_at__lt=timezone.now())
        )
        if visit:
            outcome = self.rng.choice(["attended", "did_not_attend", "family", "service"])
            by = self.practitioner_of(visit.referral)
            if outcome in ("family", "service"):
                cycles_actions.cancel_visit(visit=visit, cancelled_by=outcome, reason="Unwell", by=by)
            else:
                cycles_actions.record_visit(
                    visit=visit, outcome=outcome, duration_minutes=60, present="Mother and baby", notes="", by=by
                )

    def cycle(self):
        referral = self.allocated()
        if not referral or not Consent.objects.filter(referral=referral).exists():
            return
        by = self.practitioner_of(referral)
        question = HelpingQuestion.objects.filter(referral=referral, entered_in_error_at__isnull=True).first()
        if question is None:
            question = cycles_actions.add_helping_question(referral=referral, text="What am I doing well?", by=by)
        cycle = cycles_actions.start_cycle(referral=referral, by=by, beyond_maximum_reason="More cycles agreed")
        filmed_on = self.since_allocation(referral)
        filming = cycles_actions.record_filming(cycle=cycle, by=by, **filming_kwargs(referral, filmed_on=filmed_on))
        cycles_actions.add_clip(filming=filming, by=by, **clip_kwargs(question))
        if self.rng.random() < 0.7:
            reviewed_on = min(filmed_on + timedelta(days=7), timezone.localdate())
            cycles_actions.record_shared_review(cycle=cycle, by=by, **review_kwargs(filming, reviewed_on=reviewed_on))

    def rate(self):
        question = self.pick(
            HelpingQuestion.objects.filter(referral__service=self.service, referral__status="allocated")
        )
        if question:
            cycles_actions.rate_helping_question(
                question=question,
                point=self.rng.choice(["start", "end"]),
                rated_on=self.since_allocation(question.referral),
                score=self.rng.randint(0, 10),
                backdated_reason="Recorded late",
                by=self.practitioner_of(question.referral),
            )

    def measure(self):
        referral = self.allocated()
        if referral:
            values = [self.rng.randint(0, 3) for _ in range(10)]
            values[9] = 0  # no risk answer: a risk alert would need its recipients' e-mail
            previous = Measure.objects.current().filter(referral=referral, instrument="epds").first()
            by = self.practitioner_of(referral)
            if previous is not None and self.rng.random() < 0.3:
                from outcomes.actions.measures import correct_measure

                correct_measure(
                    measure=previous,
                    answers=answers(values),
                    completed_on=previous.completed_on,
                    reason="Scored wrongly",
                    by=by,
                )
                return
            from outcomes.actions.measures import record_measure

            record_measure(
                referral=referral,
                instrument="epds",
                time_point=self.rng.choice(["baseline", "end"]),
                completed_on=self.since_allocation(referral),
                answers=answers(values if self.rng.random() < 0.9 else EPDS_RISK[:9] + [0]),
                by=by,
            )

    def discharge(self):
        referral = self.allocated()
        if referral:
            discharge_actions.discharge_family(
                referral=referral,
                by=self.practitioner_of(referral),
                **discharge_kwargs(
                    discharged_on=self.since_allocation(referral),
                    reason=self.rng.choice(["completed", "moved_away", "disengaged"]),
                    letter_to_referrer_agreed=False,
                    letter_to_health_visitor_agreed=False,
                    requested_actions=[],
                ),
            )

    def reopen(self):
        referral = self.pick(Referral.objects.filter(service=self.service, status="discharged"))
        if referral:
            discharge_actions.reopen_family(referral=referral, reason="Family asked to come back", by=self.coordinator)

    def unallocate(self):
        referral = self.allocated()
        if referral:
            actions.unallocate_referral(referral=referral, reason="Practitioner left", by=self.coordinator)

    def withdraw_referral(self):
        referral = self.pick(Referral.objects.filter(service=self.service, status__in=["accepted", "allocated"]))
        if referral:
            actions.withdraw_referral(referral=referral, reason="Family moved away", by=self.coordinator)

    def withdraw_consent(self):
        consent = self.pick(Consent.objects.filter(referral__service=self.service, referral__status="allocated"))
        if consent:
            cycles_actions.withdraw_consent(
                consent=consent,
                withdrawn_on=self.since_allocation(consent.referral),
                reason="Changed their mind",
                by=self.practitioner_of(consent.referral),
            )

    def entered_in_error(self):
        models = [Visit, SharedReview, Filming, Measure, HelpingQuestion]
        model = self.rng.choice(models)
        record = self.pick(model.objects.filter(entered_in_error_at__isnull=True))
        if record:
            mark_entered_in_error(record=record, reason="Recorded for the wrong family", by=self.coordinator)


def _consent_items():
    from cycles.models import ConsentItem

    return ConsentItem.values


def _dump() -> tuple[list, list, list]:
    """Every summary row, as plain values in a fixed order (ids of the rows themselves left out), and the visit
    months that count something (a month whose visits all moved away stays behind at zero)."""
    fields = [f.attname for f in FamilySummary._meta.concrete_fields]
    family = sorted(FamilySummary.objects.values_list(*fields))
    item_fields = [f.attname for f in SummaryItem._meta.concrete_fields if f.attname != "id"]
    items = sorted(SummaryItem.objects.values_list(*item_fields), key=lambda row: tuple(str(v) for v in row))
    month_fields = [f.attname for f in VisitMonth._meta.concrete_fields if f.attname != "id"]
    months = sorted(row for row in VisitMonth.objects.values_list(*month_fields) if any(row[4:]))
    return family, items, months


def _scopes(user, service, sites) -> list[Scope]:
    start, end = default_period()
    whole = Scope(user=user, service=service, site=None, start=start, end=end)
    return [
        whole,
        *(replace(whole, site=site) for site in sites),
        replace(whole, start=end - timedelta(days=45)),
        replace(whole, start=start - timedelta(days=200), end=start),
    ]


def _figures(scopes, service) -> list:
    """Every figure of the dashboard for each scope, and four quarters' commissioner returns."""
    today = timezone.localdate()
    found = [dashboard(scope) for scope in scopes]
    quarter = Quarter.of(today)
    for _ in range(4):
        start, end, to_date = quarter.counted(today)
        found.append(commissioner_return(replace(scopes[0], start=start, end=end), quarter, to_date=to_date))
        quarter = quarter.previous()
    return found


def test_a_random_history_through_the_actions_leaves_every_summary_as_raw_rows_give_it(
    service,
    coordinator,
    manager,
    practitioner,
    other_practitioner,
    peterborough,
    cambridgeshire,
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
):
    settings.STORAGES = {
        **settings.STORAGES,
        "letters": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "letters", "base_url": None, "allow_overwrite": True},
        },
    }
    for someone in (practitioner, other_practitioner):
        set_details(someone, service, coordinator, capacity=200)
    rng = random.Random(SEED)
    history = History(rng, service, coordinator, [practitioner, other_practitioner], [peterborough, cambridgeshire])
    ran = refused = 0
    for _ in range(STEPS):
        step = rng.choice(history.steps)
        # Each step commits as its request would: the summaries' task, sent on commit, runs then (eagerly here).
        with django_capture_on_commit_callbacks(execute=True):
            try:
                step()
                ran += 1
            except REFUSED:
                refused += 1
        if rng.random() < 0.1:
            dashboard(_scopes(manager, service, [])[0])  # the page works off whatever is waiting
    assert ran > STEPS // 2, f"only {ran} steps ran ({refused} refused)"
    assert not FamilyChange.objects.exists(), "the task worked off every change as it committed"
    assert Referral.objects.filter(service=service, status="discharged").exists()
    assert (
        Visit.objects.filter(entered_in_error_at__isnull=False).exists()
        or Measure.objects.filter(entered_in_error_at__isnull=False).exists()
    )

    scopes = _scopes(manager, service, [peterborough, cambridgeshire])
    kept = _dump()
    kept_figures = _figures(scopes, service)
    assert kept[0] and kept[1] and kept[2]

    call_command("rebuild_dashboard_summaries", "--service", str(service.pk), stdout=io.StringIO())
    assert _dump() == kept
    assert _figures(scopes, service) == kept_figures

    if connection.vendor == "postgresql":
        _assert_floors_agree(scopes[0])


def _assert_floors_agree(scope):
    """Every summarised figure of the whole service against its floor: the hand-written SQL over raw rows."""
    figures = dashboard(scope)
    measured = floors.measure(scope, 1, today=timezone.localdate(), now=timezone.now(), percentile=percentile)
    rows = {f.name: f.rows for f in measured}
    assert sum(n for _m, _s, n in rows["Referrals in by month and source"]) == figures["referrals_in"]["total"]
    ((decided, accepted, median_days),) = rows["Acceptance rate and days to decision"]
    triage = figures["triage"]
    assert (decided, accepted) == (triage["decided"], triage["accepted"])
    assert (round(median_days, 1) if median_days is not None else None) == triage["median_days_to_decision"]
    assert sorted(tuple(r) for r in rows["Decline reasons"]) == sorted(triage["decline_reasons"])
    ((allocated, to_allocation, to_filming, contradictory),) = rows["Waits to allocation and first filming"]
    waiting = figures["waiting"]
    assert (allocated, contradictory) == (waiting["allocated_in_period"], waiting["contradictory"])
    assert (round(to_allocation, 1) if to_allocation is not None else None) == waiting["median_days_to_allocation"]
    assert (round(to_filming, 1) if to_filming is not None else None) == waiting["median_days_allocation_to_filming"]
    protected = figures["caseloads"]["protected_days"]
    assert sum(n for _p, _d, n in rows["Protected days in use"]) == protected["visits"]
    assert [(str(n), c) for n, c in rows["Cycles per family"]] == figures["delivery"]["cycles_per_family"]
    ((recorded, dna, cancelled),) = rows["Did not attend and cancellations"]
    delivery = figures["delivery"]
    assert (recorded, dna) == (delivery["visits_recorded"], delivery["did_not_attend"])
    assert cancelled == delivery["cancelled_by_family"] + delivery["cancelled_by_service"]
    by_reason = sorted((reason, n) for reason, _label, n in figures["discharges"]["by_reason"])
    assert sorted(tuple(r) for r in rows["Discharges by reason"]) == by_reason
    assert [(str(n), c) for n, c in rows["Cycles at discharge against the plan"]] == figures["discharges"][
        "cycles_at_discharge"
    ]
    measures = {m["instrument"]: m for m in figures["outcomes"]["measures"]}
    for instrument, n, mean in rows["Outcome pairs and mean change"]:
        assert measures[instrument]["pairs"] == n
        assert abs(float(measures[instrument]["mean_change"]) - float(mean)) < 0.01
    assert sum(m["pairs"] for k, m in measures.items() if k != "gbo") == sum(
        n for _i, n, _m in rows["Outcome pairs and mean change"]
    )
    assert rows["Helping questions start and end"][0][0] == measures["gbo"]["pairs"]
    protection = figures["data_protection"]
    assert rows["Footage past destruction"][0][0] == protection["footage_past_destruction"]
    assert rows["Consents withdrawn"][0][0] == protection["consents_withdrawn"]
    # Nothing recorded for N weeks, from the summaries' newest history entry: the random history is minutes old,
    # so with N = 0 every allocated family counts; the floor reads the history itself.
    everyone = replace(scope, quiet_weeks=0)
    (quiet,) = (
        f
        for f in floors.measure(everyone, 1, today=timezone.localdate(), now=timezone.now(), percentile=percentile)
        if f.name == "Nothing recorded for N weeks"
    )
    assert quiet.rows[0][0] == caseloads(everyone)["quiet"] > 0


@pytest.mark.parametrize("seed", [1, 2])
def test_short_histories_with_other_seeds(
    seed,
    service,
    coordinator,
    manager,
    practitioner,
    other_practitioner,
    peterborough,
    cambridgeshire,
    settings,
    tmp_path,
):
    """Two more short histories, the worker never running (the page works everything off when it reads)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "letters": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "letters", "base_url": None, "allow_overwrite": True},
        },
    }
    for someone in (practitioner, other_practitioner):
        set_details(someone, service, coordinator, capacity=200)
    rng = random.Random(seed)
    history = History(rng, service, coordinator, [practitioner, other_practitioner], [peterborough, cambridgeshire])
    for _ in range(60):
        with contextlib.suppress(*REFUSED):
            rng.choice(history.steps)()
    scopes = _scopes(manager, service, [peterborough, cambridgeshire])
    kept_figures = _figures(scopes, service)  # the page works off the outbox first
    kept = _dump()
    summaries.rebuild(service.pk)
    assert _dump() == kept
    assert _figures(scopes, service) == kept_figures
