"""Completing and correcting an outcome measure."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Perm, has_permission
from core.refusals import ActionRefused
from core.text import check_text
from referrals.history import record_change
from referrals.models import Referral

from .. import definitions
from ..models import Measure, MeasureConfig, TimePoint
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


def _scored(config: MeasureConfig, answers: dict) -> tuple[dict, dict]:
    instrument = config.definition
    cleaned = clean_answers(instrument, answers)
    result = score(instrument, cleaned, threshold_set=config.threshold_set)
    return cleaned, result


def _primary_value(result: dict):
    code = result.get("primary")
    scale = next((s for s in result["scales"] if s["code"] == code), None)
    return scale["value"] if scale and scale["scorable"] else None


def _score_text(measure: Measure) -> str:
    primary = measure.primary_result
    if primary is None:
        return "; ".join(f"{s['label']} {s['value'] or 'not scorable'}" for s in measure.scales)
    return primary["value"] if primary["scorable"] else "not scorable"


@transaction.atomic
def record_measure(
    *,
    referral: Referral,
    instrument: str,
    time_point: str,
    completed_on: date,
    answers: dict,
    by: User,
    request=None,
) -> Measure:
    """Score and keep a questionnaire completed with the parent; a risk answer alerts the people who must act.

    Refused: another practitioner's family (403), a measure the service does not use or a closed referral (409),
    an out-of-range answer or a time point the service does not use (400), a second current measure of the same
    instrument at the same time point (409: correct the first instead).
    """
    if not has_permission(by, Perm.OUTCOME_RECORD, obj=referral):
        raise PermissionDenied
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.is_open:
        raise ActionRefused(f"Referral {referral.reference} is closed: outcome measures can no longer be added.")
    config = _config(referral, instrument)
    _check_point_and_date(config, time_point, completed_on)
    if Measure.objects.current().filter(referral=referral, instrument=instrument, time_point=time_point).exists():
        raise ActionRefused(
            f"A {config.definition} at {TimePoint(time_point).label.lower()} is already recorded for this family. "
            "Correct it instead (with a reason)."
        )
    cleaned, result = _scored(config, answers)
    measure = Measure.objects.create(
        referral=referral,
        instrument=instrument,
        instrument_version=config.definition.version,
        time_point=time_point,
        completed_on=completed_on,
        answers=cleaned,
        result=result,
        primary_value=_primary_value(result),
        risk_flagged=bool(result["risk"]),
        recorded_by=by,
    )
    measure = Measure.objects.with_details().get(pk=measure.pk)
    record_change(
        referral=referral,
        by=by,
        kind="outcome_measure_recorded",
        summary=f"{config.definition} recorded ({measure.get_time_point_display().lower()})",
        changes={"score": [None, _score_text(measure)], **({"risk answer": [None, "yes"]} if measure.risk else {})},
        request=request,
        obj=measure,
    )
    if measure.risk_flagged:
        raise_risk_alerts(measure)
    return measure


@transaction.atomic
def correct_measure(
    *,
    measure: Measure,
    answers: dict,
    completed_on: date,
    reason: str,
    by: User,
    request=None,
    time_point: str | None = None,
) -> Measure:
    """Replace a completed measure with corrected answers. The original (answers and score) is kept and linked."""
    if not has_permission(by, Perm.OUTCOME_RECORD, obj=measure.referral):
        raise PermissionDenied
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
    if (
        time_point != original.time_point
        and Measure.objects.current()
        .filter(referral=referral, instrument=original.instrument, time_point=time_point)
        .exists()
    ):
        raise ActionRefused(f"A {config.definition} at that time point is already recorded for this family.")
    cleaned, result = _scored(config, answers)
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
        primary_value=_primary_value(result),
        risk_flagged=bool(result["risk"]),
        recorded_by=by,
        corrects=original,
        correction_reason=reason,
    )
    corrected = Measure.objects.with_details().get(pk=corrected.pk)
    record_change(
        referral=referral,
        by=by,
        kind="outcome_measure_corrected",
        summary=f"{config.definition} corrected ({corrected.get_time_point_display().lower()})",
        changes={"score": [_score_text(original), _score_text(corrected)], "reason": [None, reason]},
        request=request,
        obj=corrected,
    )
    if corrected.risk_flagged:
        raise_risk_alerts(corrected)
    return corrected
