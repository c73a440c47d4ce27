"""The demo tells one coherent story: it keeps the rules real data must keep.

Staff learn the service on the demo. A demo where every allocation is dated today, a family with "All cycles done"
has no contact, or an open family's footage is "Overdue" for destruction, teaches them to read real records wrongly.
So the demo is checked here against the rules a real family's record keeps, and its pages against the story the
README tells.
"""

import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from cycles.actions.footage import keep_months
from cycles.models import (
    Consent,
    Filming,
    Footage,
    HelpingQuestionRating,
    Liaison,
    SharedReview,
    SupervisionSession,
    Visit,
    VisitOutcome,
)
from discharge.models import Discharge
from notices.models import Notice, NoticeKind
from outcomes.models import Measure
from referrals import nhs_number
from referrals.models import Allocation, Parent, Referral, ReferralEvent
from referrals.reads.caseloads import caseload_rows, my_caseload_allocations
from referrals.states import ReferralStatus
from tests.conftest import STRICT_TEST_SETTINGS, rows_for_the_module
from tooling import demo

BOOKING_HORIZON_DAYS = 365
# Dates that are not events and so may lie ahead: a booking, a due date, a deadline.
MAY_BE_AHEAD = {
    ("cycles", "visit", "planned_at"),
    ("referrals", "referral", "expected_delivery_date"),
    ("cycles", "footage", "destroy_by"),
    ("discharge", "discharge", "footage_destroy_by"),
    ("dashboards", "summaryitem", "day"),  # a summary of a booked visit or a footage destruction date (ADR 0022)
}
PROJECT_APPS = {
    "accounts",
    "referrals",
    "notices",
    "cycles",
    "outcomes",
    "letters",
    "discharge",
    "governance",
    "audit",
    "dashboards",
}


@pytest.fixture(scope="module")
def _demo_rows(django_db_setup, django_db_blocker):
    """The demo loaded once for the module's tests (each test is rolled back to it; see `rows_for_the_module`)."""
    with rows_for_the_module(django_db_blocker):
        with override_settings(**{**STRICT_TEST_SETTINGS, "DEMO_MODE": True}):
            call_command("load_demo_data")
        yield


@pytest.fixture
def demo_loaded(db, settings, _demo_rows):
    settings.DEMO_MODE = True


def _day(moment) -> date:
    return timezone.localtime(moment).date()


def _casework_dates(referral: Referral) -> dict[str, list[date]]:
    """Every dated piece of the family's casework, by what it is."""
    sessions = SupervisionSession.objects.filter(supervised_cycles__cycle__referral=referral).distinct()
    return {
        "consent": list(Consent.objects.filter(referral=referral).values_list("given_on", flat=True)),
        "rating": list(
            HelpingQuestionRating.objects.filter(question__referral=referral).values_list("rated_on", flat=True)
        ),
        "attended visit": [
            _day(v)
            for v in Visit.objects.filter(referral=referral, outcome=VisitOutcome.ATTENDED).values_list(
                "planned_at", flat=True
            )
        ],
        "liaison": list(Liaison.objects.filter(referral=referral).values_list("contacted_on", flat=True)),
        "filming": list(Filming.objects.filter(cycle__referral=referral).values_list("filmed_on", flat=True)),
        "shared review": list(
            SharedReview.objects.filter(cycle__referral=referral).values_list("reviewed_on", flat=True)
        ),
        "measure": list(Measure.objects.filter(referral=referral).values_list("completed_on", flat=True)),
        "supervision": list(sessions.values_list("held_on", flat=True)),
        "discharge": list(Discharge.objects.filter(referral=referral).values_list("discharged_on", flat=True)),
    }


