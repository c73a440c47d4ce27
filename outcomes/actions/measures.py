"""Completing and correcting an outcome measure."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm, requires
from core.refusals import ActionRefused
from core.text import check_text
from cycles.dates import BACKDATED_HISTORY_LABEL, not_before_allocation
from referrals.actions import lock_referral
from referrals.history import record_change
from referrals.models import Referral

from .. import definitions
from ..completeness import check_complete
from ..models import Measure, MeasureConfig, RiskResponse, TimePoint
from ..scoring import clean_answers, score
from .alerts import raise_risk_alerts


def _config(referral: Referral, instrument_code: str) -> MeasureConfig:
    if instrument_code not in definitions.instruments():
        raise ValidationError({"instrument": f"Unknown instrument {instrument_code!r}"})
    instrument = definitions.get(instrument_code)
    if not instrument.recorded_here:
        raise ActionRefused(f"{instrument} ratings are recorded with the family's helping questions.")
    config = MeasureConfig.objects.filter(service_id=referral.service_id, instrument=instrument_code).first()
    if config is None:
        raise ActionRefused(
            f"{referral.service.name} does not use the {instrument}. A service admin can add it to the service's "
            "measures."
        )
    return config


def _check_point_and_date(config: MeasureConfig, time_point: str, completed_on: date) -> None:
    if time_point not in TimePoint.values:
        raise ValidationError({"time_point": "Choose a time point"})
    if time_point not in config.time_points:
        used = ", ".join(label.lower() for label in config.time_point_labels)
        raise ValidationError({"time_point": f"This service uses the {config.definition} at: {used}"})
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The date it was completed cannot be in the future"})


def _not_before_allocation(referral: Referral, completed_on: date, backdated_reason: str) -> str:
    """A measure completed before the family's allocation needs a reason (a baseline taken at assessment, say)."""
    return not_before_allocation(
        referral,
        completed_on,
        field="completed_on",
        label="The date it was completed",
        backdated_reason=backdated_reason,
    )


def _scored(config: MeasureConfig, answers: dict, completion: dict) -> tuple[dict, dict, dict]:
    """Clean and score the answers, then refuse what the missing-item and risk-question rules do not allow."""
    instrument = config.definition
    cleaned = clean_answers(instrument, answers)
    result = score(instrument, cleaned, threshold_set=config.threshold_set)
    responses = check_complete(
        instrument,
        cleaned,
        result,
        not_scored_reason=completion.get("not_scored_reason") or "",
        not_scored_note=(completion.get("not_scored_note") or "").strip(),
        risk_responses=completion.get("risk_responses"),
    )
    return cleaned, result, responses


def _completion_fields(completion: dict, responses: dict) -> dict:
    reason = completion.get("not_scored_reason") or ""
    return {
        "not_scored_reason": reason,
        "not_scored_note": (completion.get("not_scored_note") or "").strip() if reason else "",
        "risk_responses": responses,
    }


def _scored_elsewhere(referral, instrument: str, time_point: str, *, exclude: int | None = None) -> bool:
    return (
        Measure.objects.scored()
        .filter(referral=referral, instrument=instrument, time_point=time_point)
        .exclude(pk=exclude)
        .exists()
    )


def _history_changes(measure: Measure) -> dict:
    """Score (or why not scored), any risk answer, and each risk question the parent declined: never silent."""
    changes: dict = {"score": [None, _score_text(measure)]}
    if measure.risk:
        changes["risk answer"] = [None, "yes"]
    for number in measure.declined_risk_items:
        changes[f"item {number} (risk question)"] = [None, RiskResponse.DECLINED.label.lower()]
    if measure.backdated_reason:
        changes[BACKDATED_HISTORY_LABEL] = [None, measure.backdated_reason]
    return changes


def _primary_value(result: dict):
    code = result.get("primary")
    scale = next((s for s in result["scales"] if s["code"] == code), None)
    return scale["value"] if scale and scale["scorable"] else None


def _score_text(measure: Measure) -> str:
    if not measure.is_scored:
        return measure.not_scored_text
    primary = measure.primary_result
    if primary is None:
        return "; ".join(f"{s['label']} {s['value'] or 'not scorable'}" for s in measure.scales)
    return primary["value"] if primary["scorable"] else "not scorable"


