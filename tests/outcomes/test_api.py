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
