"""seed_scale and benchmark: their refusals, and a small run of each so they cannot rot; the casework seed_scale
writes has the shapes the actions would leave."""

import json
import random
from collections import Counter
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import PractitionerDetails, Service
from cycles.actions.footage import keep_months
from cycles.models import (
    Clip,
    Consent,
    ConsentDecision,
    ConsentItem,
    Cycle,
    Filming,
    Footage,
    HelpingQuestionRating,
    SharedReview,
    SupervisionSession,
    Visit,
    VisitActivity,
    VisitOutcome,
)
from discharge.models import Discharge
from letters.models import Letter
from letters.states import LetterStatus
from notices.models import Notice, NoticeKind
from outcomes.models import Measure, TimePoint
from outcomes.reads import service_figures
from referrals.models import Allocation, Parent, Referral
from referrals.nhs_number import is_test_range, is_valid
from referrals.states import ReferralStatus
from tooling import scale_work
from tooling.benchmark import TARGETS, percentile
from tooling.scale import NHSNumbers


def test_seed_scale_refuses_outside_demo_mode(db):
    with pytest.raises(CommandError, match="demo mode"):
        call_command("seed_scale", "--referrals", "10", "--i-know-this-is-throwaway")


def test_seed_scale_refuses_a_database_not_named_scale(db, settings, monkeypatch):
    settings.DEMO_MODE = True
    monkeypatch.setitem(connection.settings_dict, "NAME", "vig_service")  # the test database may end in _scale
    with pytest.raises(CommandError, match="does not look throw-away"):
        call_command("seed_scale", "--referrals", "10")
    assert not Referral.objects.exists()


def test_benchmark_refuses_outside_demo_mode(db):
    with pytest.raises(CommandError, match="demo mode"):
        call_command("benchmark", "--repeat", "1")


def test_scale_nhs_numbers_are_valid_distinct_and_in_the_test_range():
    numbers = [n for n, _ in zip(NHSNumbers(), range(5000), strict=False)]
    assert len(set(numbers)) == len(numbers)
    assert all(is_valid(n) and is_test_range(n) for n in numbers)


def test_each_service_has_its_own_block_of_nhs_numbers():
    first = [n for n, _ in zip(NHSNumbers(1, 3000), range(2000), strict=False)]
    second = [n for n, _ in zip(NHSNumbers(3000, 6000), range(2000), strict=False)]
    assert not set(first) & set(second)
    with pytest.raises(RuntimeError, match="Out of synthetic NHS numbers"):
        list(zip(NHSNumbers(1, 10), range(20), strict=False))


@pytest.mark.parametrize("day", [date(2024, 1, 1) + timedelta(days=n * 37) for n in range(10)])
def test_planned_work_keeps_the_actions_order(services, day):
    """Consent, then each cycle filmed and reviewed about a week later, the next filmed on or after that review;
    a finished family's work ends before today; an open family has nothing held in the future."""
    service = Service.objects.get(slug="cpft-perinatal-vig")
    today = date(2025, 6, 1)
    for seed in range(30):
        rng = random.Random(seed)
        for work in (
            scale_work.plan_finished(service, day, today, rng),
            scale_work.plan_open(service, day, today, rng),
        ):
            if work is None:
                continue
            held = [v.day for v in work.visits if v.outcome == VisitOutcome.ATTENDED]
            assert held == sorted(held)
            assert all(v.day < today for v in work.visits if v.outcome)
            assert all(v.day != today for v in work.visits if not v.outcome)  # booked ahead, or overdue
            assert all(v.day.weekday() < 5 for v in work.visits if v.outcome)
            previous = work.consent_on
            for cycle in work.cycles:
                assert previous is not None and cycle.started_on >= day
                if cycle.film:
                    assert cycle.filmed_on >= previous
                    previous = cycle.filmed_on
                if cycle.review:
                    assert 5 <= (cycle.reviewed_on - cycle.filmed_on).days <= 45
                    previous = cycle.reviewed_on
            if work.ends_on:
                assert work.reason and day <= work.ends_on < today
                assert all(v.day <= work.ends_on for v in work.visits)


def test_percentile_is_a_real_request():
    assert percentile([float(n) for n in range(1, 31)], 95) == 29.0
    assert percentile([5.0], 95) == 5.0


