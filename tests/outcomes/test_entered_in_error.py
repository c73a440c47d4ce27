"""A measure entered in error (issue 18, item 4): a wrong baseline no longer blocks the right one, and it leaves the
family's outcomes, the service's figures and the discharge's end-measure check; it stays, struck through."""

import json

import pytest
from django.urls import reverse

from core.refusals import ActionRefused
from discharge.reads import missing_end_measures
from outcomes import actions
from outcomes.models import Measure
from outcomes.reads import family_outcomes, service_figures
from referrals.actions.entered_in_error import mark_entered_in_error
from referrals.models import ReferralEvent
from tests.outcomes.helpers_outcomes import EPDS_13, answers, family, record
from tests.referrals.helpers import today

pytestmark = pytest.mark.django_db

REASON = "Entered on the record of the wrong family"


def epds_pairs(service) -> int:
    return next(m["pairs"] for m in service_figures(service=service)["measures"] if m["instrument"] == "epds")


def test_a_wrong_baseline_marked_lets_the_right_one_be_recorded(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    wrong = record(referral, practitioner, values=[3] * 10)
    with pytest.raises(ActionRefused):
        record(referral, practitioner)
    mark_entered_in_error(record=wrong, reason=REASON, by=practitioner)
    right = record(referral, practitioner)
    assert list(Measure.objects.current().filter(referral=referral)) == [right]
    wrong.refresh_from_db()
    assert wrong.entered_in_error and wrong.answers == answers([3] * 10)  # kept, answers and all
    event = ReferralEvent.objects.get(referral=referral, kind="entered_in_error")
    assert event.changes["reason"] == [None, REASON]


def test_a_measure_entered_in_error_leaves_the_outcomes_and_the_figures(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    record(referral, practitioner, days_ago=30)
    end = record(referral, practitioner, time_point="end", values=[0] * 10)
    assert epds_pairs(service) == 1
    assert not [m for m in missing_end_measures(referral) if m["code"] == "epds"]
    mark_entered_in_error(record=end, reason=REASON, by=practitioner)
    assert epds_pairs(service) == 0
    points = [p for section in family_outcomes(referral)["sections"] for s in section["scales"] for p in s.points]
    assert all(p["label"] != "End" for p in points)
    with pytest.raises(ActionRefused, match="entered in error"):
        actions.correct_measure(
            measure=end, completed_on=today(), answers=answers(EPDS_13), reason="Fix", by=practitioner
        )


def test_api_marks_a_measure_and_its_output_shows_the_mark(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    measure = record(referral, coordinator)  # a coordinator's entry: the practitioner did not write it
    url = reverse("api:entered-in-error", args=["measure", measure.pk])
    body = json.dumps({"reason": REASON})
    refused = login(practitioner).post(url, data=body, content_type="application/json")
    assert refused.status_code == 403
    assert login(coordinator).post(url, data=body, content_type="application/json").status_code == 200
    detail = login(practitioner).get(reverse("api:measure-detail", args=[measure.pk])).json()
    assert detail["entered_in_error"] is True and detail["entered_in_error_reason"] == REASON
    assert detail["entered_in_error_by"] == coordinator.pk and detail["is_current"] is False


def test_pages_offer_the_link_to_the_author_and_strike_the_measure_through(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    measure = record(referral, practitioner)
    url = reverse("referrals:entered_in_error", args=["measure", measure.pk])
    client = login(practitioner)
    assert url in client.get(reverse("outcomes:measure", args=[measure.pk])).content.decode()
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 302
    page = client.get(reverse("outcomes:family", args=[referral.pk])).content.decode()
    assert "<del>" in page and REASON in page and "Measures entered in error" in page
    detail = client.get(reverse("outcomes:measure", args=[measure.pk])).content.decode()
    assert 'id="entered-in-error"' in detail and url not in detail