@transaction.atomic
@requires(Perm.OUTCOME_RECORD, on="referral")
def record_measure(
    *,
    referral: Referral,
    instrument: str,
    time_point: str,
    completed_on: date,
    answers: dict,
    by: User,
    request=None,
    not_scored_reason: str = "",
    not_scored_note: str = "",
    risk_responses: dict | None = None,
    backdated_reason: str = "",
) -> Measure:
    """Score and keep a questionnaire completed with the parent; a risk answer alerts the people who must act.

    Refused: another practitioner's family (403), a measure the service does not use or a closed referral (409),
    an out-of-range answer or a time point the service does not use (400), answers the instrument's missing-item
    rule cannot score without `not_scored_reason` (400, naming each item), a risk question left blank without
    `risk_responses` saying what happened (400), a second current scored measure of the same instrument at the same
    time point (409: correct the first instead). A measure kept as not scored never blocks a later scored one. A
    date before the family's allocation needs `backdated_reason` (`cycles.dates`).
    """
    referral = lock_referral(referral)
    if not referral.is_open:
        raise ActionRefused(f"Referral {referral.reference} is closed: outcome measures can no longer be added.")
    config = _config(referral, instrument)
    _check_point_and_date(config, time_point, completed_on)
    backdated_reason = _not_before_allocation(referral, completed_on, backdated_reason)
    completion = {
        "not_scored_reason": not_scored_reason,
        "not_scored_note": not_scored_note,
        "risk_responses": risk_responses,
    }
    cleaned, result, responses = _scored(config, answers, completion)
    if not not_scored_reason and _scored_elsewhere(referral, instrument, time_point):
        raise ActionRefused(
            f"A {config.definition} at {TimePoint(time_point).label.lower()} is already recorded for this family. "
            "Correct it instead (with a reason)."
        )
    measure = Measure.objects.create(
        referral=referral,
        instrument=instrument,
        instrument_version=config.definition.version,
        time_point=time_point,
        completed_on=completed_on,
        answers=cleaned,
        result=result,
        primary_value=None if not_scored_reason else _primary_value(result),
        risk_flagged=bool(result["risk"]),
        backdated_reason=backdated_reason,
        recorded_by=by,
        **_completion_fields(completion, responses),
    )
    measure = Measure.objects.with_details().get(pk=measure.pk)
    record_change(
        referral=referral,
        by=by,
        kind="outcome_measure_recorded",
        summary=f"{config.definition} recorded ({measure.get_time_point_display().lower()})",
        changes=_history_changes(measure),
        request=request,
        obj=measure,
    )
    if measure.risk_flagged:
        raise_risk_alerts(measure)
    return measure


@transaction.atomic
@requires(Perm.OUTCOME_RECORD, on="measure.referral")
def correct_measure(
    *,
    measure: Measure,
    answers: dict,
    completed_on: date,
    reason: str,
    by: User,
    request=None,
    time_point: str | None = None,
    not_scored_reason: str = "",
    not_scored_note: str = "",
    risk_responses: dict | None = None,
    backdated_reason: str = "",
) -> Measure:
    """Replace a completed measure with corrected answers. The original (answers and score) is kept and linked.

    The same completeness rules as recording: a not-scored measure can be corrected into a scored one (unless a
    scored one is already current at that time point), never into a silent blank."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the measure is being corrected"})
    check_text(reason, field="reason", label="Reason")
    original = Measure.objects.select_for_update().get(pk=measure.pk)
    if original.entered_in_error:
        raise ActionRefused("This measure was entered in error: record the right one instead of correcting it.")
    if not original.is_current:
        raise ActionRefused("This measure was already corrected. Correct the latest version instead.")
    referral = original.referral
    config = _config(referral, original.instrument)
    time_point = time_point or original.time_point
    _check_point_and_date(config, time_point, completed_on)
    backdated_reason = _not_before_allocation(referral, completed_on, backdated_reason)
    completion = {
        "not_scored_reason": not_scored_reason,
        "not_scored_note": not_scored_note,
        "risk_responses": risk_responses,
    }
    cleaned, result, responses = _scored(config, answers, completion)
    if not not_scored_reason and _scored_elsewhere(referral, original.instrument, time_point, exclude=original.pk):
        raise ActionRefused(f"A {config.definition} at that time point is already recorded for this family.")
    original.superseded_at = timezone.now()
    original.save(update_fields=["superseded_at"])
    corrected = Measure.objects.create(
        referral=referral,
        instrument=original.instrument,
        instrument_version=config.definition.version,
        time_point=time_point,
        completed_on=completed_on,
        answers=cleaned,
        result=result,
        primary_value=None if not_scored_reason else _primary_value(result),
        risk_flagged=bool(result["risk"]),
        backdated_reason=backdated_reason,
        recorded_by=by,
        corrects=original,
        correction_reason=reason,
        **_completion_fields(completion, responses),
    )
    corrected = Measure.objects.with_details().get(pk=corrected.pk)
    record_change(
        referral=referral,
        by=by,
        kind="outcome_measure_corrected",
        summary=f"{config.definition} corrected ({corrected.get_time_point_display().lower()})",
        changes={
            **_history_changes(corrected),
            "score": [_score_text(original), _score_text(corrected)],
            "reason": [None, reason],
        },
        request=request,
        obj=corrected,
    )
    if corrected.risk_flagged:
        raise_risk_alerts(corrected)
    return corrected