def test_demo_dates_follow_each_familys_story_in_order(demo_loaded):
    """received ≤ triaged ≤ allocated ≤ every casework date ≤ discharge ≤ today, for every family."""
    today = timezone.localdate()
    assert Referral.objects.count() == len(demo.DEMO_FAMILIES)
    for referral in Referral.objects.prefetch_related("triage_decisions", "allocations"):
        name = str(referral.parents.first())
        received = referral.date_received
        assert received <= today, name
        assert _day(referral.created_at) == received, name  # recorded on the day it came in
        triaged = [_day(t.decided_at) for t in referral.triage_decisions.all()]
        assert all(received <= day <= today for day in triaged), name
        allocations = list(referral.allocations.all())
        casework = _casework_dates(referral)
        if not allocations:
            assert not any(casework.values()), f"{name} has casework but was never allocated"
            continue
        allocated = min(_day(a.allocated_at) for a in allocations)
        assert triaged and max(triaged) <= allocated, name
        assert (allocated - received).days > 0, f"{name} allocated the day the referral came in"
        discharged = casework["discharge"][0] if casework["discharge"] else today
        for what, days in casework.items():
            for day in days:
                assert allocated <= day <= discharged <= today, f"{name}: {what} on {day}"
        # What the history says happened, and when the family's record was written, follows the same order.
        events = ReferralEvent.objects.filter(referral=referral).order_by("at", "pk")
        assert all(_day(e.at) >= received for e in events), name
        casework_events = events.exclude(kind__in=["created", "triage_accept", "allocated"])
        assert all(_day(e.at) >= allocated for e in casework_events), name
        if referral.status == ReferralStatus.DISCHARGED:
            ended = [_day(a.ended_at) for a in allocations]
            assert ended == [discharged] and _day(referral.closed_at) == discharged, name


def test_demo_dates_nothing_in_the_future_but_bookings(demo_loaded):
    """Every date and time the demo stores is today or before, except bookings (within a year), due dates and
    deadlines."""
    now, today = timezone.now(), timezone.localdate()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateField):  # DateTimeField is a DateField
                continue
            key = (model._meta.app_label, model._meta.model_name, field.name)
            limit = now if isinstance(field, models.DateTimeField) else today
            ahead = model.objects.filter(**{f"{field.name}__gt": limit})
            if key in MAY_BE_AHEAD:
                if field.name == "planned_at":
                    assert not ahead.exclude(outcome="").exists()  # only visits still to happen are ahead
                    horizon = now + timedelta(days=BOOKING_HORIZON_DAYS)
                    assert not model.objects.filter(planned_at__gt=horizon).exists()
                continue
            assert not ahead.exists(), f"{key} holds a date after today"


def test_demo_footage_destruction_dates_only_after_discharge(demo_loaded):
    """Destruction dates are set at discharge: none on an open family's footage; a discharged family's footage is
    destroyed by the discharge date plus the service's policy. The one overdue example is a discharged family."""
    for footage in Footage.objects.select_related("filming__cycle__referral__service"):
        referral = footage.filming.cycle.referral
        discharge = Discharge.objects.filter(referral=referral).first()
        if discharge is None:
            assert footage.destroy_by is None, referral
        else:
            assert referral.status == ReferralStatus.DISCHARGED
            expected = discharge.discharged_on + relativedelta(months=keep_months(referral.service))
            assert footage.destroy_by == expected == discharge.footage_destroy_by
            assert footage.destroy_by > discharge.discharged_on
    overdue = Footage.objects.past_destruction_date()
    assert overdue.exists()
    assert {f.filming.cycle.referral.status for f in overdue} == {ReferralStatus.DISCHARGED}
    notices = Notice.objects.filter(kind=NoticeKind.FOOTAGE_OVERDUE).open()
    assert notices.exists() and {n.referral.status for n in notices} == {ReferralStatus.DISCHARGED}


def test_demo_filmings_happen_at_attended_visits_of_born_people(demo_loaded):
    """Each filming and shared review happened at an attended visit that day; only people already born are filmed
    (an unborn baby never); every filmed child has consent on the day."""
    for filming in Filming.objects.select_related("cycle__referral", "visit"):
        referral = filming.cycle.referral
        assert filming.visit is not None and filming.visit.outcome == VisitOutcome.ATTENDED
        assert _day(filming.visit.planned_at) == filming.filmed_on
        assert not referral.child_unborn and referral.child_date_of_birth <= filming.filmed_on
        assert all(c.date_of_birth <= filming.filmed_on for c in filming.filmed_children.all())
    for review in SharedReview.objects.select_related("visit"):
        assert review.visit is not None and review.visit.outcome == VisitOutcome.ATTENDED
        assert _day(review.visit.planned_at) == review.reviewed_on
    unborn = Referral.objects.filter(child_unborn=True)
    assert unborn.exists() and not Filming.objects.filter(cycle__referral__in=unborn).exists()


