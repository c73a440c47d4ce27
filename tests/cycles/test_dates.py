"""Dates that cannot be true (issue 18, item 6): casework before the allocation without a reason, a visit booked for
the year 9999, an unborn baby filmed, a filming linked to a visit that did not happen that day. The variants a
hurried person types, through the actions, the pages and the API (`cycles.dates`)."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.refusals import ActionRefused
from cycles import actions
from cycles.dates import allocated_on, latest_booking_day
from cycles.models import Cycle, CyclePolicy, Filming, SharedReview, Visit
from referrals import actions as referral_actions
from referrals.actions.entered_in_error import mark_entered_in_error
from referrals.models import Allocation, ReferralEvent
from tests.cycles.helpers_cycles import (
    clip_kwargs,
    consent,
    days_ago,
    family,
    filming_kwargs,
    helping_question,
    review_kwargs,
    today,
)
from tests.referrals.allocation_helpers import allocated_referral, set_details

pytestmark = pytest.mark.django_db

ALLOCATED_DAYS_AGO = 20
REASON = "Filmed on the first home visit; the allocation was entered on the system later."


def allocate_days_ago(referral, days: int):
    """Date the family's allocation `days` ago (received 60 days ago, allocated later: the usual order)."""
    at = timezone.make_aware(datetime.combine(days_ago(days), time(11)))
    Allocation.objects.filter(referral=referral).update(allocated_at=at)
    return referral


@pytest.fixture
def referral(service, coordinator, practitioner):
    referral = allocate_days_ago(family(service, coordinator, practitioner), ALLOCATED_DAYS_AGO)
    consent(referral, practitioner, given_on=days_ago(40), backdated_reason="Signed at the assessment visit")
    return referral


@pytest.fixture
def question(referral, practitioner):
    return helping_question(referral, practitioner)


