"""The evaluation export for an independent evaluator (seed 002): pseudonymised, consented families only.

What is in it: one row per scale per measure (and per helping-question rating), with a random id per family that
is new for every export (so two exports cannot be joined, and nothing maps back to the record), the instrument and
version, the time point, the month completed (YYYY-MM), the child's age in months on that date, and the score and
band. What is never in it: names, NHS numbers, dates of birth, addresses or postcodes, referral references or ids,
free text (feedback comments, helping-question wording), staff.

Who is in it: a family whose consent covers evaluation use on the export date for *every* person who gave consent
(each parent and older child named on any consent given on or before that date has agreed to the evaluation item and
not withdrawn it). A family with no consent recorded is left out. We chose "every giver" because the data describe
the whole family's work; one parent's agreement is not enough if the other said no.
"""

import secrets
from collections import defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Prefetch

from cycles.models import (
    ConsentDecision,
    ConsentGiver,
    ConsentItem,
    HelpingQuestion,
    HelpingQuestionRating,
    RatingPoint,
)

from .models import Measure

HEADER = [
    "family",
    "instrument",
    "instrument_version",
    "time_point",
    "month_completed",
    "child_age_months",
    "scale",
    "score",
    "band",
    "scorable",
    "prorated",
]
GBO_POINTS = {RatingPoint.START: "baseline", RatingPoint.MID: "mid", RatingPoint.END: "end"}


def consenting_referral_ids(referral_ids, on: date) -> set[int]:
    """Families whose consent to evaluation use is current on `on` for every person who gave consent. Two queries."""
    givers: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for giver in ConsentGiver.objects.filter(consent__referral_id__in=referral_ids, consent__given_on__lte=on).values(
        "consent__referral_id", "parent_id", "other_child_id"
    ):
        person = ("parent", giver["parent_id"]) if giver["parent_id"] else ("child", giver["other_child_id"])
        givers[giver["consent__referral_id"]].add(person)
    agreed: dict[int, set[tuple[str, int]]] = defaultdict(set)
    decisions = ConsentDecision.objects.filter(
        giver__consent__referral_id__in=referral_ids, giver__consent__given_on__lte=on, item=ConsentItem.EVALUATION
    ).select_related("giver", "giver__consent")
    for decision in decisions:
        if decision.covers(on):
            giver = decision.giver
            person = ("parent", giver.parent_id) if giver.parent_id else ("child", giver.other_child_id)
            agreed[giver.consent.referral_id].add(person)
    return {rid for rid, people in givers.items() if people and people <= agreed[rid]}


def _age_months(child_date_of_birth: date | None, on: date) -> str:
    if child_date_of_birth is None or on < child_date_of_birth:
        return ""
    age = relativedelta(on, child_date_of_birth)
    return str(age.years * 12 + age.months)


def evaluation_rows(*, referrals, on: date) -> tuple[list[list[str]], int]:
    """The export's rows (without the header) and the number of families in it."""
    candidates = dict(referrals.values_list("pk", "child_date_of_birth"))
    included = consenting_referral_ids(list(candidates), on)
    pseudonyms: dict[int, str] = {}
    for referral_id in sorted(included):
        while (token := secrets.token_hex(6)) in pseudonyms.values():
            continue
        pseudonyms[referral_id] = token
    rows: list[list[str]] = []
    measures = Measure.objects.scored().filter(referral_id__in=included).order_by("referral_id", "completed_on", "pk")
    for measure in measures:
        dob = candidates[measure.referral_id]
        for scale in measure.scales:
            rows.append(
                [
                    pseudonyms[measure.referral_id],
                    measure.instrument,
                    measure.instrument_version,
                    measure.time_point,
                    f"{measure.completed_on:%Y-%m}",
                    _age_months(dob, measure.completed_on),
                    scale["code"],
                    scale["value"] or "",
                    scale["band"],
                    "yes" if scale["scorable"] else "no",
                    "yes" if scale["prorated"] else "no",
                ]
            )
    questions = (
        HelpingQuestion.objects.in_force()
        .filter(referral_id__in=included)
        .prefetch_related(Prefetch("ratings", queryset=HelpingQuestionRating.objects.in_force()))
    )
    for question in questions.order_by("referral_id", "number"):
        dob = candidates[question.referral_id]
        for rating in question.ratings.all():
            rows.append(
                [
                    pseudonyms[question.referral_id],
                    "gbo",
                    "GBO v2 (CORC)",
                    GBO_POINTS.get(rating.point, rating.point),
                    f"{rating.rated_on:%Y-%m}",
                    _age_months(dob, rating.rated_on),
                    f"goal_{question.number}",
                    str(rating.score),
                    "",
                    "yes",
                    "no",
                ]
            )
    rows.sort(key=lambda r: (r[0], r[4], r[1], r[6]))
    return rows, len(included)
