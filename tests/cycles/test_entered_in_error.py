"""Entered in error (issue 18, item 4): every casework record of the cycles app can be marked by its author or a
coordinator, with a reason; it stays in the history and on the family's record (struck through), drops out of
figures, letters, counts and limits, and frees its place."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.refusals import ActionRefused
from cycles import actions
from cycles.models import Filming, HelpingQuestion, SharedReview, SupervisionSession, Visit
from cycles.reads.progress import trainee_progress, trainees
from cycles.reads.timeline import cycles_of, step_of
from discharge.reads import helping_questions as letter_questions
from outcomes.reads import family_outcomes
from referrals.actions.entered_in_error import mark_entered_in_error
from referrals.models import ReferralEvent
from referrals.reads.caseloads import caseload_rows, my_caseload_allocations
from tests.cycles.helpers_consent import use_private_folder
from tests.cycles.helpers_cycles import (
    clip_kwargs,
    consent,
    days_ago,
    family,
    filming_kwargs,
    helping_question,
    review_kwargs,
    run_cycle,
)
from tests.cycles.helpers_supervision import make_cycle, trainee_family, trainee_with_supervisor
from tests.cycles.helpers_visits import attended, book
from tests.factories import staff

REASON = "Duplicate: saved twice after going back"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    return use_private_folder(settings, tmp_path)


@pytest.fixture
def referral(service, coordinator, practitioner):
    made = family(service, coordinator, practitioner)
    consent(made, practitioner)
    return made


def mark(record, by, reason=REASON):
    return mark_entered_in_error(record=record, reason=reason, by=by)


def api_mark(client, record, reason=REASON):
    url = reverse("api:entered-in-error", args=[record.error_type, record.pk])
    return client.post(url, data=json.dumps({"reason": reason}), content_type="application/json")


# --- the place is freed -----------------------------------------------------------------------------------------


def test_a_duplicate_helping_question_marked_frees_its_place(referral, practitioner):
    first, duplicate, third = (helping_question(referral, practitioner, text) for text in ("Bond", "Bond", "Play"))
    with pytest.raises(ActionRefused, match="three helping questions"):
        helping_question(referral, practitioner, "Sleep")
    mark(duplicate, practitioner)
    fourth = helping_question(referral, practitioner, "Sleep")
    assert fourth.number == duplicate.number == 2
    assert list(HelpingQuestion.objects.in_force().filter(referral=referral)) == [first, fourth, third]
    duplicate.refresh_from_db()
    assert duplicate.entered_in_error and duplicate.entered_in_error_by == practitioner
    assert duplicate.entered_in_error_reason == REASON and duplicate.text == "Bond"  # nothing deleted


def test_a_question_entered_in_error_leaves_outcomes_and_letters_and_cannot_be_rated(referral, practitioner):
    question = helping_question(referral, practitioner, "Wrong family's goal")
    actions.rate_helping_question(question=question, point="start", rated_on=days_ago(10), score=3, by=practitioner)
    mark(question, practitioner)
    assert family_outcomes(referral)["goals"] == []
    assert letter_questions(referral) == []
    with pytest.raises(ActionRefused, match="entered in error"):
        actions.rate_helping_question(question=question, point="end", rated_on=days_ago(1), score=8, by=practitioner)
    with pytest.raises(ActionRefused, match="entered in error"):
        actions.change_helping_question_wording(question=question, text="Better words", by=practitioner)


def test_a_wrong_start_rating_marked_lets_the_right_one_be_recorded(referral, practitioner):
    question = helping_question(referral, practitioner)
    wrong = actions.rate_helping_question(
        question=question, point="start", rated_on=days_ago(10), score=9, by=practitioner
    )
    with pytest.raises(ActionRefused, match="rated at the start already"):
        actions.rate_helping_question(question=question, point="start", rated_on=days_ago(10), score=2, by=practitioner)
    mark(wrong, practitioner, "Typed 9 for 2")
    right = actions.rate_helping_question(
        question=question, point="start", rated_on=days_ago(10), score=2, by=practitioner
    )
    goals = family_outcomes(referral)["goals"]
    assert [r.pk for r in goals[0]["ratings"]] == [right.pk] and goals[0]["start"] == 2
    assert letter_questions(referral)[0]["start"] == 2


def test_a_visit_entered_in_error_leaves_last_contact_and_cannot_be_recorded(referral, practitioner):
    visit = book(referral, practitioner, days=-3)
    attended(visit, practitioner)
    (row,) = caseload_rows(my_caseload_allocations(practitioner, Role.PRACTITIONER))
    assert row.last_contact is not None
    mark(Visit.objects.get(pk=visit.pk), practitioner, "Recorded on the wrong family")
    (row,) = caseload_rows(my_caseload_allocations(practitioner, Role.PRACTITIONER))
    assert row.last_contact is None
    planned = book(referral, practitioner, days=2)
    mark(planned, practitioner, "Booked twice")
    assert not Visit.objects.planned().filter(pk=planned.pk).exists()
    with pytest.raises(ActionRefused, match="entered in error"):
        attended(planned, practitioner)


def test_a_wrong_filming_marked_frees_the_cycle_for_the_right_one(referral, practitioner):
    question = helping_question(referral, practitioner)
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(30), clips=1, review=False)
    wrong = Filming.objects.get(cycle=cycle)
    with pytest.raises(ActionRefused, match="already recorded"):
        actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(referral))
    mark(wrong, practitioner, "Filmed the other twin's session")
    assert step_of(cycles_of(referral).get(), timezone.localdate()).stage == "to_film"
    with pytest.raises(ActionRefused, match="entered in error"):
        actions.add_clip(filming=wrong, by=practitioner, **clip_kwargs(question))
    right = actions.record_filming(cycle=cycle, by=practitioner, **filming_kwargs(referral, filmed_on=days_ago(25)))
    assert cycles_of(referral).get().filming == right


def test_a_filming_with_its_review_in_force_is_refused_until_the_review_is_marked(referral, practitioner):
    question = helping_question(referral, practitioner)
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(30), clips=1)
    filming = Filming.objects.get(cycle=cycle)
    with pytest.raises(ActionRefused, match="mark the shared review entered in error first"):
        mark(filming, practitioner)
    mark(SharedReview.objects.get(cycle=cycle), practitioner)
    mark(filming, practitioner)
    assert cycles_of(referral).get().filming is None


def test_clips_entered_in_error_leave_the_cycle_and_the_review_choices(referral, practitioner):
    question = helping_question(referral, practitioner)
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(30), clips=2, review=False)
    filming = Filming.objects.get(cycle=cycle)
    first, second = filming.clips.order_by("start_seconds")
    mark(first, practitioner, "Chose the wrong moment")
    step = step_of(cycles_of(referral).get(), timezone.localdate())
    assert step.clips == [second]
    with pytest.raises(ValidationError) as error:
        actions.record_shared_review(cycle=cycle, by=practitioner, **review_kwargs(filming, clips_watched=[first]))
    assert "clips_watched" in error.value.message_dict
    mark(second, practitioner, "Chose the wrong moment")
    with pytest.raises(ActionRefused, match="No clips are recorded"):
        actions.record_shared_review(cycle=cycle, by=practitioner, **review_kwargs(filming, clips_watched=[second]))


def test_a_review_entered_in_error_reopens_the_cycle_and_leaves_trainee_progress(
    service, coordinator, trainee, supervisor
):
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    referral = trainee_family(service, coordinator, trainee, date_received=days_ago(60))
    consent(referral, trainee)
    question = helping_question(referral, trainee)
    cycle = run_cycle(referral, trainee, question, filmed_on=days_ago(30), clips=1)
    assert trainee_progress(trainees().filter(pk=membership.pk))[0].cycles_done == 1
    review = SharedReview.objects.get(cycle=cycle)
    mark(review, trainee, "Recorded against cycle 1, was cycle 2")
    assert trainee_progress(trainees().filter(pk=membership.pk))[0].cycles_done == 0
    assert step_of(cycles_of(referral).get(), timezone.localdate()).stage == "clips_chosen"
    filming = Filming.objects.get(cycle=cycle)
    again = actions.record_shared_review(cycle=cycle, by=trainee, **review_kwargs(filming))
    assert cycles_of(referral).get().shared_review == again


def test_a_supervision_session_entered_in_error_leaves_the_hours_and_withdraws_its_sign_offs(
    service, coordinator, trainee, supervisor
):
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    referral = trainee_family(service, coordinator, trainee, date_received=days_ago(60))
    consent(referral, trainee)
    cycle = make_cycle(referral, trainee, 1, filmed_on=days_ago(20), reviewed_on=days_ago(10))
    session = actions.record_supervision(
        trainee=membership,
        held_on=days_ago(1),
        duration_minutes=90,
        cycles=[cycle],
        signed_off_cycle_ids=[cycle.pk],
        feedback="",
        by=supervisor,
    )
    assert trainee_progress(trainees().filter(pk=membership.pk))[0].supervised_minutes == 90
    with pytest.raises(PermissionDenied):  # the trainee sees it, but did not write it and coordinates nothing
        mark(session, trainee)
    mark(session, supervisor, "Recorded for the wrong trainee")
    progress = trainee_progress(trainees().filter(pk=membership.pk))[0]
    assert progress.supervised_minutes == 0 and progress.cycles_signed_off == 0
    cycle.refresh_from_db()
    assert cycle.signed_off_at is None and cycle.signed_off_by is None
    event = ReferralEvent.objects.get(referral=referral, kind="entered_in_error")
    assert event.changes["status"] == ["in force", "entered in error"]


# --- who may, and the reason ------------------------------------------------------------------------------------


def test_a_coordinator_may_mark_anyones_record_and_others_may_not(referral, practitioner, coordinator, manager):
    question = helping_question(referral, practitioner)
    for who in (manager, staff("another_practitioner", referral.service, Role.PRACTITIONER)):
        with pytest.raises(PermissionDenied):
            mark(question, who)
    mark(question, coordinator)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t", None])
def test_the_reason_is_required(referral, practitioner, reason):
    question = helping_question(referral, practitioner)
    with pytest.raises(ValidationError) as error:
        mark(question, practitioner, reason)
    assert error.value.message_dict == {"reason": ["Enter why this record was entered in error"]}
    assert not HelpingQuestion.objects.entered_in_error().exists()


@pytest.mark.parametrize("reason", ["Dup\u202elicate", "Dup\x00licate", "x" * 501])
def test_an_unsafe_or_too_long_reason_is_refused_never_cut(referral, practitioner, reason):
    question = helping_question(referral, practitioner)
    with pytest.raises(ValidationError) as error:
        mark(question, practitioner, reason)
    assert "reason" in error.value.message_dict
    assert not HelpingQuestion.objects.entered_in_error().exists()


def test_marking_twice_is_refused_and_the_history_keeps_one_mark(referral, practitioner, coordinator):
    question = helping_question(referral, practitioner)
    mark(question, practitioner)
    with pytest.raises(ActionRefused, match="already marked entered in error"):
        mark(question, coordinator, "Another reason")
    event = ReferralEvent.objects.get(referral=referral, kind="entered_in_error")
    assert event.actor == practitioner
    assert (
        event.summary == "Helping question 1: What am I doing well to develop the bond with my baby? – marked "
        "entered in error"
    )
    assert event.changes == {"status": ["in force", "entered in error"], "reason": [None, REASON]}


def test_the_database_keeps_when_who_and_why_together(referral, practitioner):
    question = helping_question(referral, practitioner)
    for values in (
        {"entered_in_error_at": timezone.now()},
        {"entered_in_error_at": timezone.now(), "entered_in_error_by": practitioner},
        {"entered_in_error_reason": "why"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            HelpingQuestion.objects.filter(pk=question.pk).update(**values)


# --- the API ----------------------------------------------------------------------------------------------------


def test_api_marks_and_answers_with_the_four_fields(login, referral, practitioner):
    question = helping_question(referral, practitioner)
    response = api_mark(login(practitioner), question)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["record_type"] == "helping-question" and body["id"] == question.pk
    assert body["entered_in_error"] is True and body["entered_in_error_reason"] == REASON
    assert body["entered_in_error_by"] == practitioner.pk and body["entered_in_error_at"]
    again = api_mark(login(practitioner), question)
    assert again.status_code == 409 and "already marked entered in error" in again.json()["detail"]


def test_api_refusals(client, login, referral, practitioner, manager, other_coordinator):
    question = helping_question(referral, practitioner)
    assert api_mark(login(manager), question).status_code == 403  # sees the family, neither wrote nor coordinates
    assert api_mark(login(other_coordinator), question).status_code == 404  # another service: not revealed
    blank = api_mark(login(practitioner), question, reason="  ")
    assert blank.status_code == 400 and "reason" in blank.json()
    unknown = login(practitioner).post(
        "/api/v1/entered-in-error/letter/1/", data=json.dumps({"reason": "x"}), content_type="application/json"
    )
    assert unknown.status_code == 404
    assert not HelpingQuestion.objects.entered_in_error().exists()


def test_api_record_outputs_carry_the_fields(login, referral, practitioner):
    question = helping_question(referral, practitioner)
    client = login(practitioner)
    response = client.get(reverse("api:helping-question-list", args=[referral.pk]))
    assert response.status_code == 200, response.content
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert rows[0]["entered_in_error"] is False and rows[0]["entered_in_error_by"] is None
    mark(question, practitioner)


# --- pages ------------------------------------------------------------------------------------------------------


def test_page_flow_marks_a_question_and_the_record_shows_it_struck_through(login, referral, practitioner, manager):
    question = helping_question(referral, practitioner)
    mark_url = reverse("referrals:entered_in_error", args=["helping-question", question.pk])
    page = login(manager).get(reverse("cycles:helping_questions", args=[referral.pk]))
    assert mark_url not in page.content.decode()  # the link only for those who may
    assert login(manager).get(mark_url).status_code == 403
    client = login(practitioner)
    page = client.get(reverse("cycles:helping_questions", args=[referral.pk]))
    assert mark_url in page.content.decode()
    assert client.get(mark_url).status_code == 200
    refused = client.post(mark_url, {"reason": ""})
    assert refused.status_code == 400 and "Enter why this record was entered in error" in refused.content.decode()
    done = client.post(mark_url, {"reason": REASON})
    assert done.status_code == 302 and done["Location"] == reverse("cycles:helping_questions", args=[referral.pk])
    record = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "<del>Helping question 1: What am I doing well" in record
    assert "Entered in error</strong>" in record and REASON in record
    topic = client.get(reverse("cycles:helping_questions", args=[referral.pk])).content.decode()
    assert "<del>Helping question 1" in topic and mark_url not in topic
    assert client.post(mark_url, {"reason": "again"}).status_code == 409


def _one_of_each(referral, practitioner):
    question = helping_question(referral, practitioner)
    rating = actions.rate_helping_question(
        question=question, point="start", rated_on=days_ago(10), score=3, by=practitioner
    )
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(30), clips=2)
    filming = Filming.objects.get(cycle=cycle)
    review = SharedReview.objects.get(cycle=cycle)
    clip = filming.clips.exclude(pk__in=review.clips_watched.all()).first() or filming.clips.first()
    visit = book(referral, practitioner, days=2)
    return [rating, clip, review, filming, visit, question]


def test_every_record_type_can_be_marked_through_its_page(login, referral, practitioner):
    client = login(practitioner)
    for record in _one_of_each(referral, practitioner):
        url = reverse("referrals:entered_in_error", args=[record.error_type, record.pk])
        assert client.get(url).status_code == 200, record.error_type
        response = client.post(url, {"reason": f"Wrong {record.error_label}"})
        assert response.status_code == 302, (record.error_type, response.content.decode()[:2000])
        record.refresh_from_db()
        assert record.entered_in_error, record.error_type
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    for label in ("Wrong rating", "Wrong clip", "Wrong shared review", "Wrong filming", "Wrong visit"):
        assert label in page


def test_the_supervision_page_strikes_a_session_through(login, service, coordinator, trainee, supervisor):
    membership = trainee_with_supervisor(service, coordinator, trainee, supervisor)
    session = actions.record_supervision(
        trainee=membership,
        held_on=days_ago(1),
        duration_minutes=45,
        cycles=[],
        signed_off_cycle_ids=[],
        feedback="",
        by=supervisor,
    )
    url = reverse("referrals:entered_in_error", args=["supervision-session", session.pk])
    progress = reverse("cycles:trainee_progress", args=[membership.pk])
    assert url not in login(trainee).get(reverse("cycles:my_training")).content.decode()
    client = login(supervisor)
    assert url in client.get(progress).content.decode()
    response = client.post(url, {"reason": "Held with another trainee"})
    assert response.status_code == 302 and response["Location"] == progress
    assert SupervisionSession.objects.in_force().count() == 0
    assert "Held with another trainee" in client.get(progress).content.decode()


def test_the_record_asks_once_which_kinds_were_entered_in_error(referral, practitioner, django_assert_num_queries):
    """Most families have nothing entered in error: one query says so (not one per kind of record); a family with
    some gets one more query per kind that has any, and every such record is still listed."""
    from referrals.reads.entered_in_error import entered_in_error_of

    with django_assert_num_queries(1):
        assert entered_in_error_of(referral) == []
    visit = book(referral, practitioner, days=-3)
    mark(Visit.objects.get(pk=visit.pk), practitioner, "Recorded on the wrong family")
    planned = book(referral, practitioner, days=2)
    mark(planned, practitioner, "Booked twice")
    with django_assert_num_queries(2):
        found = entered_in_error_of(referral)
    assert [(type(r), r.pk) for r in found] == [(Visit, visit.pk), (Visit, planned.pk)]


def test_the_probe_asks_about_this_family_only(referral, service, coordinator, practitioner):
    """The probe's SQL is compiled once per process (for any family) and run with each family's id: a record marked
    on one family is found for it, and not for the family asked about next, nor the one before."""
    from referrals.reads.entered_in_error import entered_in_error_of

    other = family(service, coordinator, practitioner)
    assert entered_in_error_of(referral) == [] and entered_in_error_of(other) == []
    visit = book(other, practitioner, days=2)
    mark(visit, practitioner, "Booked on the wrong family")
    assert entered_in_error_of(referral) == []
    assert [r.pk for r in entered_in_error_of(other)] == [visit.pk]
    assert entered_in_error_of(referral) == []