def noon(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


def attended_visit(referral, by, day):
    visit = actions.book_visit(
        referral=referral, planned_at=noon(day), place="home", activities=["filming"], by=by, backdated_reason=REASON
    )
    return actions.record_visit(visit=visit, outcome="attended", duration_minutes=60, by=by)


def film(referral, by, **overrides):
    cycle = Cycle.objects.filter(referral=referral, filmings__isnull=True).first()
    cycle = cycle or actions.start_cycle(referral=referral, by=by)
    return actions.record_filming(cycle=cycle, by=by, **filming_kwargs(referral, **overrides))


def refused_field(call, field: str) -> str:
    with pytest.raises(ValidationError) as error:
        call()
    assert field in error.value.message_dict, error.value.message_dict
    return " ".join(error.value.message_dict[field])


# --- Casework not before the allocation ---------------------------------------------------------------------------


def test_allocated_on_is_the_first_allocation_day(referral):
    assert allocated_on(referral) == days_ago(ALLOCATED_DAYS_AGO)


@pytest.mark.parametrize(
    "record, field",
    [
        (lambda r, by, q, day: consent(r, by, given_on=day), "given_on"),
        (
            lambda r, by, q, day: actions.rate_helping_question(
                question=q, point="start", rated_on=day, score=3, by=by
            ),
            "rated_on",
        ),
        (lambda r, by, q, day: actions.book_visit(referral=r, planned_at=noon(day), place="home", by=by), "planned_at"),
        (lambda r, by, q, day: film(r, by, filmed_on=day), "filmed_on"),
    ],
    ids=["consent", "helping-question rating", "visit", "filming"],
)
def test_the_day_before_the_allocation_is_refused_naming_it_and_the_same_day_is_allowed(
    referral, practitioner, question, record, field
):
    message = refused_field(lambda: record(referral, practitioner, question, days_ago(ALLOCATED_DAYS_AGO + 1)), field)
    allocated = f"{days_ago(ALLOCATED_DAYS_AGO):%-d %B %Y}"
    assert f"before this family was allocated ({allocated})" in message
    assert "give a reason if this is right" in message
    assert record(referral, practitioner, question, days_ago(ALLOCATED_DAYS_AGO)) is not None


def test_weeks_before_the_allocation_and_after_the_referral_is_still_refused(referral, practitioner):
    refused_field(lambda: film(referral, practitioner, filmed_on=days_ago(50)), "filmed_on")
    assert not Filming.objects.exists()


def test_backdated_with_a_reason_is_kept_on_the_record_and_in_the_history(referral, practitioner):
    filming = film(referral, practitioner, filmed_on=days_ago(ALLOCATED_DAYS_AGO + 3), backdated_reason=REASON)
    assert filming.backdated_reason == REASON
    event = ReferralEvent.objects.get(referral=referral, kind="filming_recorded")
    assert event.changes["reason for a date before the allocation"] == [None, REASON]


def test_a_reason_is_not_stored_when_the_date_needs_none(referral, practitioner):
    filming = film(referral, practitioner, filmed_on=days_ago(5), backdated_reason="left over in the form")
    assert filming.backdated_reason == ""


@pytest.mark.parametrize("reason", ["x" * 501, "Filmed early\u202e", "bell\x07"], ids=["too long", "bidi", "control"])
def test_a_reason_too_long_or_with_hidden_codes_is_refused(referral, practitioner, reason):
    refused_field(
        lambda: film(referral, practitioner, filmed_on=days_ago(ALLOCATED_DAYS_AGO + 1), backdated_reason=reason),
        "backdated_reason",
    )


def test_a_shared_review_before_the_allocation_needs_a_reason(referral, practitioner, question):
    filming = film(referral, practitioner, filmed_on=days_ago(ALLOCATED_DAYS_AGO + 4), backdated_reason=REASON)
    actions.add_clip(filming=filming, by=practitioner, **clip_kwargs(question))
    cycle = filming.cycle
    day = days_ago(ALLOCATED_DAYS_AGO + 2)
    refused_field(
        lambda: actions.record_shared_review(cycle=cycle, by=practitioner, **review_kwargs(filming, reviewed_on=day)),
        "reviewed_on",
    )
    review = actions.record_shared_review(
        cycle=cycle, by=practitioner, backdated_reason=REASON, **review_kwargs(filming, reviewed_on=day)
    )
    assert review.backdated_reason == REASON


def test_supervision_not_before_the_discussed_cycles_filming(service, coordinator, trainee, supervisor):
    from accounts.models import Membership, Role

    set_details(trainee, service, coordinator, capacity=60, supervisor=supervisor, training_stage=1)
    referral = allocated_referral(service, coordinator, trainee, date_received=days_ago(60))
    consent(referral, trainee)
    filming = film(referral, trainee, filmed_on=days_ago(10))
    membership = Membership.objects.get(user=trainee, service=service, role=Role.PRACTITIONER)
    kwargs = {"trainee": membership, "duration_minutes": 60, "cycles": [filming.cycle], "signed_off_cycle_ids": []}
    message = refused_field(
        lambda: actions.record_supervision(held_on=days_ago(11), feedback="Good", by=supervisor, **kwargs), "held_on"
    )
    assert "before cycle 1" in message and "was filmed" in message
    assert actions.record_supervision(held_on=days_ago(10), feedback="Good", by=supervisor, **kwargs)


def test_discharge_never_before_the_allocation(referral, practitioner):
    from discharge import actions as discharge_actions
    from tests.discharge.helpers_discharge import discharge_kwargs

    message = refused_field(
        lambda: discharge_actions.discharge_family(
            referral=referral, by=practitioner, **discharge_kwargs(discharged_on=days_ago(ALLOCATED_DAYS_AGO + 1))
        ),
        "discharged_on",
    )
    assert "before the family was allocated" in message


def test_an_outcome_measure_before_the_allocation_needs_a_reason(service, referral, practitioner):
    from outcomes import actions as outcome_actions
    from outcomes.models import MeasureConfig
    from tests.outcomes.helpers_outcomes import EPDS_13, answers

    MeasureConfig.objects.get_or_create(service=service, instrument="epds", defaults={"time_points": ["baseline"]})
    kwargs = {"referral": referral, "instrument": "epds", "time_point": "baseline", "answers": answers(EPDS_13)}
    day = days_ago(ALLOCATED_DAYS_AGO + 1)
    refused_field(lambda: outcome_actions.record_measure(completed_on=day, by=practitioner, **kwargs), "completed_on")
    measure = outcome_actions.record_measure(completed_on=day, backdated_reason=REASON, by=practitioner, **kwargs)
    assert measure.backdated_reason == REASON


# --- The booking horizon ------------------------------------------------------------------------------------------


def book(referral, by, planned_at):
    return actions.book_visit(referral=referral, planned_at=planned_at, place="home", by=by)


def test_the_horizon_day_itself_is_allowed_and_the_day_after_refused(referral, practitioner):
    latest = latest_booking_day(referral.service)
    assert latest == today() + timedelta(days=365)
    assert book(referral, practitioner, noon(latest))
    message = refused_field(lambda: book(referral, practitioner, noon(latest + timedelta(days=1))), "planned_at")
    assert f"on or before {latest:%-d %B %Y}" in message and "365 days ahead" in message


def test_a_visit_booked_for_the_year_9999_is_refused(referral, practitioner):
    far = timezone.make_aware(datetime(9999, 3, 15, 10))
    refused_field(lambda: book(referral, practitioner, far), "planned_at")
    visit = book(referral, practitioner, noon(today() + timedelta(days=3)))
    refused_field(lambda: actions.reschedule_visit(visit=visit, planned_at=far, by=practitioner), "planned_at")
    assert not Visit.objects.filter(planned_at__year=9999).exists()


def test_the_service_sets_its_horizon(referral, practitioner):
    CyclePolicy.objects.create(service=referral.service, booking_horizon_days=30)
    assert book(referral, practitioner, noon(today() + timedelta(days=30)))
    message = refused_field(lambda: book(referral, practitioner, noon(today() + timedelta(days=31))), "planned_at")
    assert "30 days ahead" in message


# --- Only people already born are filmed ---------------------------------------------------------------------------


def test_an_unborn_baby_cannot_be_filmed(service, coordinator, practitioner):
    due = today() + timedelta(days=60)
    referral = family(
        service, coordinator, practitioner, child_unborn=True, child_date_of_birth=None, expected_delivery_date=due
    )
    consent(referral, practitioner, given_on=days_ago(10))
    with pytest.raises(ActionRefused) as error:
        film(referral, practitioner, filmed_on=days_ago(5), activity="play")
    assert "not born yet" in str(error.value) and f"due {due:%-d %B %Y}" in str(error.value)
    assert not Filming.objects.exists()


def test_a_baby_filmed_the_day_they_were_born_but_not_the_day_before(service, coordinator, practitioner):
    referral = family(
        service,
        coordinator,
        practitioner,
        child_unborn=True,
        child_date_of_birth=None,
        expected_delivery_date=today(),
    )
    consent(referral, practitioner, given_on=days_ago(50))
    born = days_ago(20)
    referral_actions.record_birth(referral=referral, date_of_birth=born, name="Ava", by=coordinator)
    referral.refresh_from_db()
    message = refused_field(lambda: film(referral, practitioner, filmed_on=born - timedelta(days=1)), "filmed_on")
    assert "before the baby was born" in message
    assert film(referral, practitioner, filmed_on=born).filmed_on == born


def test_an_older_child_not_born_on_the_date_filmed_is_refused(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner, sibling_age=13)
    child = referral.other_children.get()
    child.date_of_birth = days_ago(5)  # a mistyped birth date
    child.save()
    consent(referral, practitioner, people=[*referral.parents.all(), child])
    message = refused_field(
        lambda: film(referral, practitioner, filmed_on=days_ago(10), filmed_children=[child]), "filmed_children"
    )
    assert "Not born on the date filmed" in message and child.name in message


# --- A filming links only to an attended visit that day ------------------------------------------------------------


def test_a_filming_links_to_the_visit_attended_that_day(referral, practitioner):
    visit = attended_visit(referral, practitioner, days_ago(10))
    assert film(referral, practitioner, filmed_on=days_ago(10), visit=visit).visit == visit


@pytest.mark.parametrize(
    "state", ["future", "not recorded", "did not attend", "cancelled", "another day", "entered in error"]
)
def test_a_filming_is_not_linked_to_a_visit_that_did_not_happen_that_day(referral, practitioner, state):
    day = days_ago(10)
    if state == "future":
        visit = book(referral, practitioner, noon(today() + timedelta(days=3)))
    else:
        visit = book(referral, practitioner, noon(day - timedelta(days=1) if state == "another day" else day))
        if state == "did not attend":
            actions.record_visit(visit=visit, outcome="did_not_attend", outcome_reason="Not in", by=practitioner)
        elif state == "cancelled":
            actions.cancel_visit(visit=visit, cancelled_by="family", reason="Baby unwell", by=practitioner)
        elif state == "another day":
            actions.record_visit(visit=visit, outcome="attended", duration_minutes=60, by=practitioner)
        elif state == "entered in error":
            actions.record_visit(visit=visit, outcome="attended", duration_minutes=60, by=practitioner)
            mark_entered_in_error(record=visit, reason="Booked for the wrong family", by=practitioner)
    refused_field(lambda: film(referral, practitioner, filmed_on=day, visit=visit), "visit")
    assert not Filming.objects.exists()


def test_a_shared_review_links_only_to_an_attended_visit(referral, practitioner, question):
    filming = film(referral, practitioner, filmed_on=days_ago(10))
    actions.add_clip(filming=filming, by=practitioner, **clip_kwargs(question))
    visit = book(referral, practitioner, noon(days_ago(3)))
    kwargs = review_kwargs(filming, reviewed_on=days_ago(3))
    refused_field(
        lambda: actions.record_shared_review(cycle=filming.cycle, visit=visit, by=practitioner, **kwargs), "visit"
    )
    actions.record_visit(visit=visit, outcome="attended", duration_minutes=45, by=practitioner)
    review = actions.record_shared_review(cycle=filming.cycle, visit=visit, by=practitioner, **kwargs)
    assert SharedReview.objects.get().visit == review.visit == visit


# --- Pages and API say the same -----------------------------------------------------------------------------------


def filming_post(referral, day, **extra):
    return {
        "filmed_on": day.isoformat(),
        "activity": "play",
        "filmed_parents": [referral.parents.get().pk],
        "length_seconds": "5:00",
        **extra,
    }


def test_filming_page_puts_the_allocation_date_beside_the_date_then_takes_a_reason(login, referral, practitioner):
    cycle = actions.start_cycle(referral=referral, by=practitioner)
    client = login(practitioner)
    url = reverse("cycles:cycle_filming", kwargs={"pk": cycle.pk})
    day = days_ago(ALLOCATED_DAYS_AGO + 1)
    response = client.post(url, filming_post(referral, day))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "give a reason if this is right" in " ".join(errors["filmed_on"])
    page = response.content.decode()
    assert "Reason for a date before the allocation" in page and "The date filmed" in page
    response = client.post(url, filming_post(referral, day, backdated_reason=REASON))
    assert response.status_code == 302, response.content.decode()
    assert Filming.objects.get().backdated_reason == REASON
    history = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).content.decode()
    assert REASON in history
    shown = client.get(reverse("cycles:cycle_detail", kwargs={"pk": cycle.pk})).content.decode()
    assert "Reason for a date before the allocation" in shown and REASON in shown


