"""The cycle actions, tried against each of their rules: order, consent, dates, film length, scope."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.refusals import ActionRefused
from cycles import actions
from cycles.models import ActivityKind, ConsentItem, Cycle, Visit, VisitActivity, VisitOutcome
from referrals.models import ReferralEvent
from tests.cycles.helpers_cycles import (
    clip_kwargs,
    consent,
    days_ago,
    family,
    filming_kwargs,
    helping_question,
    review_kwargs,
    run_cycle,
    today,
    withdraw,
)


@pytest.fixture
def referral(service, coordinator, practitioner):
    return family(service, coordinator, practitioner)


@pytest.fixture
def question(referral, practitioner):
    return helping_question(referral, practitioner)


@pytest.fixture
def consented(referral, practitioner):
    consent(referral, practitioner)
    return referral


def test_start_cycle_numbers_cycles_and_records_history(consented, practitioner, question):
    first = actions.start_cycle(referral=consented, by=practitioner)
    assert first.number == 1
    assert ReferralEvent.objects.filter(referral=consented, kind="cycle_started", summary="Cycle 1 started").exists()


def test_next_cycle_refused_until_previous_has_its_shared_review(consented, practitioner, question):
    run_cycle(consented, practitioner, question, filmed_on=days_ago(30), review=False)
    with pytest.raises(ActionRefused, match="Cycle 1 has no shared review yet"):
        actions.start_cycle(referral=consented, by=practitioner)


def test_cycle_beyond_service_maximum_needs_a_reason(consented, practitioner, question, service):
    for n in range(service.max_cycles):
        run_cycle(consented, practitioner, question, filmed_on=days_ago(50 - 8 * n))
    with pytest.raises(ValidationError) as error:
        actions.start_cycle(referral=consented, by=practitioner)
    assert "beyond_maximum_reason" in error.value.message_dict
    cycle = actions.start_cycle(referral=consented, by=practitioner, beyond_maximum_reason="Father joins late")
    assert cycle.number == service.max_cycles + 1 and cycle.beyond_maximum_reason == "Father joins late"


def test_other_practitioner_cannot_start_or_record(consented, other_practitioner, practitioner, question):
    with pytest.raises(PermissionDenied):
        actions.start_cycle(referral=consented, by=other_practitioner)
    cycle = actions.start_cycle(referral=consented, by=practitioner)
    with pytest.raises(PermissionDenied):
        actions.record_filming(cycle=cycle, by=other_practitioner, **filming_kwargs(consented))


def test_supervisor_and_manager_cannot_record(service, coordinator, trainee, supervisor, manager):
    referral = family(service, coordinator, trainee, supervisor=supervisor)
    for reader in (supervisor, manager, coordinator):
        with pytest.raises(PermissionDenied):
            actions.start_cycle(referral=referral, by=reader)


def test_filming_without_consent_refused_naming_who(referral, practitioner):
    cycle = actions.start_cycle(referral=referral, by=practitioner)
    with pytest.raises(ActionRefused, match="No current consent to filming on .*: Jane Example has not given consent"):
        actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(referral))
    assert not type(cycle).objects.filter(pk=cycle.pk, filmings__isnull=False).exists()


def test_filming_of_a_child_aged_12_or_over_needs_their_own_consent(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner, sibling_age=13)
    consent(referral, practitioner)  # the parents only
    sibling = referral.other_children.get()
    cycle = actions.start_cycle(referral=referral, by=practitioner)
    kwargs = filming_kwargs(referral, filmed_children=[sibling])
    with pytest.raises(ActionRefused, match=r"Sam Sibling has not given consent.*each child aged 12 or over"):
        actions.record_filming(cycle=cycle, by=practitioner, **kwargs)
    consent(referral, practitioner, people=[sibling], items=[ConsentItem.FILMING])
    filming = actions.record_filming(cycle=cycle, by=practitioner, **kwargs)
    assert list(filming.filmed_children.all()) == [sibling]


def test_filming_of_a_younger_child_needs_no_own_consent(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner, sibling_age=8)
    consent(referral, practitioner)
    cycle = actions.start_cycle(referral=referral, by=practitioner)
    sibling = referral.other_children.get()
    filming = actions.record_filming(
        cycle=cycle, by=practitioner, **filming_kwargs(referral, filmed_children=[sibling])
    )
    assert filming.pk


def test_filming_after_withdrawal_refused(consented, practitioner):
    parent = consented.parents.get()
    withdraw(consented, parent, ConsentItem.FILMING, on=days_ago(35), by=practitioner)
    cycle = actions.start_cycle(referral=consented, by=practitioner)
    with pytest.raises(ActionRefused, match="No current consent to filming"):
        actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(consented, filmed_on=days_ago(30)))
    # Filmed before the withdrawal: the consent covered that day.
    filming = actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(consented, filmed_on=days_ago(40)))
    assert filming.filmed_on == days_ago(40)


def test_training_marking_refused_after_training_only_withdrawal_while_filming_still_allowed(
    consented, practitioner, question
):
    withdraw(consented, consented.parents.get(), ConsentItem.TRAINING, on=days_ago(40), by=practitioner)
    cycle = actions.start_cycle(referral=consented, by=practitioner)
    filming = actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(consented))
    with pytest.raises(ActionRefused, match=r"No current consent to use in training \(Jane Example withdrew it"):
        actions.add_clip(filming=filming, by=practitioner, **clip_kwargs(question, marked_for_training=True))
    clip = actions.add_clip(filming=filming, by=practitioner, **clip_kwargs(question))
    assert clip.marked_for_training is False


def test_training_marking_needs_the_filmed_older_childs_training_consent(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner, sibling_age=13)
    sibling = referral.other_children.get()
    consent(referral, practitioner)
    consent(referral, practitioner, people=[sibling], items=[ConsentItem.FILMING])
    question = helping_question(referral, practitioner)
    cycle = actions.start_cycle(referral=referral, by=practitioner)
    filming = actions.record_filming(
        cycle=cycle, by=practitioner, **filming_kwargs(referral, filmed_children=[sibling])
    )
    with pytest.raises(ActionRefused, match=r"No current consent to use in training \(.*Sam Sibling"):
        actions.add_clip(filming=filming, by=practitioner, **clip_kwargs(question, marked_for_training=True))


def test_filming_date_in_the_future_refused(consented, practitioner):
    cycle = actions.start_cycle(referral=consented, by=practitioner)
    with pytest.raises(ValidationError) as error:
        actions.record_filming(
            cycle=cycle, by=practitioner, **filming_kwargs(consented, filmed_on=today() + timedelta(days=1))
        )
    assert "filmed_on" in error.value.message_dict


def test_filming_other_activity_needs_details_and_film_a_length(consented, practitioner):
    cycle = actions.start_cycle(referral=consented, by=practitioner)
    with pytest.raises(ValidationError) as error:
        actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(consented, activity="other"))
    assert "activity_details" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(consented, length_seconds=0))
    assert "length_seconds" in error.value.message_dict


def test_filming_of_another_familys_parent_refused(consented, practitioner, service, coordinator):
    stranger = family(service, coordinator, practitioner).parents.get()
    cycle = actions.start_cycle(referral=consented, by=practitioner)
    with pytest.raises(ValidationError) as error:
        actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(consented, filmed_parents=[stranger]))
    assert "filmed_parents" in error.value.message_dict


def test_filming_with_a_visit_adds_the_activity(consented, practitioner):
    visit = Visit.objects.create(
        referral=consented,
        practitioner=practitioner,
        planned_at=_noon(30),
        outcome=VisitOutcome.ATTENDED,
        duration_minutes=60,
        recorded_at=timezone.now(),
        created_by=practitioner,
    )
    cycle = actions.start_cycle(referral=consented, by=practitioner)
    actions.record_filming(cycle=cycle, by=practitioner, visit=visit, **filming_kwargs(consented))
    assert VisitActivity.objects.filter(visit=visit, kind=ActivityKind.FILMING, cycle=cycle).count() == 1


def _noon(days):
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(days_ago(days), time(12)))


def test_clip_end_beyond_the_films_length_refused(consented, practitioner, question):
    cycle = actions.start_cycle(referral=consented, by=practitioner)
    filming = actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(consented, length_seconds=60))
    with pytest.raises(ValidationError) as error:
        actions.add_clip(filming=filming, by=practitioner, **clip_kwargs(question, start_seconds=55, end_seconds=61))
    assert "within the film" in error.value.message_dict["end_seconds"][0]
    with pytest.raises(ValidationError) as error:
        actions.add_clip(filming=filming, by=practitioner, **clip_kwargs(question, start_seconds=20, end_seconds=20))
    assert "end_seconds" in error.value.message_dict
    assert actions.add_clip(filming=filming, by=practitioner, **clip_kwargs(question, start_seconds=52, end_seconds=60))


def test_clip_needs_principles_one_to_six_and_the_familys_own_question(
    consented, practitioner, question, service, coordinator
):
    cycle = actions.start_cycle(referral=consented, by=practitioner)
    filming = actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(consented))
    for principles in ([], [7], [0, 1]):
        with pytest.raises(ValidationError) as error:
            actions.add_clip(filming=filming, by=practitioner, **clip_kwargs(question, principles=principles))
        assert "principles" in error.value.message_dict
    strangers = helping_question(family(service, coordinator, practitioner), practitioner)
    with pytest.raises(ValidationError) as error:
        actions.add_clip(filming=filming, by=practitioner, **clip_kwargs(strangers))
    assert "helping_question" in error.value.message_dict


def test_shared_review_before_its_filming_refused(consented, practitioner, question):
    cycle = actions.start_cycle(referral=consented, by=practitioner)
    with pytest.raises(ActionRefused, match="no filming recorded"):
        actions.record_shared_review(
            cycle=cycle,
            by=practitioner,
            reviewed_on=days_ago(1),
            clips_watched=[],
            parent_reflections="Seen",
        )
    filming = actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(consented, filmed_on=days_ago(20)))
    actions.add_clip(filming=filming, by=practitioner, **clip_kwargs(question))
    with pytest.raises(ValidationError) as error:
        actions.record_shared_review(cycle=cycle, by=practitioner, **review_kwargs(filming, reviewed_on=days_ago(21)))
    assert "before the filming" in error.value.message_dict["reviewed_on"][0]
    review = actions.record_shared_review(
        cycle=cycle, by=practitioner, **review_kwargs(filming, reviewed_on=days_ago(20))
    )
    assert review.reviewed_on == filming.filmed_on


def test_review_of_cycle_two_before_cycle_ones_refused(consented, practitioner, question):
    first = run_cycle(consented, practitioner, question, filmed_on=days_ago(30), review=False)
    # Out of order: a second cycle made without the first's review (as a bulk import might).
    second = Cycle.objects.create(referral=consented, number=2, created_by=practitioner)
    with pytest.raises(ActionRefused, match="Cycle 1 has no shared review yet"):
        actions.record_filming(cycle=second, by=practitioner, **filming_kwargs(consented, filmed_on=days_ago(20)))
    assert first.number == 1


def test_review_of_cycle_two_before_cycle_ones_refused_at_review(consented, practitioner, question):
    run_cycle(consented, practitioner, question, filmed_on=days_ago(30), review=False)
    second = Cycle.objects.create(referral=consented, number=2, created_by=practitioner)
    from cycles.models import Filming

    filming = Filming.objects.create(
        cycle=second, filmed_on=days_ago(20), activity="play", length_seconds=300, recorded_by=practitioner
    )
    with pytest.raises(ActionRefused, match="Cycle 1's shared review is not recorded yet"):
        actions.record_shared_review(cycle=second, by=practitioner, **review_kwargs(filming))


def test_shared_review_date_in_the_future_refused(consented, practitioner, question):
    cycle = run_cycle(consented, practitioner, question, filmed_on=days_ago(3), review=False)
    with pytest.raises(ValidationError) as error:
        actions.record_shared_review(
            cycle=cycle, by=practitioner, **review_kwargs(cycle.filming, reviewed_on=today() + timedelta(days=1))
        )
    assert "reviewed_on" in error.value.message_dict


def test_shared_review_watches_only_this_cycles_clips(consented, practitioner, question):
    first = run_cycle(consented, practitioner, question, filmed_on=days_ago(30))
    second = run_cycle(consented, practitioner, question, filmed_on=days_ago(20), review=False)
    with pytest.raises(ValidationError) as error:
        actions.record_shared_review(
            cycle=second,
            by=practitioner,
            **review_kwargs(second.filming, clips_watched=list(first.filming.clips.all())),
        )
    assert "clips_watched" in error.value.message_dict


def test_next_filming_not_before_the_previous_review(consented, practitioner, question):
    run_cycle(consented, practitioner, question, filmed_on=days_ago(30))  # reviewed 23 days ago
    cycle = actions.start_cycle(referral=consented, by=practitioner)
    with pytest.raises(ValidationError) as error:
        actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(consented, filmed_on=days_ago(25)))
    assert "filmed_on" in error.value.message_dict
    assert actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(consented, filmed_on=days_ago(23)))


def test_shared_review_with_a_visit_adds_the_activity_and_history(consented, practitioner, question):
    cycle = run_cycle(consented, practitioner, question, filmed_on=days_ago(30), review=False)
    visit = Visit.objects.create(
        referral=consented,
        practitioner=practitioner,
        planned_at=_noon(23),
        outcome=VisitOutcome.ATTENDED,
        duration_minutes=60,
        recorded_at=timezone.now(),
        created_by=practitioner,
    )
    actions.record_shared_review(cycle=cycle, by=practitioner, visit=visit, **review_kwargs(cycle.filming))
    assert VisitActivity.objects.filter(visit=visit, kind=ActivityKind.SHARED_REVIEW, cycle=cycle).exists()
    kinds = set(ReferralEvent.objects.filter(referral=consented).values_list("kind", flat=True))
    assert {"cycle_started", "filming_recorded", "clip_added", "shared_review_recorded"} <= kinds
