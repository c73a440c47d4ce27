"""Helping questions (Goal Based Outcomes): one to three per family, rated 0–10 at start, part-way and end, with the
history kept; a rating of 11 or -1 refused by the page form, the API and the action."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.refusals import ActionRefused
from cycles import actions
from cycles.models import HelpingQuestionRating
from referrals.models import ReferralEvent
from tests.cycles.helpers_consent import days_ago, give_consent, make_family, today, use_private_folder


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    return use_private_folder(settings, tmp_path)


@pytest.fixture
def family(service, coordinator, practitioner):
    return make_family(service, coordinator, practitioner)


@pytest.fixture
def question(family, practitioner):
    return actions.add_helping_question(
        referral=family, text="What am I doing well to develop the bond with my baby?", by=practitioner
    )


def rate(question, by, point="start", score=2, rated_on=None):
    return actions.rate_helping_question(
        question=question, point=point, rated_on=rated_on or days_ago(20), score=score, by=by
    )


# --- actions ---------------------------------------------------------------------------------------------------


def test_one_to_three_questions_then_refused(family, practitioner):
    numbers = [actions.add_helping_question(referral=family, text=f"Goal {n}", by=practitioner).number for n in "abc"]
    assert numbers == [1, 2, 3]
    with pytest.raises(ActionRefused) as refusal:
        actions.add_helping_question(referral=family, text="A fourth", by=practitioner)
    assert "three helping questions" in str(refusal.value)


def test_empty_or_unsafe_wording_is_refused(family, practitioner):
    for text in ("  ", "Goal\u202eevil"):
        with pytest.raises(ValidationError) as error:
            actions.add_helping_question(referral=family, text=text, by=practitioner)
        assert "text" in error.value.message_dict


@pytest.mark.parametrize("score", [11, -1, 2.5, "7", True])
def test_action_refuses_a_score_outside_zero_to_ten(question, practitioner, score):
    with pytest.raises(ValidationError) as error:
        rate(question, practitioner, score=score)
    assert "from 0 (no progress) to 10" in str(error.value.message_dict["score"])
    assert not HelpingQuestionRating.objects.exists()


def test_ratings_are_kept_and_start_to_latest_is_shown(question, practitioner):
    rate(question, practitioner, "start", 2, days_ago(20))
    rate(question, practitioner, "mid", 5, days_ago(10))
    rate(question, practitioner, "end", 8, days_ago(1))
    assert list(question.ratings.values_list("score", flat=True)) == [2, 5, 8]
    from cycles.reads.helping_questions import questions_with_ratings, with_progress

    (shown,) = with_progress(questions_with_ratings(question.referral))
    assert (shown.start.score, shown.latest.score) == (2, 8)


def test_part_way_before_the_start_rating_is_refused(question, practitioner):
    with pytest.raises(ActionRefused):
        rate(question, practitioner, "mid", 5)
    rate(question, practitioner, "start", 2, days_ago(10))
    with pytest.raises(ValidationError) as error:
        rate(question, practitioner, "end", 5, days_ago(11))
    assert "on or after the start rating" in str(error.value.message_dict["rated_on"])


def test_start_and_end_are_rated_once(question, practitioner):
    rate(question, practitioner, "start", 2)
    with pytest.raises(ActionRefused):
        rate(question, practitioner, "start", 3)
    rate(question, practitioner, "end", 7, today())
    with pytest.raises(ActionRefused):
        rate(question, practitioner, "end", 9, today())


def test_rating_in_the_future_is_refused(question, practitioner):
    with pytest.raises(ValidationError):
        rate(question, practitioner, rated_on=days_ago(-1))


def test_rewording_keeps_the_old_words_in_the_history(question, practitioner):
    actions.change_helping_question_wording(question=question, text="How do I help her feel safe?", by=practitioner)
    event = ReferralEvent.objects.get(kind="helping_question_reworded")
    assert event.changes["wording"] == [
        "What am I doing well to develop the bond with my baby?",
        "How do I help her feel safe?",
    ]


def test_only_the_allocated_practitioner_adds_or_rates(family, question, manager, supervisor, other_practitioner):
    for who in (manager, supervisor, other_practitioner):
        with pytest.raises(PermissionDenied):
            actions.add_helping_question(referral=family, text="x", by=who)
        with pytest.raises(PermissionDenied):
            rate(question, who)


# --- pages -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("score", ["11", "-1", "seven"])
def test_page_form_refuses_a_score_outside_zero_to_ten(login, question, practitioner, score):
    response = login(practitioner).post(
        reverse("cycles:helping_question_rate", args=[question.pk]),
        {"point": "start", "rated_on": days_ago(1).isoformat(), "score": score},
    )
    assert response.status_code == 400 and "from 0" in response.content.decode()
    assert not HelpingQuestionRating.objects.exists()


def test_page_adds_rates_and_shows_history(login, family, practitioner):
    client = login(practitioner)
    assert client.post(reverse("cycles:helping_question_add", args=[family.pk]), {"text": "Bonding"}).status_code == 302
    question = family.helping_questions.get()
    url = reverse("cycles:helping_question_rate", args=[question.pk])
    client.post(url, {"point": "start", "rated_on": days_ago(5).isoformat(), "score": "2"})
    client.post(url, {"point": "mid", "rated_on": days_ago(1).isoformat(), "score": "6"})
    client.post(reverse("cycles:helping_question_reword", args=[question.pk]), {"text": "Bonding with Ava"})
    page = client.get(reverse("cycles:helping_questions", args=[family.pk])).content.decode()
    assert "Start 2/10" in page and "part-way 6/10" in page and "it was “Bonding”" in page
    record = client.get(reverse("referrals:detail", args=[family.pk])).content.decode()
    assert "Bonding with Ava" in record and "Start 2/10" in record


def test_manager_sees_questions_without_links_to_change_them(login, question, manager):
    page = login(manager).get(reverse("cycles:helping_questions", args=[question.referral_id])).content.decode()
    assert "What am I doing well" in page and "Rate<" not in page and "Add a helping question" not in page
    assert login(manager).get(reverse("cycles:helping_question_rate", args=[question.pk])).status_code == 403


def test_another_practitioners_family_questions_are_not_found(login, question, other_practitioner):
    client = login(other_practitioner)
    assert client.get(reverse("cycles:helping_questions", args=[question.referral_id])).status_code == 404
    assert client.get(reverse("cycles:helping_question_rate", args=[question.pk])).status_code == 404
    assert client.get(f"/api/v1/referrals/{question.referral_id}/helping-questions/").status_code == 404
    rating = {"point": "start", "rated_on": today().isoformat(), "score": 3}
    response = client.post(f"/api/v1/helping-questions/{question.pk}/ratings/", rating, content_type="application/json")
    assert response.status_code == 404


# --- API -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [11, -1])
def test_api_refuses_a_score_outside_zero_to_ten(login, question, practitioner, score):
    response = login(practitioner).post(
        f"/api/v1/helping-questions/{question.pk}/ratings/",
        {"point": "start", "rated_on": today().isoformat(), "score": score},
        content_type="application/json",
    )
    assert response.status_code == 400 and "score" in response.json()


def test_api_adds_rates_and_lists(login, family, practitioner):
    client = login(practitioner)
    added = client.post(
        f"/api/v1/referrals/{family.pk}/helping-questions/",
        {"text": "Reading her cues"},
        content_type="application/json",
    )
    assert added.status_code == 201 and added.json()["number"] == 1
    qid = added.json()["id"]
    rated = client.post(
        f"/api/v1/helping-questions/{qid}/ratings/",
        {"point": "start", "rated_on": today().isoformat(), "score": 3},
        content_type="application/json",
    )
    assert rated.status_code == 200 and rated.json()["start"]["score"] == 3
    early = client.post(
        f"/api/v1/helping-questions/{qid}/ratings/",
        {"point": "start", "rated_on": today().isoformat(), "score": 4},
        content_type="application/json",
    )
    assert early.status_code == 409
    listed = client.get(f"/api/v1/referrals/{family.pk}/helping-questions/").json()["results"]
    assert [q["text"] for q in listed] == ["Reading her cues"]


# --- the family's record: fixed queries ----------------------------------------------------------------------------


def _record_queries(client, referral_id) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("referrals:detail", args=[referral_id])).status_code == 200
    return len(queries)


def _add_ratings(question, by, count):
    rate(question, by, "start", 1, days_ago(59))
    for n in range(count - 1):
        rate(question, by, "mid", n % 11, days_ago(58 - n % 58))


@pytest.mark.slow
def test_record_sections_cost_the_same_at_5_and_50_ratings_and_many_consents(login, service, coordinator, practitioner):
    client = login(practitioner)
    counts = []
    for ratings, consents in ((5, 1), (50, 6)):
        referral = make_family(service, coordinator, practitioner)
        for _ in range(consents):
            give_consent(referral, practitioner)
        for n in range(3):
            question = actions.add_helping_question(referral=referral, text=f"Goal {n}", by=practitioner)
            _add_ratings(question, practitioner, ratings)
        counts.append(_record_queries(client, referral.pk))
    assert counts[0] == counts[1]
