"""The one scoring engine: reads an instrument's definition and scores a set of answers exactly as it says.

Answers are the option *positions* the parent chose, counted from 0 at the top of the printed list (the score of
each position is data, so mixed printed orders and reverse keying need no code). A missing answer is None. Text
answers (the feedback form) are strings and never scored.

- `clean_answers` refuses anything that is not an answer the definition allows (unknown item, position out of
  range, a number where text belongs): out-of-range answers never reach a score.
- `score` gives each scale's value, band and cut-offs, or "not scorable" with the reason when more items are missing
  than the scale's rule allows (CORE-10 prorates one missing item; most allow none). Risk items are checked on their
  own, whatever the total, so EPDS item 10 raises a flag even when the total cannot be given.
- `classify_change` says whether a change from baseline is reliable, where a threshold exists.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from core.text import NOTE_MAX_LENGTH, validate_safe_text

from .definitions import Instrument, Scale

IMPROVED, NO_RELIABLE_CHANGE, DETERIORATED = "reliably_improved", "no_reliable_change", "reliably_deteriorated"
CHANGE_LABELS = {
    IMPROVED: "Reliably improved",
    NO_RELIABLE_CHANGE: "No reliable change",
    DETERIORATED: "Reliably deteriorated",
}


def clean_answers(instrument: Instrument, answers: Mapping) -> dict[str, int | str | None]:
    """Every item's answer, keyed by item number as text; ValidationError naming each bad item."""
    answers = {str(k): v for k, v in (answers or {}).items()}
    errors: dict[str, list[str]] = {}
    known = {item.key for item in instrument.items}
    for key in sorted(set(answers) - known):
        errors.setdefault("answers", []).append(f"{instrument.short_name} has no item {key}.")
    cleaned: dict[str, int | str | None] = {}
    for item in instrument.items:
        value = answers.get(item.key)
        if item.kind == "text":
            cleaned[item.key] = _clean_text(item.number, value, errors)
        else:
            cleaned[item.key] = _clean_choice(instrument, item, value, errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_text(number: int, value, errors) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        errors[f"item_{number}"] = [f"Item {number}: enter text"]
        return ""
    if len(value) > NOTE_MAX_LENGTH:
        errors[f"item_{number}"] = [f"Item {number}: at most {NOTE_MAX_LENGTH} characters"]
        return ""
    try:
        validate_safe_text(value, label=f"Item {number}", multiline=True)
    except ValidationError as error:
        errors[f"item_{number}"] = error.messages
    return value.strip()


def _clean_choice(instrument: Instrument, item, value, errors) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    count = len(item.scores)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < count:
        errors[f"item_{item.number}"] = [
            f"Item {item.number}: choose one of the {count} answers (positions 0 to {count - 1}), or leave it blank"
        ]
        return None
    return value


def item_scores(instrument: Instrument, answers: Mapping) -> dict[int, int]:
    """The score of each answered choice item, read from the definition."""
    scores = {}
    for item in instrument.items:
        position = answers.get(item.key)
        if item.kind == "choice" and position is not None:
            scores[item.number] = item.scores[position]
    return scores


def _quantize(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _band(scale: Scale, value: Decimal, threshold_set: str) -> str:
    label = ""
    for band in scale.bands_for(threshold_set):
        if value >= Decimal(str(band["from"])):
            label = band["label"]
    return label


def score_scale(scale: Scale, scores: dict[int, int], threshold_set: str = "") -> dict:
    """One scale's result: value (as text, exact), raw sum, band, cut-offs met; or not scorable with the reason."""
    missing = [n for n in scale.items if n not in scores]
    result = {"code": scale.code, "label": scale.label, "missing_items": missing, "prorated": False}
    allowed = scale.max_missing if scale.missing_rule == "prorate" else 0
    if len(missing) > allowed or len(missing) == len(scale.items):
        listed = ", ".join(str(n) for n in missing)
        rule = f"at most {allowed} may be missing" if allowed else "no item may be missing"
        reason = f"Not scorable: {len(missing)} item{'s' if len(missing) != 1 else ''} missing ({listed}); {rule}."
        return {**result, "scorable": False, "reason": reason, "value": None, "raw": None, "band": "", "cutoffs": []}
    answered = [scores[n] for n in scale.items if n in scores]
    raw = sum(answered)
    if scale.combine == "mean":
        value = _quantize(Decimal(raw) / len(answered), scale.decimals)
    elif missing:
        value = _quantize(Decimal(raw) * len(scale.items) / len(answered), scale.decimals)
    else:
        value = Decimal(raw)
    if scale.conversion:
        value = scale.conversion[raw]
    low, high = scale.range
    if not low <= value <= high:  # a definition error, never a parent's answer: stop rather than show it
        raise ValueError(f"{scale.code} scored {value}, outside {low}–{high}")
    cutoffs = [c["label"] for c in scale.cutoffs if value >= Decimal(str(c["at_least"]))]
    return {
        **result,
        "scorable": True,
        "reason": "Prorated for one missing item: read with caution." if missing and scale.combine == "sum" else "",
        "prorated": bool(missing),
        "value": str(value),
        "raw": raw,
        "band": _band(scale, value, threshold_set),
        "cutoffs": cutoffs,
    }


def risk_answers(instrument: Instrument, scores: dict[int, int]) -> list[dict]:
    """The risk items raised by these answers, checked on their own whatever the total."""
    return [
        {"item": rule["item"], "score": scores[rule["item"]], "message": rule["message"]}
        for rule in instrument.risk_items
        if rule["item"] in scores and scores[rule["item"]] > rule["score_above"]
    ]


def score(instrument: Instrument, answers: Mapping, *, threshold_set: str = "") -> dict:
    """Every scale's result and the risk answers, as stored on the measure (JSON, values as exact text)."""
    threshold_set = threshold_set or instrument.default_threshold_set
    scores = item_scores(instrument, answers)
    scales = [score_scale(scale, scores, threshold_set) for scale in instrument.scales]
    return {
        "instrument": instrument.code,
        "version": instrument.version,
        "threshold_set": threshold_set,
        "item_scores": {str(k): v for k, v in scores.items()},
        "scales": scales,
        "primary": instrument.primary_scale,
        "risk": risk_answers(instrument, scores),
    }


def scale_value(result: dict, code: str | None) -> Decimal | None:
    """A stored result's value for one scale (None if not scorable or absent)."""
    for scale in result.get("scales", ()):
        if scale["code"] == code and scale["scorable"]:
            return Decimal(scale["value"])
    return None


def classify_change(scale: Scale, start: Decimal, end: Decimal, threshold: Decimal | None = None) -> str:
    """Reliably improved, no reliable change or reliably deteriorated; "" where no threshold exists."""
    threshold = threshold if threshold is not None else (scale.reliable_change and scale.reliable_change.threshold)
    if not threshold or scale.higher_is == "neither":
        return ""
    change = end - start
    if abs(change) < threshold:
        return NO_RELIABLE_CHANGE
    better = change > 0 if scale.higher_is == "better" else change < 0
    return IMPROVED if better else DETERIORATED
