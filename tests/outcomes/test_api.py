"""The outcomes API: instruments as definitions, measures recorded and corrected through the same actions."""

import pytest
from django.urls import reverse

from notices.models import Notice
from outcomes.models import Measure
from tests.outcomes.helpers_outcomes import EPDS_13, EPDS_RISK, answers, family
from tests.referrals.helpers import today

pytestmark = pytest.mark.django_db


def test_instrument_definition_documents_items_options_scores_and_scales(login, nobody):
    body = login(nobody).get(reverse("api:instrument-detail", args=["epds"])).json()
    assert body["short_name"] == "EPDS" and body["wording_shipped"] is False
    item_3 = next(i for i in body["items"] if i["number"] == 3)
    assert [o["score"] for o in item_3["options"]] == [3, 2, 1, 0]
    assert body["scales"][0]["reliable_change"]["threshold"] == "4.00"
    assert body["risk_items"][0]["item"] == 10
    assert len(login(nobody).get(reverse("api:instrument-list")).json()["results"]) == 11


def test_record_measure_by_api_scores_and_returns_the_risk(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    client = login(practitioner)
    url = reverse("api:referral-measure-list", args=[referral.pk])
    payload = {
        "instrument": "epds",
        "time_point": "baseline",
        "completed_on": today().isoformat(),
        "answers": answers(EPDS_RISK),
    }
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["scales"][0]["value"] == "14" and body["risk"][0]["item"] == 10
    assert Notice.objects.filter(recipient=practitioner).count() == 1
    assert client.get(url).json()["results"][0]["id"] == body["id"]


def test_out_of_range_answer_by_api_is_400_naming_the_item(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    response = login(practitioner).post(
        reverse("api:referral-measure-list", args=[referral.pk]),
        {
            "instrument": "epds",
            "time_point": "baseline",
            "completed_on": today().isoformat(),
            "answers": {**answers(EPDS_13), "10": 9},
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "item_10" in response.json()
    assert not Measure.objects.exists()


def test_correction_by_api_keeps_the_original(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    client = login(practitioner)
    created = client.post(
        reverse("api:referral-measure-list", args=[referral.pk]),
        {
            "instrument": "epds",
            "time_point": "baseline",
            "completed_on": today().isoformat(),
            "answers": answers(EPDS_13),
        },
        content_type="application/json",
    ).json()
    url = reverse("api:measure-correct", args=[created["id"]])
    payload = {"completed_on": today().isoformat(), "answers": answers([0] * 9 + [3]), "reason": "Mis-keyed"}
    corrected = client.post(url, payload, content_type="application/json")
    assert corrected.status_code == 201 and corrected.json()["corrects"] == created["id"]
    assert client.get(reverse("api:measure-detail", args=[created["id"]])).json()["is_current"] is False
    assert client.post(url, payload, content_type="application/json").status_code == 409


# --- a family's outcome change (what the family's outcomes page shows) -----------------------------------------------


def _outcomes_url(referral) -> str:
    return reverse("api:referral-outcomes", args=[referral.pk])


def _changed_family(service, coordinator, practitioner):
    from tests.outcomes.helpers_outcomes import goal_ratings, record

    referral = family(service, coordinator, practitioner)
    record(referral, practitioner, values=[3, 3, 0, 3, 0, 0, 0, 0, 0, 3], days_ago=60)  # 27
    record(referral, practitioner, time_point="end", values=EPDS_13)  # 13
    goal_ratings(referral, practitioner, [(2, 7), (3, 5)])
    return referral


def test_outcome_change_shows_what_the_page_shows_and_is_logged(login, service, coordinator, practitioner):
    from accounts.models import AccessAction, AccessEvent

    referral = _changed_family(service, coordinator, practitioner)
    response = login(practitioner).get(_outcomes_url(referral))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["referral"] == referral.pk and body["measure_count"] == 2
    [epds] = body["instruments"]
    total = next(s for s in epds["scales"] if s["code"] == epds["scales"][0]["code"])
    baseline, end = total["points"]
    assert (baseline["time_point"], baseline["value"], baseline["change"]) == ("baseline", "27.00", None)
    assert (end["time_point"], end["value"], end["change"]) == ("end", "13.00", "-14.00")
    assert end["classification"] == "Reliably improved"
    assert [(g["start"], g["end"], g["change"]) for g in body["goals"]] == [(2, 7, 5), (3, 5, 2)]
    assert body["goals"][1]["classification"] == "No reliable change"
    event = AccessEvent.objects.filter(user_id=practitioner.pk, action=AccessAction.VIEW).latest("pk")
    assert event.object_id == str(referral.pk) and event.detail == {"api": "outcomes"}


def test_outcome_change_of_a_family_you_may_not_see_is_404(
    login, service, coordinator, practitioner, other_practitioner, other_coordinator
):
    referral = _changed_family(service, coordinator, practitioner)
    assert login(other_practitioner).get(_outcomes_url(referral)).status_code == 404
    assert login(other_coordinator).get(_outcomes_url(referral)).status_code == 404
    assert login(coordinator).get(_outcomes_url(referral)).status_code == 200


def test_outcome_change_query_count_does_not_grow(
    login, service, coordinator, practitioner, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cycles.models import HelpingQuestion, HelpingQuestionRating, RatingPoint
    from tests.outcomes.helpers_outcomes import goal_ratings, record

    referral = family(service, coordinator, practitioner)
    record(referral, practitioner, values=EPDS_13, days_ago=60)
    goal_ratings(referral, practitioner, [(2, None)])
    client = login(practitioner)
    with CaptureQueriesContext(connection) as captured:
        client.get(_outcomes_url(referral))
    record(referral, practitioner, time_point="end", values=EPDS_13)
    for number in (2, 3):
        question = HelpingQuestion.objects.create(
            referral=referral, number=number, text=f"Question {number}", recorded_by=practitioner
        )
        for point in (RatingPoint.START, RatingPoint.MID, RatingPoint.MID, RatingPoint.END):
            HelpingQuestionRating.objects.create(
                question=question, point=point, rated_on=today(), score=number, recorded_by=practitioner
            )
    with django_assert_max_num_queries(len(captured)):
        assert len(client.get(_outcomes_url(referral)).json()["goals"]) == 3
