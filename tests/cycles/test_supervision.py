"""Supervision sessions, sign-off and stages reached: the actions and the rules they enforce."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AccessEvent, Role
from cycles import actions
from cycles.models import ConsentItem, Cycle, StageReached, SupervisedCycle, SupervisionSession
from referrals.models import OtherChild, ReferralEvent
from tests.cycles.helpers_supervision import (
    days_ago,
    give_consent,
    make_cycle,
    membership_of,
    today,
    trainee_family,
    trainee_with_supervisor,
    withdraw,
)
from tests.factories import staff
from tests.referrals.allocation_helpers import allocated_referral, set_details


@pytest.fixture
def setup(service, coordinator, trainee, supervisor):
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    family = trainee_family(service, coordinator, trainee)
    give_consent(family, trainee)
    return membership, family


def record(membership, supervisor, cycles=(), signed=(), **overrides):
    values = {
        "trainee": membership,
        "held_on": days_ago(1),
        "duration_minutes": 60,
        "cycles": list(cycles),
        "signed_off_cycle_ids": [c.pk for c in signed],
        "feedback": "Good use of the pause before the question.",
        "by": supervisor,
    }
    return actions.record_supervision(**{**values, **overrides})


def test_supervisor_records_session_and_signs_off_reviewed_cycle(setup, trainee, supervisor):
    membership, family = setup
    cycle = make_cycle(family, trainee, 1, filmed_on=days_ago(20), reviewed_on=days_ago(10))
    session = record(membership, supervisor, [cycle], [cycle])
    cycle.refresh_from_db()
    assert cycle.signed_off_by == supervisor and cycle.signed_off_at is not None
    assert session.supervisor == supervisor and session.trainee == trainee
    assert SupervisedCycle.objects.get(session=session, cycle=cycle).signed_off
    event = ReferralEvent.objects.filter(referral=family, kind="supervision_recorded").get()
    assert event.summary == "Supervision recorded: cycle 1 discussed; cycle 1 signed off"
    assert AccessEvent.objects.filter(object_type="cycles.supervisionsession", object_id=str(session.pk)).exists()


def test_supervisor_who_is_not_the_trainees_is_refused(setup, service, trainee):
    membership, family = setup
    cycle = make_cycle(family, trainee, 1, reviewed_on=days_ago(5))
    stranger = staff("another_supervisor", service, Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        record(membership, stranger, [cycle], [cycle])
    assert not SupervisionSession.objects.exists()
    assert Cycle.objects.get(pk=cycle.pk).signed_off_at is None


def test_practitioner_or_coordinator_cannot_record_supervision(setup, practitioner, coordinator, trainee):
    membership, _ = setup
    for who in (practitioner, coordinator, trainee):
        with pytest.raises(PermissionDenied):
            record(membership, who)


def test_other_service_supervisor_is_refused(setup, other_supervisor):
    membership, _ = setup
    with pytest.raises(PermissionDenied):
        record(membership, other_supervisor)


def test_supervision_without_supervisor_viewing_consent_is_refused(service, coordinator, trainee, supervisor):
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    family = trainee_family(service, coordinator, trainee)
    give_consent(family, trainee, items=[ConsentItem.FILMING], refused=[ConsentItem.SUPERVISOR_VIEWING])
    cycle = make_cycle(family, trainee, 1, reviewed_on=days_ago(3))
    with pytest.raises(actions.supervision.ActionRefused, match="No current consent to viewing by the vig supervisor"):
        record(membership, supervisor, [cycle])
    assert not SupervisionSession.objects.exists()


def test_supervision_after_withdrawal_of_supervisor_viewing_is_refused(setup, trainee, supervisor):
    membership, family = setup
    cycle = make_cycle(family, trainee, 1, reviewed_on=days_ago(10))
    record(membership, supervisor, [cycle], held_on=days_ago(8))  # before the withdrawal: allowed
    withdraw(family, ConsentItem.SUPERVISOR_VIEWING, on=days_ago(5), by=trainee)
    with pytest.raises(actions.supervision.ActionRefused, match="withdrew"):
        record(membership, supervisor, [cycle], held_on=days_ago(2))


def test_filmed_child_of_twelve_needs_their_own_supervisor_viewing_consent(setup, trainee, supervisor):
    membership, family = setup
    sibling = OtherChild.objects.create(referral=family, name="Sam Example", date_of_birth=days_ago(13 * 366))
    cycle = make_cycle(family, trainee, 1, reviewed_on=days_ago(3), children=[sibling])
    with pytest.raises(actions.supervision.ActionRefused, match="Sam Example"):
        record(membership, supervisor, [cycle])
    give_consent(family, trainee, people=[sibling], given_on=days_ago(40))
    record(membership, supervisor, [cycle])


def test_sign_off_of_a_cycle_without_its_shared_review_is_refused(setup, trainee, supervisor):
    membership, family = setup
    cycle = make_cycle(family, trainee, 1)  # filmed, not yet reviewed
    with pytest.raises(actions.supervision.ActionRefused, match="no shared review"):
        record(membership, supervisor, [cycle], [cycle])
    assert Cycle.objects.get(pk=cycle.pk).signed_off_at is None
    record(membership, supervisor, [cycle])  # discussing it is fine


def test_sign_off_twice_and_sign_off_of_undiscussed_cycle_refused(setup, trainee, supervisor):
    membership, family = setup
    one = make_cycle(family, trainee, 1, reviewed_on=days_ago(10))
    two = make_cycle(family, trainee, 2, reviewed_on=days_ago(3))
    record(membership, supervisor, [one], [one])
    with pytest.raises(actions.supervision.ActionRefused, match="already signed off"):
        record(membership, supervisor, [one], [one])
    with pytest.raises(ValidationError) as error:
        record(membership, supervisor, [one], [two])
    assert "signed_off_cycle_ids" in error.value.message_dict


def test_cycle_of_a_family_not_allocated_to_the_trainee_is_refused(
    setup, service, coordinator, practitioner, trainee, supervisor
):
    membership, _ = setup
    set_details(practitioner, service, coordinator)
    someone_elses = allocated_referral(service, coordinator, practitioner)
    give_consent(someone_elses, practitioner)
    cycle = make_cycle(someone_elses, practitioner, 1, reviewed_on=days_ago(3))
    with pytest.raises(ValidationError) as error:
        record(membership, supervisor, [cycle], [cycle])
    assert "cycles" in error.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [("held_on", today() + timedelta(days=1)), ("duration_minutes", 0), ("duration_minutes", 481)],
)
def test_bad_date_or_duration_is_refused(setup, supervisor, field, value):
    membership, _ = setup
    with pytest.raises(ValidationError) as error:
        record(membership, supervisor, **{field: value})
    assert field in error.value.message_dict


def test_supervising_an_accredited_practitioner_is_refused(service, coordinator, practitioner, supervisor):
    set_details(practitioner, service, coordinator, supervisor=supervisor)
    with pytest.raises(actions.supervision.ActionRefused, match="not a current trainee"):
        record(membership_of(practitioner), supervisor)


def test_supervisor_records_stage_reached_and_it_becomes_current(setup, trainee, supervisor):
    membership, _ = setup
    reached = actions.record_stage_reached(membership=membership, stage=2, reached_on=days_ago(2), by=supervisor)
    membership.practitioner_details.refresh_from_db()
    assert membership.practitioner_details.training_stage == 2
    assert reached.recorded_by == supervisor
    with pytest.raises(actions.supervision.ActionRefused, match="already recorded"):
        actions.record_stage_reached(membership=membership, stage=2, reached_on=days_ago(1), by=supervisor)
    with pytest.raises(actions.supervision.ActionRefused, match="already at stage 2"):
        actions.record_stage_reached(membership=membership, stage=1, reached_on=days_ago(1), by=supervisor)


def test_stage_reached_refused_for_others_and_bad_values(setup, service, coordinator, trainee, supervisor):
    membership, _ = setup
    for who in (coordinator, trainee, staff("another_supervisor", service, Role.SUPERVISOR)):
        with pytest.raises(PermissionDenied):
            actions.record_stage_reached(membership=membership, stage=2, reached_on=days_ago(1), by=who)
    with pytest.raises(ValidationError):
        actions.record_stage_reached(membership=membership, stage=4, reached_on=days_ago(1), by=supervisor)
    with pytest.raises(ValidationError):
        actions.record_stage_reached(membership=membership, stage=2, reached_on=today() + timedelta(1), by=supervisor)
    assert not StageReached.objects.exists()