@pytest.mark.slow
def test_seed_scale_then_benchmark_at_small_size(db, settings, tmp_path):
    settings.DEMO_MODE = True
    call_command("seed_scale", "--referrals", "500", "--practitioners", "20", "--i-know-this-is-throwaway")
    assert Referral.objects.count() == 500
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    numbers = [*Parent.objects.values_list("nhs_number", flat=True)]
    numbers += Referral.objects.values_list("child_nhs_number", flat=True)
    assert all(is_valid(n) and is_test_range(n) for n in numbers if n)
    capacity = dict(PractitionerDetails.objects.values_list("membership__user_id", "capacity"))
    caseloads = Counter(Allocation.objects.active().values_list("practitioner_id", flat=True))
    assert caseloads and all(n <= capacity[user_id] for user_id, n in caseloads.items())
    with pytest.raises(CommandError, match="already holds scale data"):
        call_command("seed_scale", "--referrals", "10", "--i-know-this-is-throwaway")

    assert_casework_has_the_actions_shapes()

    out = tmp_path / "bench.json"
    call_command("benchmark", "--repeat", "2", "--json", str(out))
    results = json.loads(out.read_text())["results"]
    assert [r["name"] for r in results] == [t.name for t in TARGETS]
    assert all(r["status"] == 200 and r["queries"] > 0 for r in results)


def assert_casework_has_the_actions_shapes():
    today, now = timezone.localdate(), timezone.now()
    allocated = Referral.objects.filter(allocations__isnull=False)
    # Consent for every family that got as far as an introduction; each giver answered every item.
    assert Consent.objects.exists()
    assert (
        not ConsentDecision.objects.annotate()
        .values("giver")
        .annotate(n=Count("pk"))
        .exclude(n=len(ConsentItem.values))
    )
    withdrawn = ConsentDecision.objects.filter(withdrawn_on__isnull=False)
    assert not withdrawn.filter(Q(agreed=False) | Q(withdrawn_on__lt=F("giver__consent__given_on")))

    # Visits: outcomes only for the past; every family's visits belong to its practitioner; activities name cycles
    # of the same family.
    assert Visit.objects.filter(planned_at__lt=now).exclude(outcome="").exists()
    assert not Visit.objects.filter(planned_at__gt=now).exclude(outcome="")
    open_families = Referral.objects.filter(status=ReferralStatus.ALLOCATED).count()
    assert Visit.objects.overdue().count() <= 0.25 * open_families  # now and then an outcome not yet recorded
    assert set(Visit.objects.values_list("outcome", flat=True)) >= {*VisitOutcome.values, ""}
    assert not Visit.objects.filter(outcome=VisitOutcome.ATTENDED, duration_minutes__isnull=True)
    assert not VisitActivity.objects.filter(cycle__isnull=False).exclude(cycle__referral_id=F("visit__referral_id"))
    assert set(Visit.objects.values_list("referral_id", flat=True)) <= set(allocated.values_list("pk", flat=True))

    # Cycles: filmed after consent, clips inside the film, a shared review about a week after its filming, and the
    # next cycle filmed on or after the previous review.
    assert Filming.objects.exists()
    lengths = dict(Filming.objects.values_list("pk", "length_seconds"))
    clips = Counter(Clip.objects.values_list("filming_id", flat=True))
    assert set(clips) == set(lengths) and all(2 <= n <= 3 for n in clips.values())
    for filming_id, start, end in Clip.objects.values_list("filming_id", "start_seconds", "end_seconds"):
        assert 0 <= start < end <= lengths[filming_id]
    assert not Filming.objects.filter(filmed_on__lt=F("cycle__referral__consents__given_on"))
    assert not Filming.objects.exclude(filmed_parents__referral_id=F("cycle__referral_id"))
    for review in SharedReview.objects.select_related("cycle"):
        assert 5 <= (review.reviewed_on - review.cycle.filming.filmed_on).days <= 45
        assert review.clips_watched.exclude(filming=review.cycle.filming).count() == 0
    reviewed = {
        (r, n): day
        for r, n, day in SharedReview.objects.values_list("cycle__referral_id", "cycle__number", "reviewed_on")
    }
    for referral_id, number, filmed_on in Filming.objects.filter(cycle__number__gt=1).values_list(
        "cycle__referral_id", "cycle__number", "filmed_on"
    ):
        assert filmed_on >= reviewed[(referral_id, number - 1)]
    finished = Referral.objects.filter(status=ReferralStatus.DISCHARGED).annotate(cycles_n=Count("cycles"))
    spread = Counter(finished.values_list("cycles_n", flat=True))
    assert max(spread, key=spread.get) == 3  # most finished families had the planned three cycles

    # Discharges: every discharged family has one, on the day its referral closed, with the footage plan.
    discharges = {d.referral_id: d for d in Discharge.objects.current()}
    assert set(discharges) == set(finished.values_list("pk", flat=True))
    for referral in finished:
        discharge = discharges[referral.pk]
        assert discharge.discharged_on == timezone.localdate(referral.closed_at)
        assert discharge.footage_destroy_by == discharge.discharged_on + relativedelta(
            months=keep_months(referral.service)
        )
    footage = Footage.objects.select_related("filming__cycle__referral")
    for item in footage:
        discharge = discharges.get(item.filming.cycle.referral_id)
        assert item.destroy_by == (discharge.footage_destroy_by if discharge else None)
        assert item.destroyed_on is None or item.filming.filmed_on <= item.destroyed_on <= today
    assert footage.filter(destroyed_on__isnull=False).exists()
    flagged = {
        int(pk) for pk in Notice.objects.filter(kind=NoticeKind.FOOTAGE_OVERDUE).values_list("object_id", flat=True)
    }
    assert set(Footage.objects.past_destruction_date(today).values_list("pk", flat=True)) == flagged

    # Supervision: only trainees' cycles, with their named supervisor, after the shared review.
    for session in SupervisionSession.objects.prefetch_related("cycles__shared_reviews"):
        allocation = Allocation.objects.get(referral=session.cycles.get().referral)
        assert (allocation.practitioner_id, allocation.supervisor_id) == (session.trainee_id, session.supervisor_id)
        assert session.held_on > session.cycles.get().shared_review.reviewed_on
        assert 1 <= session.duration_minutes <= 480
    assert not Cycle.objects.filter(signed_off_at__isnull=False, supervised_in__isnull=True)

    # Measures: baseline and end pairs the dashboard's selector reads, and helping questions rated start → end.
    service = Service.objects.get(slug="cpft-perinatal-vig")
    figures = {m["instrument"]: m for m in service_figures(service=service)["measures"]}
    assert figures["epds"]["pairs"] > 0 and figures["epds"]["mean_change"] is not None
    assert figures["gbo"]["pairs"] > 0
    assert HelpingQuestionRating.objects.filter(point="end").exists()
    for measure in Measure.objects.select_related("referral"):
        assert measure.result["instrument"] == measure.instrument
        assert measure.referral.date_received <= measure.completed_on <= today
        if measure.referral.closed_at:
            assert measure.completed_on <= timezone.localdate(measure.referral.closed_at)
    assert set(Measure.objects.values_list("time_point", flat=True)) == {TimePoint.BASELINE, TimePoint.END}
    for notice in Notice.objects.filter(kind=NoticeKind.RISK_ANSWER):
        assert Measure.objects.get(pk=notice.object_id).risk_flagged and notice.urgent

    # Letters as metadata: approved, the hash of their content, a file name from the pipeline but no file.
    letters = Letter.objects.all()
    assert letters.filter(status=LetterStatus.READY).exists()
    assert set(letters.values_list("status", flat=True)) <= {LetterStatus.READY, LetterStatus.FAILED}
    for letter in letters:
        assert letter.content_hash == letter.compute_hash() and letter.approved_at
        if letter.status == LetterStatus.READY:
            assert letter.file.name == f"{letter.referral_id}/letter-{letter.pk}-v1-{letter.content_hash[:16]}.pdf"
    assert set(letters.values_list("referral_id", flat=True)) == set(discharges)


