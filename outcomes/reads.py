"""Reads of outcome measures: one family's change (the outcomes page and the record section) and the service-level
figures dashboards show. Each costs a fixed number of queries, whatever the number of measures."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q

from core.lookups import among
from core.prepared import INT, prepared
from cycles.models import HelpingQuestion, HelpingQuestionRating, RatingPoint
from outcomes import definitions
from outcomes.models import TIME_POINT_ORDER, Measure, MeasureConfig, TimePoint
from outcomes.scoring import CHANGE_LABELS, DETERIORATED, IMPROVED, NO_RELIABLE_CHANGE, classify_change
from referrals.models import Allocation, Referral
from referrals.states import OPEN_STATUSES


def threshold_for(config: MeasureConfig | None, scale) -> Decimal | None:
    """The reliable-change threshold in use: the service's own value where the published one is configurable."""
    rc = scale.reliable_change
    if rc is None:
        return None
    if config is not None and config.reliable_change_threshold is not None and rc.configurable:
        return config.reliable_change_threshold
    return rc.threshold


@dataclass
class ScaleRow:
    """One scale of one instrument across the family's time points."""

    code: str
    label: str
    low: Decimal
    high: Decimal
    higher_is: str
    threshold: Decimal | None
    threshold_note: str
    points: list[dict] = field(default_factory=list)  # {time_point, label, value, band, scorable, reason, change, ...}


def _scale_rows(instrument, config, measures: list[Measure]) -> list[ScaleRow]:
    rows = []
    for scale in instrument.scales:
        threshold = threshold_for(config, scale)
        rc = scale.reliable_change
        note = ""
        if rc is not None:
            note = f"{threshold} points ({rc.confidence} confidence{'; configurable' if rc.configurable else ''})"
        row = ScaleRow(scale.code, scale.label, scale.range[0], scale.range[1], scale.higher_is, threshold, note)
        baseline = None
        for measure in measures:
            result = next((s for s in measure.scales if s["code"] == scale.code), None)
            value = Decimal(result["value"]) if result and result["scorable"] else None
            point = {
                "time_point": measure.time_point,
                "label": measure.get_time_point_display(),
                "measure": measure,
                "value": value,
                "band": result["band"] if result else "",
                "reason": result["reason"] if result else "",
                "change": None,
                "classification": "",
            }
            if measure.time_point == TimePoint.BASELINE:
                baseline = value
            elif baseline is not None and value is not None:
                point["change"] = value - baseline
                point["classification"] = CHANGE_LABELS.get(classify_change(scale, baseline, value, threshold), "")
            row.points.append(point)
        rows.append(row)
    return rows


def _goals(referral: Referral, config: MeasureConfig | None) -> list[dict]:
    scale = definitions.get("gbo").scale("goal")
    threshold = threshold_for(config, scale)
    goals = []
    in_force = Prefetch("ratings", queryset=HelpingQuestionRating.objects.in_force())
    for question in HelpingQuestion.objects.in_force().filter(referral=referral).prefetch_related(in_force):
        ratings = sorted(question.ratings.all(), key=lambda r: (r.rated_on, r.pk))
        starts = [r for r in ratings if r.point == RatingPoint.START] or ratings[:1]
        ends = [r for r in ratings if r.point == RatingPoint.END]
        start = starts[0].score if starts else None
        end = ends[-1].score if ends else None
        change = end - start if start is not None and end is not None else None
        classification = ""
        if change is not None:
            classification = CHANGE_LABELS[classify_change(scale, Decimal(start), Decimal(end), threshold)]
        goals.append(
            {
                "question": question,
                "ratings": ratings,
                "start": start,
                "end": end,
                "change": change,
                "classification": classification,
            }
        )
    return goals


def configs_of(service_id: int) -> dict:
    """A service's measure settings by instrument, read with SQL compiled once per process: the family's outcomes
    page, the service's figures and the dashboard all ask."""
    return {config.instrument: config for config in _measure_configs(service_id)}


@prepared(INT)
def _measure_configs(service_id):
    return MeasureConfig.objects.filter(service_id=service_id)


