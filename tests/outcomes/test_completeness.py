"""Blank and half-filled questionnaires (issue 18, item 3): a measure the instrument's own missing-item rule cannot
score is refused unless the practitioner says why (then it is kept as "not scored", never a baseline or an end), and
a risk question left blank is never silent. The action, the page and the API refuse the same things."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.refusals import ActionRefused
from notices.models import Notice
from outcomes import actions
from outcomes.models import Measure, MeasureConfig
from outcomes.reads import family_outcomes, service_figures
from referrals.models import ReferralEvent
from tests.outcomes.helpers_outcomes import EPDS_13, answers, family, record
from tests.referrals.helpers import today

pytestmark = pytest.mark.django_db

BLANK_EPDS = [None] * 10
EPDS_NO_10 = [*EPDS_13[:9], None]
CORE10 = [2, 1, 1, 2, 1, 0, 3, 2, 3, 1]  # INSTRUMENTS.md worked example: total 20


def use(service, code):
    MeasureConfig.objects.get_or_create(service=service, instrument=code, defaults={"time_points": ["baseline", "end"]})


def refused(referral, by, **kwargs) -> dict:
    with pytest.raises(ValidationError) as error:
        record(referral, by, **kwargs)
    assert not Measure.objects.filter(referral=referral).exists()
    return error.value.message_dict


# --- The missing-item rule ------------------------------------------------------------------------------------------


def test_all_blank_epds_is_refused_naming_every_item(service, coordinator, practitioner):
    errors = refused(family(service, coordinator, practitioner), practitioner, values=BLANK_EPDS)
    assert {f"item_{n}" for n in range(1, 11)} <= set(errors)
    assert "Answer item 3: the EPDS total cannot be scored with any item missing" in errors["item_3"]
    assert "risk question" in errors["item_10"][0]  # the risk item says what to do about it, not just "answer"
    assert "record why it was not completed" in errors["not_scored_reason"][0]


@pytest.mark.parametrize("blank", [None, ""])
def test_one_epds_item_missing_is_refused_naming_that_item_only(service, coordinator, practitioner, blank):
    values = [*EPDS_13[:1], blank, *EPDS_13[2:]]
    errors = refused(family(service, coordinator, practitioner), practitioner, values=values)
    assert set(errors) == {"item_2", "not_scored_reason"}
    assert "item 2 is not answered" in errors["not_scored_reason"][0]


def test_core10_one_missing_item_is_within_its_rule_and_is_prorated(service, coordinator, practitioner):
    use(service, "core10")
    referral = family(service, coordinator, practitioner)
    measure = record(referral, practitioner, instrument="core10", values=[*CORE10[:9], None])
    assert measure.is_scored and measure.primary_result["prorated"] and str(measure.primary_value) == "21.10"


def test_core10_two_missing_items_are_refused_naming_both(service, coordinator, practitioner):
    use(service, "core10")
    errors = refused(
        family(service, coordinator, practitioner), practitioner, instrument="core10", values=[*CORE10[:8], None, None]
    )
    assert set(errors) == {"item_9", "item_10", "not_scored_reason"}
    assert "at most 1 item missing, and 2 are" in errors["item_9"][0]


def test_a_reason_with_answers_that_can_be_scored_is_refused(service, coordinator, practitioner):
    errors = refused(family(service, coordinator, practitioner), practitioner, not_scored_reason="declined")
    assert "will be scored" in errors["not_scored_reason"][0]


@pytest.mark.parametrize("reason", ["Declined", "refused", "other "])
def test_an_unknown_reason_is_refused(service, coordinator, practitioner, reason):
    errors = refused(
        family(service, coordinator, practitioner),
        practitioner,
        values=BLANK_EPDS,
        not_scored_reason=reason,
        risk_responses={"10": "declined"},
    )
    assert "not_scored_reason" in errors


@pytest.mark.parametrize("note", ["", "   ", "\n"])
def test_other_reason_needs_a_note(service, coordinator, practitioner, note):
    errors = refused(
        family(service, coordinator, practitioner),
        practitioner,
        values=BLANK_EPDS,
        not_scored_reason="other",
        not_scored_note=note,
        risk_responses={"10": "declined"},
    )
    assert errors["not_scored_note"] == ["Say why the questionnaire was not completed"]


# --- Risk questions -------------------------------------------------------------------------------------------------


def test_risk_item_left_blank_is_refused_even_with_a_reason(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    errors = refused(referral, practitioner, values=EPDS_NO_10)
    assert "item_10" in errors and "declined to answer it" in errors["item_10"][0]
    errors = refused(referral, practitioner, values=EPDS_NO_10, not_scored_reason="stopped_early")
    assert set(errors) == {"item_10"}


@pytest.mark.parametrize("responses", [{"10": "asked_in_person"}, {10: "asked_in_person"}])
def test_risk_item_asked_in_person_needs_the_answer(service, coordinator, practitioner, responses):
    errors = refused(
        family(service, coordinator, practitioner),
        practitioner,
        values=EPDS_NO_10,
        not_scored_reason="stopped_early",
        risk_responses=responses,
    )
    assert errors["item_10"] == ["Enter the answer to item 10 that the parent gave in person"]


def test_risk_item_answered_and_declined_at_once_is_refused(service, coordinator, practitioner):
    errors = refused(family(service, coordinator, practitioner), practitioner, risk_responses={"10": "declined"})
    assert "remove the answer" in errors["item_10"][0]


@pytest.mark.parametrize("responses", [{"3": "declined"}, {"10": "no"}, {"10": "Declined"}])
def test_risk_responses_only_for_risk_items_and_known_values(service, coordinator, practitioner, responses):
    errors = refused(
        family(service, coordinator, practitioner),
        practitioner,
        values=BLANK_EPDS,
        not_scored_reason="declined",
        risk_responses=responses,
    )
    assert "risk_responses" in errors or "item_10" in errors


def test_epds_risk_item_declined_is_kept_not_scored_in_the_history_without_a_notice(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    errors = refused(referral, practitioner, values=EPDS_NO_10, risk_responses={"10": "declined"})
    assert set(errors) == {"not_scored_reason"}  # item 10 is accounted for; the total still cannot be given
    measure = record(
        referral, practitioner, values=EPDS_NO_10, risk_responses={"10": "declined"}, not_scored_reason="declined"
    )
    assert not measure.is_scored and measure.primary_value is None and measure.declined_risk_items == [10]
    event = ReferralEvent.objects.get(referral=referral, kind="outcome_measure_recorded")
    assert event.changes["item 10 (risk question)"] == [None, "the parent declined to answer it"]
    assert event.changes["score"] == [None, "Not scored: the parent declined to complete it"]
    assert not Notice.objects.exists()


def test_core10_risk_item_declined_is_still_scored_prorated(service, coordinator, practitioner):
    use(service, "core10")
    referral = family(service, coordinator, practitioner)
    values = [*CORE10[:5], None, *CORE10[6:]]
    refused(referral, practitioner, instrument="core10", values=values)
    measure = record(referral, practitioner, instrument="core10", values=values, risk_responses={"6": "declined"})
    assert measure.is_scored and measure.primary_result["prorated"] and measure.risk_responses == {"6": "declined"}
    assert "item 6 (risk question)" in ReferralEvent.objects.get(kind="outcome_measure_recorded").changes


def test_phq9_risk_item_blank_is_refused_and_unscored_item_10_stays_optional(service, coordinator, practitioner):
    use(service, "phq9")
    referral = family(service, coordinator, practitioner)
    errors = refused(referral, practitioner, instrument="phq9", values=[1, 1, 1, 1, 1, 1, 1, 1, None, None])
    assert set(errors) == {"item_9", "not_scored_reason"} and "risk question" in errors["item_9"][0]
    measure = record(referral, practitioner, instrument="phq9", values=[1, 1, 1, 1, 1, 1, 1, 1, 0, None])
    assert measure.is_scored and measure.primary_value == 8


def test_a_positive_risk_answer_on_a_not_scored_measure_still_raises_the_notice(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    measure = record(referral, practitioner, values=[None] * 9 + [2], not_scored_reason="stopped_early")
    assert not measure.is_scored and measure.risk_flagged and Notice.objects.filter(recipient=practitioner).exists()


# --- Not scored: kept, not counted, never blocking ------------------------------------------------------------------


def test_blank_with_a_reason_is_kept_and_a_real_baseline_follows(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    blank = record(
        referral,
        practitioner,
        values=BLANK_EPDS,
        not_scored_reason="other",
        not_scored_note="  Baby unsettled; we will try next visit  ",
        risk_responses={"10": "declined"},
        days_ago=7,
    )
    assert blank.not_scored_text == "Not scored: another reason (Baby unsettled; we will try next visit)"
    assert service_figures(service=service)["measures"][0]["pairs"] == 0
    real = record(referral, practitioner)
    assert real.is_scored and Measure.objects.current().filter(referral=referral).count() == 2
    with pytest.raises(ActionRefused):  # a second scored baseline is still refused
        record(referral, practitioner)
    data = family_outcomes(referral)
    epds = data["sections"][0]
    assert [m.pk for m in epds["measures"]] == [real.pk] and data["not_scored"] == [blank]
    assert epds["scales"][0].points[0]["value"] == 13


def test_not_scored_measures_are_not_a_baseline_or_an_end_in_figures(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    record(referral, practitioner, values=BLANK_EPDS, not_scored_reason="declined", risk_responses={"10": "declined"})
    record(
        referral,
        practitioner,
        time_point="end",
        values=BLANK_EPDS,
        not_scored_reason="declined",
        risk_responses={"10": "declined"},
    )
    epds = next(m for m in service_figures(service=service)["measures"] if m["instrument"] == "epds")
    assert epds["pairs"] == 0
    assert Measure.objects.scored().filter(referral=referral).count() == 0


def test_not_scored_measure_corrected_into_a_scored_one(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    blank = record(
        referral, practitioner, values=BLANK_EPDS, not_scored_reason="declined", risk_responses={"10": "declined"}
    )
    with pytest.raises(ValidationError) as error:
        actions.correct_measure(
            measure=blank,
            answers=answers(EPDS_NO_10),
            completed_on=today(),
            reason="Parent finished it",
            by=practitioner,
        )
    assert "item_10" in error.value.message_dict
    corrected = actions.correct_measure(
        measure=blank, answers=answers(EPDS_13), completed_on=today(), reason="Parent finished it", by=practitioner
    )
    assert corrected.is_scored and corrected.primary_value == 13 and corrected.risk_responses == {}


# --- The page -------------------------------------------------------------------------------------------------------


def form_data(values, **extra) -> dict:
    data = {"time_point": "baseline", "completed_on": today().isoformat(), **extra}
    data.update({f"item_{n}": "" if v is None else str(v) for n, v in enumerate(values, start=1)})
    return data


def test_page_does_not_call_the_items_the_score_needs_optional(login, service, coordinator, practitioner):
    use(service, "phq9")
    referral = family(service, coordinator, practitioner)
    client = login(practitioner)
    page = client.get(reverse("outcomes:record", args=[referral.pk, "epds"])).content.decode()
    assert "(optional)" not in page
    assert "Item 10 is a risk question" in page and "Why was the EPDS not completed?" in page
    phq9 = client.get(reverse("outcomes:record", args=[referral.pk, "phq9"])).content.decode()
    assert phq9.count("(optional)") == 1  # item 10 (difficulty) is not scored: that one is optional


def test_page_refuses_a_blank_form_naming_the_items(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    response = login(practitioner).post(reverse("outcomes:record", args=[referral.pk, "epds"]), form_data(BLANK_EPDS))
    assert response.status_code == 400 and not Measure.objects.exists()
    content = response.content.decode()
    assert "Answer item 1: the EPDS total cannot be scored with any item missing" in content
    assert "Item 10 is a risk question and is not answered" in content
    assert "This field is required." not in content


def test_page_keeps_a_blank_with_a_reason_then_takes_the_real_baseline(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    client = login(practitioner)
    url = reverse("outcomes:record", args=[referral.pk, "epds"])
    response = client.post(url, form_data(BLANK_EPDS, not_scored_reason="declined", risk_10="declined"), follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Not scored: the parent declined to complete it" in content
    assert "Item 10 is a risk question: the parent declined to answer it" in content
    record_page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Risk question declined" in record_page and "Not scored: the parent declined" in record_page
    response = client.post(url, form_data(EPDS_13), follow=True)
    assert response.status_code == 200 and Measure.objects.scored().get().primary_value == 13
    outcomes_page = client.get(reverse("outcomes:family", args=[referral.pk])).content.decode()
    assert "Not scored" in outcomes_page and "not counted as a baseline or an end" in outcomes_page


def test_page_risk_item_declined_on_a_prorated_core10(login, service, coordinator, practitioner):
    use(service, "core10")
    referral = family(service, coordinator, practitioner)
    url = reverse("outcomes:record", args=[referral.pk, "core10"])
    client = login(practitioner)
    values = [*CORE10[:5], None, *CORE10[6:]]
    assert client.post(url, form_data(values)).status_code == 400
    response = client.post(url, form_data(values, risk_6="declined"), follow=True)
    assert response.status_code == 200 and Measure.objects.get().risk_responses == {"6": "declined"}


# --- The API --------------------------------------------------------------------------------------------------------


def payload(values, **extra) -> dict:
    return {
        "instrument": "epds",
        "time_point": "baseline",
        "completed_on": today().isoformat(),
        "answers": answers(values),
        **extra,
    }


def test_api_refuses_a_blank_epds_with_field_errors(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    url = reverse("api:referral-measure-list", args=[referral.pk])
    response = login(practitioner).post(url, payload(BLANK_EPDS), content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    errors = body.get("errors", body) if isinstance(body, dict) else body
    text = str(errors)
    assert "item_1" in text and "item_10" in text and "not_scored_reason" in text
    assert not Measure.objects.exists()


def test_api_keeps_blank_with_reason_then_records_the_real_baseline(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    client = login(practitioner)
    url = reverse("api:referral-measure-list", args=[referral.pk])
    response = client.post(
        url,
        payload(BLANK_EPDS, not_scored_reason="stopped_early", risk_responses={"10": "declined"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["scored"] is False and body["not_scored_reason"] == "stopped_early"
    assert body["risk_responses"] == {"10": "declined"}
    assert client.post(url, payload(EPDS_13), content_type="application/json").status_code == 201
    bad = client.post(url, payload(BLANK_EPDS, risk_responses={"10": "maybe"}), content_type="application/json")
    assert bad.status_code == 400


def test_api_instrument_says_which_items_are_needed_and_which_are_risk_questions(login, nobody):
    body = login(nobody).get(reverse("api:instrument-detail", args=["phq9"])).json()
    items = {i["number"]: i for i in body["items"]}
    assert items[1]["needed_for_score"] and not items[10]["needed_for_score"]
    assert items[9]["risk_question"] and not items[1]["risk_question"]
