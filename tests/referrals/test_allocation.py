from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from referrals import actions
from referrals.models import Allocation, ReferralEvent
from referrals.reads.caseloads import next_protected_day, ranked_candidates, wait_band, wait_warning
from referrals.states import ReferralStatus, TransitionRefused
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral, set_details
from tests.referrals.helpers import today


@pytest.mark.parametrize(
    "days, band",
    [
        (0, "0–1 weeks"),
        (6, "0–1 weeks"),
        (7, "1–2 weeks"),
        (13, "1–2 weeks"),
        (14, "2–4 weeks"),
        (28, "4–12 weeks"),
        (83, "4–12 weeks"),
        (84, "12–18 weeks"),
        (126, "18–52 weeks"),
        (363, "18–52 weeks"),
        (364, "52+ weeks"),
        (1000, "52+ weeks"),
    ],
)
def test_wait_bands_include_their_lower_edge(days, band):
    assert wait_band(days) == band


def test_wait_warning_close_and_breached():
    assert wait_warning(10, 8) == ""
    assert wait_warning(45, 8) == "close"
    assert wait_warning(56, 8) == "close"
    assert wait_warning(57, 8) == "breached"


def test_allocation_records_who_when_and_history(service, coordinator, practitioner):
    set_details(practitioner, service, coordinator)
    referral = accepted_referral(service, coordinator)
    allocation = actions.allocate_referral(referral=referral, practitioner=practitioner, by=coordinator)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ALLOCATED
    assert allocation.allocated_by == coordinator and allocation.allocated_at
    assert ReferralEvent.objects.filter(referral=referral, kind="allocated").exists()


def test_only_accepted_referrals_can_be_allocated(service, coordinator, practitioner):
    from tests.referrals.helpers import make_referral

    set_details(practitioner, service, coordinator)
    received = make_referral(service, coordinator)
    with pytest.raises(TransitionRefused):
        actions.allocate_referral(referral=received, practitioner=practitioner, by=coordinator)


def test_allocating_an_allocated_referral_says_it_was_just_allocated(
    service, coordinator, practitioner, other_practitioner
):
    set_details(practitioner, service, coordinator)
    set_details(other_practitioner, service, coordinator)
    referral = allocated_referral(service, coordinator, practitioner)
    with pytest.raises(TransitionRefused, match="just allocated"):
        actions.allocate_referral(referral=referral, practitioner=other_practitioner, by=coordinator)
    assert Allocation.objects.filter(referral=referral).count() == 1