def family_outcomes(referral: Referral) -> dict:
    """Everything the family's outcomes page shows: each measure by time point with bands, change from baseline and
    reliable change where a threshold exists, and the helping-question ratings start → end. Five queries."""
    configs = configs_of(referral.service_id)
    measures = list(
        Measure.objects.current().filter(referral=referral).select_related("recorded_by").order_by("completed_on", "pk")
    )
    by_instrument: dict[str, list[Measure]] = defaultdict(list)
    for measure in sorted(measures, key=lambda m: (TIME_POINT_ORDER[m.time_point], m.completed_on, m.pk)):
        if measure.is_scored:  # a not-scored measure is listed on its own, never a baseline or an end
            by_instrument[measure.instrument].append(measure)
    sections = []
    for code, instrument in definitions.instruments().items():
        if code in by_instrument:
            config = configs.get(code)
            sections.append(
                {
                    "instrument": instrument,
                    "measures": by_instrument[code],
                    "scales": _scale_rows(instrument, config, by_instrument[code]),
                }
            )
    goals = _goals(referral, configs.get("gbo"))
    gbo_scale = definitions.get("gbo").scale("goal")
    return {
        "sections": sections,
        "goals": goals,
        "gbo_threshold": threshold_for(configs.get("gbo"), gbo_scale),
        "configs": sorted(configs.values(), key=lambda c: (c.order, c.pk)),
        "measure_count": len(measures),
        "not_scored": [m for m in measures if not m.is_scored],
    }


# --- Service-level figures -----------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _figures(instrument, scale, threshold, pairs) -> dict:
    """One measure's figures from its (baseline, end, how many families had that pair) triples: each distinct pair
    is classified once, however many families share it."""
    counts = {IMPROVED: 0, NO_RELIABLE_CHANGE: 0, DETERIORATED: 0}
    for start, end, times in pairs:
        kind = classify_change(scale, start, end, threshold)
        if kind:
            counts[kind] += times
    n = sum(times for _s, _e, times in pairs)
    mean = (sum(((e - s) * times for s, e, times in pairs), Decimal(0)) / n).quantize(Decimal("0.01")) if n else None
    has_threshold = bool(threshold) and scale.higher_is != "neither"
    return {
        "instrument": instrument.code,
        "name": instrument.short_name,
        "scale": scale.code,
        "scale_label": scale.label,
        "pairs": n,
        "mean_change": mean,
        "reliable_change_threshold": threshold if has_threshold else None,
        "percent_reliably_improved": _percent(counts[IMPROVED], n) if has_threshold else None,
        "percent_no_reliable_change": _percent(counts[NO_RELIABLE_CHANGE], n) if has_threshold else None,
        "percent_reliably_deteriorated": _percent(counts[DETERIORATED], n) if has_threshold else None,
    }


