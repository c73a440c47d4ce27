"""A service's eligibility rules, applied to a referral.

Rules are rows (`EligibilityRule`) of a few kinds, combined with AND. The result keeps one line per rule, in words a
coordinator can check ("child is 12 months old on the referral date: outside antenatal to under 12 months"), and
is stored on the referral as computed then.
"""

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta

from .models import HANDOVER_FIELDS, REASON_FIELDS, EligibilityRule, EligibilityRuleKind, Referral

# The referral fields a service's `required_answers` rule may name (the API schema says so on each of them).
RULE_FIELDS = [*HANDOVER_FIELDS, *REASON_FIELDS]


@dataclass
class RuleOutcome:
    rule: str
    passed: bool
    message: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "passed": self.passed, "message": self.message}


@dataclass
class EligibilityResult:
    outcomes: list[RuleOutcome] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(outcome.passed for outcome in self.outcomes)

    @property
    def failures(self) -> list[RuleOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.passed]

    def as_list(self) -> list[dict]:
        return [outcome.as_dict() for outcome in self.outcomes]


def describe_window(params: dict) -> str:
    """'antenatal to under 12 months', 'birth to under 12 months', 'antenatal to under 2 years', 'any age'."""
    antenatal = params.get("antenatal", True)
    low, high = params.get("min_months"), params.get("max_months")
    start = f"{_months(low)} old" if low else ("antenatal" if antenatal else "birth")
    if high is None:
        return "any age" if antenatal and not low else f"from {start}"
    return f"{start} to under {_months(high)}"


def _months(months: int) -> str:
    if months % 12 == 0 and months >= 24:
        return f"{months // 12} years"
    return f"{months} months"


def age_in_months(born: date, on: date) -> int:
    """Whole months completed: a child is 12 months old from their first birthday."""
    delta = relativedelta(on, born)
    return delta.years * 12 + delta.months


def _age_window(params: dict, referral: Referral, **_) -> RuleOutcome:
    window = describe_window(params)
    on = referral.date_received
    if referral.child_unborn:
        if params.get("antenatal", True):
            return RuleOutcome("age_window", True, f"unborn baby: inside {window}")
        return RuleOutcome("age_window", False, f"unborn baby: this service starts at birth ({window})")
    if referral.child_date_of_birth is None or on is None:
        return RuleOutcome("age_window", False, "child's date of birth is missing")
    months = age_in_months(referral.child_date_of_birth, on)
    low, high = params.get("min_months"), params.get("max_months")
    inside = (low is None or months >= low) and (high is None or months < high)
    age = f"{months} month{'s' if months != 1 else ''}"
    where = "inside" if inside else "outside"
    return RuleOutcome("age_window", inside, f"child is {age} old on the referral date: {where} {window}")


def _referral_source(params: dict, referral: Referral, *, sources: list[str], **_) -> RuleOutcome:
    accepted = params.get("sources") or sources
    name = referral.referral_source.name if referral.referral_source_id else ""
    if name in accepted:
        return RuleOutcome("referral_source", True, f"referral source '{name}' is accepted")
    return RuleOutcome(
        "referral_source", False, f"referral source '{name}' is not one this service accepts ({', '.join(accepted)})"
    )


def _required_answers(params: dict, referral: Referral, **_) -> RuleOutcome:
    missing = []
    for name in params.get("fields", []):
        value = getattr(referral, name, "")
        if value in ("", None, [], False):
            missing.append(Referral._meta.get_field(name).verbose_name)
    if missing:
        return RuleOutcome("required_answers", False, f"missing: {'; '.join(missing)}")
    return RuleOutcome("required_answers", True, "required referral information is given")


def _required_questions(params: dict, referral: Referral, *, questions: list, **_) -> RuleOutcome:
    answers = referral.question_answers or {}
    missing = [q.text for q in questions if q.required and not str(answers.get(q.key, "")).strip()]
    if missing:
        return RuleOutcome("required_questions", False, f"unanswered: {' / '.join(missing)}")
    return RuleOutcome("required_questions", True, "the service's referral questions are answered")


def _catchment(params: dict, referral: Referral, *, postcode: str, **_) -> RuleOutcome:
    site = referral.site
    if site.covers_postcode(postcode):
        return RuleOutcome("catchment", True, f"lives in the {site.name} catchment")
    return RuleOutcome("catchment", False, f"postcode district is outside the {site.name} catchment")


CHECKS = {
    EligibilityRuleKind.AGE_WINDOW: _age_window,
    EligibilityRuleKind.REFERRAL_SOURCE: _referral_source,
    EligibilityRuleKind.REQUIRED_ANSWERS: _required_answers,
    EligibilityRuleKind.REQUIRED_QUESTIONS: _required_questions,
    EligibilityRuleKind.CATCHMENT: _catchment,
}


def evaluate(referral: Referral, *, postcode: str = "") -> EligibilityResult:
    """Apply every rule of the referral's service; `postcode` is the first parent's (may be unsaved)."""
    service = referral.service
    rules = list(EligibilityRule.objects.filter(service=service))
    context = {
        "sources": [s.name for s in service.referral_sources.filter(is_active=True)],
        "questions": list(service.referral_questions.all()),
        "postcode": postcode,
    }
    return EligibilityResult([CHECKS[rule.kind](rule.params, referral, **context) for rule in rules])


def required_fields(service) -> list[str]:
    """The referral fields the service's rules need completed, in rule order: what an API client must send for
    the referral to be found eligible (`GET /api/v1/services/{slug}/`)."""
    rules = EligibilityRule.objects.filter(service=service, kind=EligibilityRuleKind.REQUIRED_ANSWERS)
    return list(dict.fromkeys(name for rule in rules for name in rule.params.get("fields", [])))