def test_the_consents_reason_is_shown_on_it(login, referral, practitioner):
    consent = referral.consents.get()
    page = login(practitioner).get(reverse("cycles:consent_detail", kwargs={"consent_id": consent.pk}))
    assert "Signed at the assessment visit" in page.content.decode()


def test_visit_page_puts_the_horizon_beside_the_date(login, referral, practitioner):
    response = login(practitioner).post(
        reverse("cycles:visit_book", kwargs={"pk": referral.pk}),
        {"planned_on": "9999-03-15", "planned_time": "10:00", "place": "home", "activities": ["filming"]},
    )
    assert response.status_code == 400
    assert "books visits up to 365 days ahead" in " ".join(response.context["form"].errors["planned_on"])
    assert not Visit.objects.exists()


def test_filming_page_offers_only_attended_visits(login, referral, practitioner):
    attended = attended_visit(referral, practitioner, days_ago(10))
    planned = book(referral, practitioner, noon(today() + timedelta(days=3)))
    cycle = actions.start_cycle(referral=referral, by=practitioner)
    response = login(practitioner).get(reverse("cycles:cycle_filming", kwargs={"pk": cycle.pk}))
    choices = list(response.context["form"].fields["visit"].queryset)
    assert attended in choices and planned not in choices


def api_post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_api_refuses_the_same_dates_and_takes_a_reason(login, referral, practitioner):
    client = login(practitioner)
    cycle = actions.start_cycle(referral=referral, by=practitioner)
    url = reverse("api:cycle-filming", kwargs={"pk": cycle.pk})
    data = {
        "filmed_on": str(days_ago(ALLOCATED_DAYS_AGO + 1)),
        "activity": "play",
        "filmed_parents": [referral.parents.get().pk],
        "length_seconds": 300,
    }
    response = api_post(client, url, data)
    assert response.status_code == 400 and "give a reason if this is right" in str(response.json()["filmed_on"])
    response = api_post(client, url, {**data, "backdated_reason": "x" * 501})
    assert response.status_code == 400 and "backdated_reason" in response.json()
    response = api_post(client, url, {**data, "backdated_reason": REASON})
    assert response.status_code == 201, response.content
    assert response.json()["filming"]["backdated_reason"] == REASON
    visits = reverse("api:visit-list", kwargs={"pk": referral.pk})
    response = api_post(client, visits, {"planned_at": "9999-03-15T10:00:00Z", "place": "home", "activities": []})
    assert response.status_code == 400 and "planned_at" in response.json()


