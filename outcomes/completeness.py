"""Whether a questionnaire may be kept as it was filled in (issue 18, item 3).

Two rules, checked by the actions so the page and the API refuse the same things:

- **A measure the instrument's own missing-item rule cannot score is refused**, with an error beside each missing
  item the score needs, unless the practitioner records why it was not completed (the parent declined, stopped
  early, or another reason with a note). Then it is kept as "not scored": in the family's record and history, never
  counted as a baseline or an end, and it does not block a later, complete one.
- **A risk question left blank is never silent.** Before the measure saves, the practitioner records what happened:
  asked in person and answered (then the answer is required), or the parent declined to answer. A declined risk
  question is written in the family's history and shown on the measure. It raises no risk notice: every shipped
  instrument's risk rule flags an answer above 0 (`risk_items[].score_above`), not a refusal to answer, and the
  notice flow stays where the rule puts it.
"""

from django.core.exceptions import ValidationError

from core.text import check_text

from .definitions import Instrument
from .models import NotScoredReason, RiskResponse


def needed_items(instrument: Instrument) -> set[int]:
    """The items any of the instrument's scales reads: the ones a form must not call optional."""
    return {number for scale in instrument.scales for number in scale.items}


def risk_item_numbers(instrument: Instrument) -> list[int]:
    return [rule["item"] for rule in instrument.risk_items]


def _missing_rule(instrument: Instrument, scale_result: dict) -> str:
    scale = instrument.scale(scale_result["code"])
    name = f"the {instrument.short_name} {scale.label.lower()}"
    allowed = scale.max_missing if scale.missing_rule == "prorate" else 0
    if allowed:
        count = len(scale_result["missing_items"])
        return f"{name} can be scored with at most {allowed} item missing, and {count} are"
    return f"{name} cannot be scored with any item missing"


def _unscorable(instrument: Instrument, result: dict, answers: dict) -> list[dict]:
    """The scales the missing-item rule cannot score; a form with nothing answered counts as one, even unscored."""
    scales = [s for s in result["scales"] if not s["scorable"]]
    if not scales and not any(v not in (None, "") for v in answers.values()):
        scales = [{"code": "", "missing_items": [i.number for i in instrument.items]}]
    return scales


def _risk_errors(instrument: Instrument, answers: dict, responses: dict, errors: dict) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    risk_items = risk_item_numbers(instrument)
    for key, value in responses.items():
        if str(key) not in {str(n) for n in risk_items}:
            errors.setdefault("risk_responses", []).append(f"{instrument.short_name} item {key} is not a risk item")
        elif value not in RiskResponse.values:
            errors.setdefault("risk_responses", []).append(
                f"Item {key}: say whether you asked it in person ({RiskResponse.ASKED_IN_PERSON}) or the parent "
                f"declined to answer it ({RiskResponse.DECLINED})"
            )
    for number in risk_items:
        key = str(number)
        answered = answers.get(key) is not None
        response = responses.get(key) or responses.get(number) or ""
        if response not in RiskResponse.values:
            response = ""
        if answered and response == RiskResponse.DECLINED:
            errors[f"item_{number}"] = [
                f"Item {number} has an answer, but you recorded that the parent declined to answer it: "
                "remove the answer or change what happened"
            ]
        elif not answered and response == RiskResponse.ASKED_IN_PERSON:
            errors[f"item_{number}"] = [f"Enter the answer to item {number} that the parent gave in person"]
        elif not answered and not response:
            errors[f"item_{number}"] = [
                f"Item {number} is a risk question and is not answered: ask it in person and record the answer, "
                "or record that the parent declined to answer it"
            ]
        if response:
            cleaned[key] = response
    return cleaned


def check_complete(
    instrument: Instrument,
    answers: dict,
    result: dict,
    *,
    not_scored_reason: str = "",
    not_scored_note: str = "",
    risk_responses: dict | None = None,
) -> dict[str, str]:
    """Refuse what may not be kept (ValidationError naming each item); return the risk responses to store."""
    errors: dict[str, list[str]] = {}
    responses = _risk_errors(instrument, answers, dict(risk_responses or {}), errors)
    declined = {int(k) for k, v in responses.items() if v == RiskResponse.DECLINED}
    unscorable = _unscorable(instrument, result, answers)
    if not_scored_reason and not_scored_reason not in NotScoredReason.values:
        errors["not_scored_reason"] = ["Choose why it was not completed: " + ", ".join(NotScoredReason.values)]
    elif unscorable and not not_scored_reason:
        missing = sorted({n for s in unscorable for n in s["missing_items"]})
        for scale in unscorable:
            rule = _missing_rule(instrument, scale) if scale["code"] else "nothing is answered"
            for number in scale["missing_items"]:
                if number not in declined:
                    errors.setdefault(f"item_{number}", [f"Answer item {number}: {rule}"])
        listed = ", ".join(str(n) for n in missing)
        many = len(missing) != 1
        errors["not_scored_reason"] = [
            f"The {instrument.short_name} cannot be scored: item{'s' if many else ''} {listed} "
            f"{'are' if many else 'is'} not answered. Answer {'them' if many else 'it'}, or record why it was not "
            "completed"
        ]
    elif not unscorable and not_scored_reason:
        errors["not_scored_reason"] = [
            f"Every item the {instrument.short_name} score needs is answered, so it will be scored: leave "
            "“why it was not completed” empty"
        ]
    if not_scored_reason == NotScoredReason.OTHER and not (not_scored_note or "").strip():
        errors["not_scored_note"] = ["Say why the questionnaire was not completed"]
    if not_scored_note:
        try:
            check_text(not_scored_note, field="not_scored_note", label="Why it was not completed")
        except ValidationError as error:
            errors.setdefault("not_scored_note", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return responses