def service_figures(
    *, service, referrals=None, referral_ids: list[int] | None = None, closed_ids: list[int] | None = None
) -> dict:
    """The figures a service's outcomes dashboard shows, for the given referrals (default: all of the service's),
    or for `referral_ids` when the caller already holds them (the dashboard does: then each query filters on the
    ids directly, rather than on a subquery over referrals), and `closed_ids`, those of them allocated and now
    closed, when it knows them too.

    Per measure (its main scale; GBO per goal): completed baseline/end pairs, mean change (end − baseline), and the
    % reliably improved / no reliable change / reliably deteriorated where a threshold exists. And the % of closed
    cases (allocated once, no longer open) with both a baseline and an end measure. Four queries.
    """
    if referral_ids is not None:
        referrals = Referral.objects.filter(among("pk", referral_ids))
        of_referrals = among("referral_id", referral_ids)
    else:
        referrals = referrals if referrals is not None else Referral.objects.filter(service=service)
        of_referrals = Q(referral__in=referrals)
    configs = configs_of(service.pk)
    values: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(dict)
    points_by_referral: dict[int, set[str]] = defaultdict(set)
    rows = (
        Measure.objects.scored()
        .filter(of_referrals, time_point__in=[TimePoint.BASELINE, TimePoint.END])
        .values_list("referral_id", "instrument", "time_point", "primary_value")
    )
    for referral_id, instrument, point, value in rows:
        points_by_referral[referral_id].add(point)
        if value is not None:
            values[(referral_id, instrument)][point] = value
    measures = []
    for code, instrument in definitions.instruments().items():
        if instrument.primary is None or not instrument.recorded_here:
            continue
        pairs = Counter(
            (v[TimePoint.BASELINE], v[TimePoint.END])
            for (_, c), v in values.items()
            if c == code and TimePoint.BASELINE in v and TimePoint.END in v
        )
        if pairs or code in configs:
            scale = instrument.primary
            weighted = [(s, e, n) for (s, e), n in pairs.items()]
            measures.append(_figures(instrument, scale, threshold_for(configs.get(code), scale), weighted))
    # Each question's first start rating and last end rating: the ratings in (question, point, day) order, as
    # plain values read along one index (no rows become objects, no subquery per question).
    ratings = (
        HelpingQuestionRating.objects.in_force()
        .filter(
            question__in=HelpingQuestion.objects.in_force().filter(of_referrals).values("pk"),
            point__in=[RatingPoint.START, RatingPoint.END],
        )
        .order_by("question_id", "point", "rated_on", "pk")
        .values_list("question_id", "point", "score")
    )
    first_start: dict[int, int] = {}
    last_end: dict[int, int] = {}
    for question_id, point, score in ratings:
        if point == RatingPoint.START:
            first_start.setdefault(question_id, score)
        else:
            last_end[question_id] = score
    gbo_pairs = Counter((Decimal(first_start[q]), Decimal(last_end[q])) for q in first_start if q in last_end)
    gbo = definitions.get("gbo")
    gbo_weighted = [(s, e, n) for (s, e), n in gbo_pairs.items()]
    measures.append(
        _figures(gbo, gbo.scale("goal"), threshold_for(configs.get("gbo"), gbo.scale("goal")), gbo_weighted)
    )
    closed = (
        closed_ids
        if closed_ids is not None
        else list(
            referrals.exclude(status__in=OPEN_STATUSES)
            .filter(Exists(Allocation.objects.filter(referral_id=OuterRef("pk"))))
            .order_by()
            .values_list("pk", flat=True)
        )
    )
    both = [pk for pk in closed if {TimePoint.BASELINE, TimePoint.END} <= points_by_referral.get(pk, set())]
    return {
        "measures": measures,
        "closed_cases": len(closed),
        "closed_with_baseline_and_end": len(both),
        "percent_closed_with_baseline_and_end": _percent(len(both), len(closed)),
    }


def figures_from_pairs(*, service, pairs, closed: int, both: int) -> dict:
    """`service_figures`'s figures from pairs already read (the dashboards' summaries, ADR 0022): `pairs` is
    (kind, instrument, baseline, end, how many families) with kind "pair" for a measure's baseline/end and "goal"
    for a helping question's start/end rating, grouped in the database (a year of a busy service is thousands of
    pairs but a few hundred distinct ones); `closed` families allocated and now closed, `both` of them with a
    baseline and an end measure. No query but the service's measure settings."""
    configs = configs_of(service.pk)
    by_instrument: dict[str, list] = defaultdict(list)
    gbo_pairs = []
    for kind, instrument, first, last, times in pairs:
        if kind == "goal":
            gbo_pairs.append((Decimal(first), Decimal(last), times))
        else:
            by_instrument[instrument].append((Decimal(first), Decimal(last), times))
    measures = []
    for code, instrument in definitions.instruments().items():
        if instrument.primary is None or not instrument.recorded_here:
            continue
        if by_instrument.get(code) or code in configs:
            scale = instrument.primary
            measures.append(_figures(instrument, scale, threshold_for(configs.get(code), scale), by_instrument[code]))
    gbo = definitions.get("gbo")
    measures.append(_figures(gbo, gbo.scale("goal"), threshold_for(configs.get("gbo"), gbo.scale("goal")), gbo_pairs))
    return {
        "measures": measures,
        "closed_cases": closed,
        "closed_with_baseline_and_end": both,
        "percent_closed_with_baseline_and_end": _percent(both, closed),
    }