def test_api_refuses_an_unborn_baby_with_409(login, service, coordinator, practitioner):
    referral = family(
        service,
        coordinator,
        practitioner,
        child_unborn=True,
        child_date_of_birth=None,
        expected_delivery_date=today() + timedelta(days=60),
    )
    consent(referral, practitioner, given_on=days_ago(10))
    cycle = actions.start_cycle(referral=referral, by=practitioner)
    data = {
        "filmed_on": str(days_ago(2)),
        "activity": "play",
        "filmed_parents": [referral.parents.get().pk],
        "length_seconds": 300,
    }
    response = api_post(login(practitioner), reverse("api:cycle-filming", kwargs={"pk": cycle.pk}), data)
    assert response.status_code == 409 and "not born yet" in response.json()["detail"]


def test_openapi_schema_states_the_date_rules(login, practitioner):
    schemas = login(practitioner).get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    for name in ("ConsentInRequest", "RatingInRequest", "VisitBookInRequest", "FilmingInRequest", "MeasureInRequest"):
        reason = schemas[name]["properties"]["backdated_reason"]
        assert reason["maxLength"] == 500 and "first allocation" in reason["description"], name
    assert "booking_horizon_days" in schemas["VisitBookInRequest"]["properties"]["planned_at"]["description"]
    assert "born" in schemas["FilmingInRequest"]["properties"]["filmed_on"]["description"]
    assert "attended on the same day" in schemas["FilmingInRequest"]["properties"]["visit"]["description"]
