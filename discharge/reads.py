"""Reads for discharge: the service's required end measures still missing, the helping questions' start and end
ratings, and the scales (with bands) a handover or referrer letter shows. Fixed queries whatever the family."""

from django.db.models import Prefetch

from cycles.models import HelpingQuestion, HelpingQuestionRating, RatingPoint
from outcomes import definitions
from outcomes.models import Measure, MeasureConfig, TimePoint
from outcomes.reads import family_outcomes
from referrals.models import Referral

from .models import Discharge


def current_discharge(referral: Referral) -> Discharge | None:
    return Discharge.objects.current().filter(referral=referral).first()


def missing_end_measures(referral: Referral) -> list[dict]:
    """The service's measures due at the end (helping questions apart) with no current end measure. Two queries."""
    configs = MeasureConfig.objects.filter(service_id=referral.service_id).exclude(instrument="gbo")
    done = set(
        Measure.objects.current()
        .filter(referral=referral, time_point=TimePoint.END)
        .values_list("instrument", flat=True)
    )
    return [
        {"code": c.instrument, "label": str(definitions.get(c.instrument))}
        for c in configs
        if TimePoint.END in (c.time_points or []) and c.instrument not in done
    ]


def helping_questions(referral: Referral) -> list[dict]:
    """Each helping question with its first start rating and last end rating (None if not rated). Two queries."""
    rows = []
    for question in (
        HelpingQuestion.objects.in_force()
        .filter(referral=referral)
        .prefetch_related(Prefetch("ratings", queryset=HelpingQuestionRating.objects.in_force()))
    ):
        ratings = sorted(question.ratings.all(), key=lambda r: (r.rated_on, r.pk))
        starts = [r.score for r in ratings if r.point == RatingPoint.START]
        ends = [r.score for r in ratings if r.point == RatingPoint.END]
        rows.append(
            {
                "question": question,
                "text": question.text,
                "start": starts[0] if starts else None,
                "end": ends[-1] if ends else None,
            }
        )
    return rows


def _value(point: dict | None) -> str:
    if point is None or point["value"] is None:
        return ""
    value = point["value"].normalize() if hasattr(point["value"], "normalize") else point["value"]
    return f"{value:f}" if hasattr(value, "as_tuple") else str(value)


def letter_scales(referral: Referral) -> list[dict]:
    """Assessment scales for a professional's letter: each measure's scale, start and end scores, the end band."""
    scales = []
    for section in family_outcomes(referral)["sections"]:
        for row in section["scales"]:
            start = next((p for p in row.points if p["time_point"] == TimePoint.BASELINE), None)
            end = next((p for p in reversed(row.points) if p["time_point"] == TimePoint.END), None)
            if start is None and end is None:
                continue
            latest = end or start
            name = str(section["instrument"])
            if len(section["instrument"].scales) > 1:
                name = f"{name}: {row.label}"
            scales.append(
                {
                    "name": name,
                    "start": _value(start) + (f" ({start['band']})" if start and start["band"] else ""),
                    "end": _value(end),
                    "band": latest["band"] or latest["classification"] if latest else "",
                }
            )
    return scales


def goal_scales(referral: Referral) -> list[dict]:
    """The helping questions as scales: start and end ratings out of 10."""
    return [
        {
            "name": row["text"],
            "start": "" if row["start"] is None else f"{row['start']} out of 10",
            "end": "" if row["end"] is None else f"{row['end']} out of 10",
            "band": "",
        }
        for row in helping_questions(referral)
    ]