def test_demo_caseload_last_contact_matches_the_visits(demo_loaded):
    """Each caseload row's last contact is the latest attended visit (or the referrer's liaison if later); a family
    with all cycles done had its visits; only the rows the story means are overdue."""
    overdue, statuses = {}, {}
    for username in ("practitioner", "trainee", "supervisor"):
        user = User.objects.get(username=username)
        for row in caseload_rows(my_caseload_allocations(user, Role.PRACTITIONER)):
            referral, name = row.referral, row.referral.parents.all()[0].name
            dates = _casework_dates(referral)
            contacts = dates["attended visit"] + dates["liaison"]
            assert row.last_contact == (max(contacts) if contacts else None), name
            assert row.last_contact is not None, f"{name}: allocated weeks ago and never contacted"
            worked = dates["filming"] + dates["shared review"] + dates["consent"]
            assert all(day in dates["attended visit"] for day in worked), name
            if row.status == "All cycles done":
                reviews = dates["shared review"]
                assert len(reviews) >= referral.service.planned_cycles and row.last_contact >= max(reviews), name
            overdue[name] = row.overdue_reasons
            statuses[name] = row.status
    assert statuses["Olivia Grant"] == "All cycles done"
    assert {name: reasons for name, reasons in overdue.items() if reasons} == {
        "Bethany Moss": ["1 visit not yet recorded"]
    }
    # The daily check's notice for that visit, to her practitioner; no other visit notice.
    notices = Notice.objects.filter(kind=NoticeKind.VISIT_OVERDUE)
    assert [(n.referral.parents.first().name, n.recipient.username) for n in notices] == [
        ("Bethany Moss", "practitioner")
    ]


def test_demo_loading_twice_changes_nothing(demo_loaded):
    """`load_demo_data` again adds, moves and re-dates nothing."""

    def snapshot():
        return {
            model._meta.label: sorted(model.objects.values_list("pk", flat=True))
            for model in apps.get_models()
            if model._meta.app_label in PROJECT_APPS
        } | {"allocated": sorted(Allocation.objects.values_list("allocated_at", flat=True))}

    before = snapshot()
    call_command("load_demo_data")
    assert snapshot() == before
    numbers = [n for n in Parent.objects.values_list("nhs_number", flat=True) if n]
    assert numbers and all(nhs_number.is_test_range(n) for n in numbers)


# Each demo user's pages, and the families whose record means to show something overdue: the discharged family's
# footage past its destruction date, the trainee's family's overdue shared review.
PAGES = {
    "coordinator": [
        "home",
        "referrals:caseloads",
        "referrals:triage_queue",
        "referrals:waiting_list",
        "dashboards:dashboard",
    ],
    "practitioner": ["home", "cycles:diary"],
    "trainee": ["home", "cycles:diary"],
    "supervisor": ["home", "cycles:diary"],
    "manager": ["home", "referrals:caseloads", "referrals:waiting_list", "dashboards:dashboard"],
    "admin": ["home", "referrals:caseloads"],
}
MEANT_OVERDUE = {"Zoe Fletcher", "Grace Okafor"}


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_demo_pages_render_with_only_the_overdue_the_story_means(demo_loaded, login):
    for username, names in PAGES.items():
        client = login(User.objects.get(username=username))
        for name in names:
            response = client.get(reverse(name))
            assert response.status_code == 200, (username, name)
            if name == "dashboards:dashboard":  # always headed "Data protection overdue": read its figures instead
                footage = Footage.objects.past_destruction_date().count()  # all Zoe Fletcher's, in seed 000
                if username == "manager":
                    assert f'id="summary-data-protection">{footage}<' in response.content.decode()
                assert "Retention reviews past their date: 0. Subject access requests past their month: 0." in (
                    _text(response)
                )
                continue
            assert "overdue" not in _text(response).lower(), (username, name)
    client = login(User.objects.get(username="coordinator"))
    overdue = set()
    for referral in Referral.objects.all():
        response = client.get(reverse("referrals:detail", args=[referral.pk]))
        assert response.status_code == 200, referral
        if "overdue" in _text(response).lower():
            overdue.add(referral.parents.first().name)
    assert overdue == MEANT_OVERDUE