def test_database_allows_one_active_allocation_only(service, coordinator, practitioner, other_practitioner):
    set_details(practitioner, service, coordinator)
    referral = allocated_referral(service, coordinator, practitioner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(referral=referral, practitioner=other_practitioner, allocated_by=coordinator)


def test_trainee_needs_a_supervisor(service, coordinator, trainee, supervisor):
    set_details(trainee, service, coordinator)
    referral = accepted_referral(service, coordinator)
    with pytest.raises(ValidationError) as raised:
        actions.allocate_referral(referral=referral, practitioner=trainee, by=coordinator)
    assert "no named supervisor" in str(raised.value.message_dict["practitioner"])
    set_details(trainee, service, coordinator, supervisor=supervisor, training_stage=1)
    allocation = actions.allocate_referral(referral=referral, practitioner=trainee, by=coordinator)
    assert allocation.supervisor == supervisor


def test_supervisor_must_be_a_supervisor_of_the_service(service, coordinator, trainee, other_coordinator):
    with pytest.raises(ValidationError):
        set_details(trainee, service, coordinator, supervisor=other_coordinator)


def test_past_capacity_needs_a_reason(service, coordinator, practitioner):
    set_details(practitioner, service, coordinator, capacity=1)
    allocated_referral(service, coordinator, practitioner)
    second = accepted_referral(service, coordinator)
    with pytest.raises(ValidationError) as raised:
        actions.allocate_referral(referral=second, practitioner=practitioner, by=coordinator)
    assert "1 of 1 families" in raised.value.message_dict["over_capacity_reason"][0]
    allocation = actions.allocate_referral(
        referral=second, practitioner=practitioner, by=coordinator, over_capacity_reason="Only Welsh speaker"
    )
    assert allocation.over_capacity_reason == "Only Welsh speaker"


def test_paused_practitioner_needs_a_reason(service, coordinator, practitioner):
    set_details(
        practitioner,
        service,
        coordinator,
        paused_from=today() - timedelta(days=1),
        paused_until=today() + timedelta(days=5),
        pause_reason="Annual leave",
    )
    referral = accepted_referral(service, coordinator)
    with pytest.raises(ValidationError):
        actions.allocate_referral(referral=referral, practitioner=practitioner, by=coordinator)


def test_practitioner_of_another_service_refused(service, coordinator, other_service_practitioner):
    referral = accepted_referral(service, coordinator)
    with pytest.raises(ValidationError):
        actions.allocate_referral(referral=referral, practitioner=other_service_practitioner, by=coordinator)


def test_other_service_coordinator_cannot_allocate(service, coordinator, practitioner, other_coordinator):
    set_details(practitioner, service, coordinator)
    referral = accepted_referral(service, coordinator)
    with pytest.raises(PermissionDenied):
        actions.allocate_referral(referral=referral, practitioner=practitioner, by=other_coordinator)


def test_reallocation_ends_current_and_keeps_history(service, coordinator, practitioner, other_practitioner):
    set_details(practitioner, service, coordinator)
    set_details(other_practitioner, service, coordinator)
    referral = allocated_referral(service, coordinator, practitioner)
    with pytest.raises(ValidationError):
        actions.reallocate_referral(referral=referral, practitioner=other_practitioner, reason="", by=coordinator)
    actions.reallocate_referral(
        referral=referral, practitioner=other_practitioner, reason="Left the team", by=coordinator
    )
    allocations = list(Allocation.objects.filter(referral=referral).order_by("pk"))
    assert [a.practitioner for a in allocations] == [practitioner, other_practitioner]
    assert allocations[0].ended_at and allocations[0].end_reason == "Left the team"
    assert allocations[1].ended_at is None


def test_unallocate_and_decline_after_acceptance_keep_the_trail(service, coordinator, practitioner):
    set_details(practitioner, service, coordinator)
    referral = allocated_referral(service, coordinator, practitioner)
    with pytest.raises(ValidationError):
        actions.unallocate_referral(referral=referral, reason=" ", by=coordinator)
    referral = actions.unallocate_referral(referral=referral, reason="Family asked to wait", by=coordinator)
    assert referral.status == ReferralStatus.ACCEPTED
    actions.triage_referral(referral=referral, decision="decline", reason="Moved out of area", by=coordinator)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    kinds = list(ReferralEvent.objects.filter(referral=referral).values_list("kind", flat=True))
    assert kinds == ["created", "triage_accept", "allocated", "unallocated", "triage_decline"]


def test_next_protected_day_skips_pauses(service, coordinator, practitioner):
    monday = date(2026, 11, 23)
    details = set_details(
        practitioner,
        service,
        coordinator,
        protected_days=[1, 3],
        paused_from=monday,
        paused_until=monday + timedelta(days=2),
    )
    assert next_protected_day(details, monday) == date(2026, 11, 26)  # Tuesday is paused; Thursday


def test_candidates_ranked_same_site_spare_capacity_earliest_day(service, coordinator, peterborough, cambridgeshire):
    from accounts.models import Role
    from tests.factories import staff

    far = staff("far_site", service, Role.PRACTITIONER, sites=[cambridgeshire])
    full = staff("full", service, Role.PRACTITIONER, sites=[peterborough])
    later = staff("later", service, Role.PRACTITIONER, sites=[peterborough])
    sooner = staff("sooner", service, Role.PRACTITIONER, sites=[peterborough])
    set_details(far, service, coordinator, protected_days=[0, 1, 2, 3, 4])
    set_details(full, service, coordinator, capacity=0, protected_days=[0, 1, 2, 3, 4])
    tomorrow = (today() + timedelta(days=1)).weekday()
    in_three = (today() + timedelta(days=3)).weekday()
    set_details(sooner, service, coordinator, protected_days=[tomorrow])
    set_details(later, service, coordinator, protected_days=[in_three])
    referral = accepted_referral(service, coordinator, site=peterborough)
    order = [c.user.username for c in ranked_candidates(referral)]
    assert order == ["sooner", "later", "full", "far_site"]
