"""Trainee progress towards stage targets: the figures on a known data set, and a fixed number of queries."""

from accounts.models import Role, TrainingStageTarget, TrainingStatus
from cycles import actions
from cycles.reads.progress import awaiting_sign_off, supervisors_trainees, trainee_progress, trainees
from tests.cycles.helpers_supervision import (
    days_ago,
    give_consent,
    make_cycle,
    trainee_family,
    trainee_with_supervisor,
)
from tests.factories import staff
from tests.referrals.allocation_helpers import allocated_referral, set_details


def supervise(membership, supervisor, minutes, held, cycles=(), signed=()):
    return actions.record_supervision(
        trainee=membership,
        held_on=held,
        duration_minutes=minutes,
        cycles=list(cycles),
        signed_off_cycle_ids=[c.pk for c in signed],
        feedback="",
        by=supervisor,
    )


def test_progress_figures_on_a_known_data_set(service, coordinator, practitioner, trainee, supervisor):
    TrainingStageTarget.objects.filter(service=service, stage=1).update(cycles_required=6, supervision_hours_required=7)
    TrainingStageTarget.objects.filter(service=service, stage=2).update(cycles_required=9, supervision_hours_required=8)
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    one, two = (trainee_family(service, coordinator, trainee) for _ in range(2))
    for family in (one, two):
        give_consent(family, trainee)
    reviewed = [
        make_cycle(one, trainee, 1, filmed_on=days_ago(50), reviewed_on=days_ago(45)),
        make_cycle(one, trainee, 2, filmed_on=days_ago(40), reviewed_on=days_ago(35)),
        make_cycle(two, trainee, 1, filmed_on=days_ago(20), reviewed_on=days_ago(15)),
    ]
    make_cycle(two, trainee, 2, filmed_on=days_ago(5))  # filmed, not reviewed: not completed
    set_details(practitioner, service, coordinator)
    not_theirs = allocated_referral(service, coordinator, practitioner)
    make_cycle(not_theirs, practitioner, 1, reviewed_on=days_ago(3))  # another practitioner's review
    supervise(membership, supervisor, 90, days_ago(40), reviewed[:2], reviewed[:1])
    supervise(membership, supervisor, 60, days_ago(10))

    [progress] = trainee_progress(trainees().filter(pk=membership.pk))
    assert (progress.stage, progress.cycles_done, progress.cycles_signed_off) == (1, 3, 1)
    assert (progress.supervised_minutes, progress.supervised_hours) == (150, 2.5)
    assert (progress.cycles_required, progress.hours_required) == (6, 7)
    assert progress.cycles_awaiting_sign_off == 2 and not progress.cycles_met and not progress.hours_met

    # Stage 2 reached 30 days ago: progress counts from then, against stage 2's targets.
    actions.record_stage_reached(membership=membership, stage=2, reached_on=days_ago(30), by=supervisor)
    [progress] = trainee_progress(trainees().filter(pk=membership.pk))
    assert (progress.stage, progress.counting_from, progress.cycles_done, progress.supervised_minutes) == (
        2,
        days_ago(30),
        1,
        60,
    )
    assert (progress.cycles_required, progress.hours_required) == (9, 8)


def test_progress_of_many_trainees_costs_a_fixed_number_of_queries(
    service, coordinator, supervisor, django_assert_max_num_queries
):
    for n in range(12):
        user = staff(f"trainee{n}", service, Role.PRACTITIONER, training_status=TrainingStatus.TRAINEE)
        membership = trainee_with_supervisor(service, coordinator, user, supervisor)
        if n % 3 == 0:
            family = trainee_family(service, coordinator, user)
            give_consent(family, user)
            cycle = make_cycle(family, user, 1, reviewed_on=days_ago(2))
            supervise(membership, supervisor, 60, days_ago(1), [cycle], [cycle])
    with django_assert_max_num_queries(2):
        rows = trainee_progress(trainees())
    assert len(rows) == 12
    assert sum(r.cycles_done for r in rows) == 4 and sum(r.supervised_minutes for r in rows) == 240


def test_supervisor_sees_only_their_trainees_and_their_unsigned_cycles(
    service, coordinator, trainee, supervisor, other_trainee, other_supervisor, other_service
):
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    family = trainee_family(service, coordinator, trainee)
    give_consent(family, trainee)
    signed = make_cycle(family, trainee, 1, reviewed_on=days_ago(20))
    waiting = make_cycle(family, trainee, 2, reviewed_on=days_ago(5))
    make_cycle(family, trainee, 3)  # not reviewed yet
    supervise(membership, supervisor, 60, days_ago(10), [signed], [signed])
    assert list(supervisors_trainees(supervisor)) == [membership]
    assert list(awaiting_sign_off(supervisor)) == [waiting]
    another = staff("another_supervisor", service, Role.SUPERVISOR)
    assert not supervisors_trainees(another).exists() and not awaiting_sign_off(another).exists()
    assert not supervisors_trainees(other_supervisor).exists() and not awaiting_sign_off(other_supervisor).exists()


def test_a_trainee_in_two_services_counts_each_services_reviews_from_that_stage(
    service, other_service, coordinator, other_coordinator, trainee, supervisor, other_supervisor
):
    """One person training in two services, at different stages: each membership counts only its own service's
    reviews, from the day its own stage began (the one statement counts every membership separately)."""
    from tests.factories import MembershipFactory
    from tests.referrals.helpers import parent

    MembershipFactory(
        user=trainee, service=other_service, role=Role.PRACTITIONER, training_status=TrainingStatus.TRAINEE
    )
    here = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    there = trainee_with_supervisor(other_service, other_coordinator, trainee, other_supervisor)
    family_here = trainee_family(service, coordinator, trainee)
    family_there = trainee_family(other_service, other_coordinator, trainee, parents=[parent(postcode="L20 1AA")])
    for family in (family_here, family_there):
        give_consent(family, trainee)
    make_cycle(family_here, trainee, 1, reviewed_on=days_ago(40))
    make_cycle(family_here, trainee, 2, reviewed_on=days_ago(10))
    make_cycle(family_there, trainee, 1, reviewed_on=days_ago(40))
    actions.record_stage_reached(membership=there, stage=2, reached_on=days_ago(20), by=other_supervisor)
    found = {p.membership.pk: p.cycles_done for p in trainee_progress(trainees().filter(user=trainee))}
    assert found == {here.pk: 2, there.pk: 0}
