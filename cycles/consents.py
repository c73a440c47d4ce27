"""What a family's consent covers on a given day: the one place the app asks before filming, supervision or
training use.

Consent is per person and per item (`ConsentDecision`). Withdrawal is dated and never deletes what was agreed, so
"is X covered on day D?" is: some consent given on or before D has an agreed decision for that person and item,
not withdrawn on or before D. Actions call `refusal_for_*`, which return the words to show (or "" when covered),
so a refusal always says why.
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from referrals.models import OtherChild, Parent, Referral

from .models import ConsentDecision, ConsentItem

OWN_CONSENT_AGE = 12


@dataclass(frozen=True)
class Person:
    """A parent or an older child, as consent names them."""

    kind: str  # "parent" or "other_child"
    pk: int
    name: str


def person(of: Parent | OtherChild) -> Person:
    return Person("parent" if isinstance(of, Parent) else "other_child", of.pk, str(of))


def decisions_for(referral: Referral):
    """Every decision of every consent of the family, with its giver and consent, in one query."""
    return ConsentDecision.objects.filter(giver__consent__referral=referral).select_related(
        "giver", "giver__consent", "giver__parent", "giver__other_child"
    )


def covered(decisions, who: Person, item: str, day: date) -> bool:
    """Did `who` agree to `item` in a consent given on or before `day`, not withdrawn by then?"""
    for decision in decisions:
        giver = decision.giver
        giver_pk = giver.parent_id if who.kind == "parent" else giver.other_child_id
        if giver_pk == who.pk and decision.item == item and giver.consent.given_on <= day and decision.covers(day):
            return True
    return False


def needs_own_consent(child: OtherChild, day: date) -> bool:
    """A child aged 12 or over on the filming date gives their own consent; a child of unknown age is asked too."""
    if child.date_of_birth is None:
        return True
    return relativedelta(day, child.date_of_birth).years >= OWN_CONSENT_AGE


def refusal_for_filming(referral: Referral, *, parents, children, day: date) -> str:
    """'' if every filmed adult and every filmed child aged 12+ has current filming consent; else why not."""
    decisions = list(decisions_for(referral))
    missing = [str(p) for p in parents if not covered(decisions, person(p), ConsentItem.FILMING, day)]
    missing += [
        f"{c} (aged 12 or over)"
        for c in children
        if needs_own_consent(c, day) and not covered(decisions, person(c), ConsentItem.FILMING, day)
    ]
    if not missing:
        return ""
    return f"No current consent to filming from {', '.join(missing)} on {day:%-d %B %Y}. Record consent first."


def refusal_for_item(referral: Referral, *, people, item: str, day: date, doing: str) -> str:
    """'' if everyone in `people` (those filmed) agreed to `item` and has not withdrawn; else why not."""
    decisions = list(decisions_for(referral))
    missing = [str(p) for p in people if not covered(decisions, person(p), item, day)]
    if not missing:
        return ""
    label = ConsentItem(item).label.lower()
    return f"{', '.join(missing)} did not consent to {label} (or withdrew it): you cannot {doing}."


def current_summary(referral: Referral, day: date) -> dict[str, list[str]]:
    """For the family's record: for each item, the people whose consent to it is current today."""
    decisions = list(decisions_for(referral))
    summary: dict[str, list[str]] = {item.value: [] for item in ConsentItem}
    for decision in decisions:
        if decision.giver.consent.given_on <= day and decision.covers(day):
            summary[decision.item].append(str(decision.giver))
    return summary
