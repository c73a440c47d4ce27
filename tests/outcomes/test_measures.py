"""Completing and correcting measures: permissions, refusals, risk alerts, corrections that keep the original."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.refusals import ActionRefused
from notices.actions import acknowledge_notice
from notices.models import Notice, NoticeKind
from outcomes import actions
from outcomes.models import Measure
from referrals.models import ReferralEvent
from tests.outcomes.helpers_outcomes import EPDS_13, EPDS_RISK, answers, family, record
from tests.referrals.helpers import today

pytestmark = pytest.mark.django_db


def test_practitioner_records_a_baseline_epds_scored_and_in_the_history(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    measure = record(referral, practitioner)
    assert measure.primary_result["value"] == "13" and measure.primary_value == 13
    assert measure.instrument_version == "1987"
    assert not measure.risk_flagged
    event = ReferralEvent.objects.get(referral=referral, kind="outcome_measure_recorded")
    assert event.changes["score"] == [None, "13"]


def test_out_of_range_answer_refused_and_nothing_saved(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    with pytest.raises(ValidationError) as error:
        record(referral, practitioner, values=[1, 1, 1, 2, 2, 1, 2, 1, 2, 4])
    assert "item_10" in error.value.message_dict
    assert not Measure.objects.exists()


def test_another_practitioners_family_refused(service, coordinator, practitioner, other_practitioner):
    referral = family(service, coordinator, practitioner)
    with pytest.raises(PermissionDenied):
        record(referral, other_practitioner)


def test_measure_the_service_does_not_use_is_refused_with_why(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    with pytest.raises(ActionRefused, match="does not use the PRFQ"):
        record(referral, practitioner, instrument="prfq", values=[0] * 18)


def test_gbo_is_recorded_with_helping_questions_not_here(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    with pytest.raises(ActionRefused, match="helping questions"):
        record(referral, practitioner, instrument="gbo", values=[5])


def test_time_point_the_service_does_not_use_is_refused(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    with pytest.raises(ValidationError) as error:
        record(referral, practitioner, time_point="mid")
    assert "time_point" in error.value.message_dict


def test_future_date_refused(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    with pytest.raises(ValidationError):
        record(referral, practitioner, days_ago=-1)


def test_second_baseline_of_the_same_measure_is_refused(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    record(referral, practitioner)
    with pytest.raises(ActionRefused, match="Correct it instead"):
        record(referral, practitioner)


# --- Risk answers --------------------------------------------------------------------------------------------------


def test_risk_answer_raises_an_urgent_notice_to_practitioner_and_coordinator(
    service, coordinator, practitioner, other_coordinator
):
    referral = family(service, coordinator, practitioner)
    measure = record(referral, practitioner, values=EPDS_RISK)
    assert measure.risk_flagged and [r["item"] for r in measure.risk] == [10]
    notices = Notice.objects.filter(kind=NoticeKind.RISK_ANSWER, object_id=str(measure.pk))
    assert {n.recipient for n in notices} == {practitioner, coordinator}
    assert all(n.urgent and n.is_open and n.referral == referral for n in notices)
    assert referral.reference in notices[0].summary


def test_no_risk_answer_raises_nothing(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    record(referral, practitioner)
    assert not Notice.objects.exists()


def test_risk_answer_on_a_missing_total_is_still_flagged(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    measure = record(
        referral, practitioner, values=[1, None, 1, 2, 2, 1, 2, 1, 2, 2], not_scored_reason="stopped_early"
    )
    assert measure.primary_result["scorable"] is False and not measure.is_scored
    assert measure.risk_flagged and Notice.objects.filter(object_id=str(measure.pk)).count() == 2


def test_risk_notice_acknowledged_with_an_action_stays_in_history(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    measure = record(referral, practitioner, values=EPDS_RISK)
    notice = Notice.objects.get(recipient=practitioner, object_id=str(measure.pk))
    with pytest.raises(ValidationError):
        acknowledge_notice(notice=notice, action_taken="  ", by=practitioner)
    acknowledge_notice(notice=notice, action_taken="Called the perinatal team; safety plan agreed", by=practitioner)
    notice.refresh_from_db()
    assert not notice.is_open and notice.acknowledged_by == practitioner
    assert ReferralEvent.objects.filter(referral=referral, kind="notice_acknowledged").exists()


def test_risk_email_sent_after_commit_with_reference_only(
    service, coordinator, practitioner, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_CONFIGURED = True
    referral = family(service, coordinator, practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        record(referral, practitioner, values=EPDS_RISK)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert referral.reference in email.subject
    assert set(email.to) == {practitioner.email, coordinator.email}
    body = email.subject + email.body
    parent = referral.parents.first()
    for identifier in (parent.name, parent.postcode, referral.child_name, str(parent.date_of_birth)):
        assert identifier not in body


def test_no_email_when_email_is_not_configured(service, coordinator, practitioner, settings):
    settings.EMAIL_CONFIGURED = False
    referral = family(service, coordinator, practitioner)
    record(referral, practitioner, values=EPDS_RISK)
    assert mail.outbox == []


# --- Corrections ---------------------------------------------------------------------------------------------------


def test_correction_needs_a_reason_and_keeps_the_original(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    original = record(referral, practitioner)
    corrected_answers = answers([0, 0, 1, 0, 2, 1, 2, 1, 2, 3])
    with pytest.raises(ValidationError):
        actions.correct_measure(
            measure=original, answers=corrected_answers, completed_on=today(), reason="", by=practitioner
        )
    corrected = actions.correct_measure(
        measure=original,
        answers=corrected_answers,
        completed_on=today(),
        reason="Items 1 and 2 mis-keyed",
        by=practitioner,
    )
    original.refresh_from_db()
    assert original.answers == answers(EPDS_13) and original.primary_result["value"] == "13"
    assert not original.is_current and corrected.corrects == original
    assert corrected.primary_result["value"] != "13"
    assert list(Measure.objects.current()) == [corrected]
    event = ReferralEvent.objects.get(referral=referral, kind="outcome_measure_corrected")
    assert event.changes["score"][0] == "13" and event.changes["reason"] == [None, "Items 1 and 2 mis-keyed"]


def test_a_corrected_measure_cannot_be_corrected_again(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    original = record(referral, practitioner)
    kwargs = {"answers": answers(EPDS_13), "completed_on": today(), "reason": "Date", "by": practitioner}
    actions.correct_measure(measure=original, **kwargs)
    with pytest.raises(ActionRefused, match="already corrected"):
        actions.correct_measure(measure=original, **kwargs)


def test_correction_that_adds_a_risk_answer_raises_the_alert(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    original = record(referral, practitioner, days_ago=3)
    corrected = actions.correct_measure(
        measure=original,
        answers=answers(EPDS_RISK),
        completed_on=today() - timedelta(days=3),
        reason="Item 10 was misread",
        by=practitioner,
    )
    assert Notice.objects.filter(object_id=str(corrected.pk)).count() == 2


def test_other_practitioner_cannot_correct(service, coordinator, practitioner, other_practitioner):
    referral = family(service, coordinator, practitioner)
    original = record(referral, practitioner)
    with pytest.raises(PermissionDenied):
        actions.correct_measure(
            measure=original, answers=answers(EPDS_13), completed_on=today(), reason="x", by=other_practitioner
        )