def fingerprint() -> tuple:
    """What was made, independent of primary keys and of the order rows went in."""
    return (
        sorted(Referral.objects.values_list("date_received", "status", "child_nhs_number")),
        sorted(Visit.objects.values_list("planned_at", "outcome", "duration_minutes")),
        sorted(Filming.objects.values_list("filmed_on", "length_seconds")),
        sorted(Measure.objects.values_list("instrument", "time_point", "completed_on", "primary_value")),
        sorted(Discharge.objects.values_list("discharged_on", "reason")),
        sorted(Letter.objects.values_list("kind", "status", "approved_at")),
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_seed_scale_in_two_processes_makes_the_same_data(settings):
    if connection.vendor != "postgresql":
        pytest.skip("Several processes seed only PostgreSQL")
    settings.DEMO_MODE = True
    args = ["--referrals", "300", "--practitioners", "12", "--i-know-this-is-throwaway"]
    call_command("seed_scale", *args, "--jobs", "2")
    assert Referral.objects.count() == 300
    made = Counter(Referral.objects.values_list("status", flat=True))
    assert made[ReferralStatus.DISCHARGED] > 0 and Cycle.objects.exists() and Letter.objects.exists()
    assert_casework_has_the_actions_shapes()
    in_parallel = fingerprint()

    call_command("flush", interactive=False)
    call_command("seed_scale", *args, "--jobs", "1")
    assert fingerprint() == in_parallel


@pytest.mark.slow
def test_the_load_tests_cast_can_do_what_the_locustfile_does(db, settings, tmp_path):
    """prepare_load_test's people sign in with the form, open their families, record a visit as the locustfile
    posts it, and read the API with their token."""
    import re

    from django.test import Client

    from cycles.models import Visit

    settings.DEMO_MODE = True
    call_command("seed_scale", "--referrals", "300", "--practitioners", "10", "--i-know-this-is-throwaway")
    out = tmp_path / "cast.json"
    with pytest.raises(CommandError, match="not a throw-away"):
        call_command("prepare_load_test", "--out", str(out))
    call_command(
        "prepare_load_test",
        "--out",
        str(out),
        "--practitioners",
        "2",
        "--visits-each",
        "2",
        "--i-know-this-is-throwaway",
    )
    cast = json.loads(out.read_text())
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def signed_in(username):
        client = Client(enforce_csrf_checks=True)
        token = csrf.search(client.get("/accounts/login/").content.decode()).group(1)
        answer = client.post(
            "/accounts/login/", {"username": username, "password": cast["password"], "csrfmiddlewaretoken": token}
        )
        assert answer.status_code == 302, username
        return client

    coordinator = cast["coordinators"][0]
    desk = signed_in(coordinator["username"])
    assert desk.get("/referrals/triage/").status_code == 200
    assert desk.get(f"/referrals/{coordinator['referral_ids'][0]}/").status_code == 200
    assert desk.get("/referrals/search/", coordinator["searches"][0]).status_code == 200

    practitioner = cast["practitioners"][0]
    me = signed_in(practitioner["username"])
    assert me.get("/").status_code == 200
    assert me.get(f"/referrals/{practitioner['referral_ids'][0]}/").status_code == 200
    visit_id = practitioner["visit_ids"][0]
    url = f"/cycles/visits/{visit_id}/record/"
    token = csrf.search(me.get(url).content.decode()).group(1)
    answer = me.post(
        url,
        {
            "csrfmiddlewaretoken": token,
            "outcome": "attended",
            "duration_minutes": "60",
            "present": "Parent and baby",
            "notes": "Load test visit: shared review of the first clips.",
            "activities": ["shared_review"],
        },
    )
    assert answer.status_code == 302
    assert Visit.objects.get(pk=visit_id).outcome == "attended"

    manager = signed_in(cast["managers"][0])
    assert manager.get("/dashboards/").status_code == 200
    api = Client(HTTP_AUTHORIZATION=f"Token {cast['api_tokens'][0]}")
    assert api.get("/api/v1/referrals/?limit=50").status_code == 200


def test_nhs_number_lanes_never_repeat_within_a_service():
    """With more services than lanes, services share a lane's blocks from different starting points: a number may
    recur in another service (a family known to two), never within one service's parts."""
    from tooling.scale import PARTS, Part

    def numbers(service):
        found = []
        for number in range(PARTS):
            found += [n for n, _ in zip(Part(service, number, 0, 1).nhs_numbers(), range(3000), strict=False)]
        return found

    for service in (0, 3, 7):
        mine = numbers(service)
        assert len(set(mine)) == len(mine)


def test_seed_scale_backlogged_and_many_services(db, settings):
    settings.DEMO_MODE = True
    call_command("seed_scale", "--referrals", "2000", "--services", "5", "--backlogged", "--i-know-this-is-throwaway")
    from accounts.models import Service
    from tooling.scale import BACKLOG, BACKLOG_PRACTITIONERS, BACKLOG_REASON, USERNAME_PREFIX

    busy = Service.objects.get(memberships__user__username=f"{USERNAME_PREFIX}1-manager")
    referrals = Referral.objects.filter(service=busy)
    assert referrals.count() == 1800  # 90% of them
    assert Service.objects.filter(slug__startswith="scale-").count() == 2  # services 4 and 5 copy seeds
    scale = 2000 / 100_000
    for status, kind in ((ReferralStatus.ACCEPTED, "accepted"), (ReferralStatus.RECEIVED, "received")):
        assert referrals.filter(status=status).count() == round(BACKLOG[kind] * scale)
    held = Allocation.objects.active().filter(referral__service=busy)
    assert held.count() == round(BACKLOG["allocated"] * scale)
    assert busy.memberships.filter(role="practitioner").count() == BACKLOG_PRACTITIONERS
    assert not held.exclude(over_capacity_reason__in=["", BACKLOG_REASON]).exists()
