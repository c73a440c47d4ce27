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
from django.db.models import Prefetch

from core.prepared import prepared
from cycles.models import Consent, ConsentDecision, ConsentGiver, ConsentItem
from referrals.models import OtherChild, Parent, Referral

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


@prepared()
def family_decisions(referral_id) -> list:
    """`decisions_for` as a list, compiled once per process (`core.prepared`): the record reads it on every look."""
    return decisions_for(referral_id)


def _of(decision, who: Person) -> bool:
    giver = decision.giver
    return (giver.parent_id if who.kind == "parent" else giver.other_child_id) == who.pk


def covered(decisions, who: Person, item: str, day: date) -> bool:
    """Did `who` agree to `item` in a consent given on or before `day`, not withdrawn by then?"""
    return any(_of(d, who) and d.item == item and d.giver.consent.given_on <= day and d.covers(day) for d in decisions)


def why_not(decisions, who: Person, item: str, day: date) -> str:
    """Why `who` is not covered for `item` on `day`, in words: withdrawn, given later, refused, or never asked."""
    theirs = [d for d in decisions if _of(d, who) and d.item == item]
    withdrawn = [d for d in theirs if d.agreed and d.withdrawn_on and d.withdrawn_on <= day]
    if withdrawn:
        when = max(d.withdrawn_on for d in withdrawn)
        return f"{who.name} withdrew it on {when:%-d %B %Y}"
    later = [d for d in theirs if d.agreed and d.giver.consent.given_on > day]
    if later:
        when = min(d.giver.consent.given_on for d in later)
        return f"{who.name} agreed only on {when:%-d %B %Y}, after {day:%-d %B %Y}"
    if theirs:
        return f"{who.name} did not agree to it"
    return f"{who.name} has not given consent"


def needs_own_consent(child: OtherChild, day: date) -> bool:
    """A child aged 12 or over on the filming date gives their own consent; a child of unknown age is asked too."""
    if child.date_of_birth is None:
        return True
    return relativedelta(day, child.date_of_birth).years >= OWN_CONSENT_AGE


def refusal_for_filming(referral: Referral, *, parents, children, day: date) -> str:
    """'' if every filmed adult and every filmed child aged 12+ has current filming consent; else why not."""
    decisions = list(decisions_for(referral))
    people = [person(p) for p in parents] + [person(c) for c in children if needs_own_consent(c, day)]
    reasons = [
        why_not(decisions, who, ConsentItem.FILMING, day)
        + (" (a child aged 12 or over)" if who.kind != "parent" else "")
        for who in people
        if not covered(decisions, who, ConsentItem.FILMING, day)
    ]
    if not reasons:
        return ""
    return (
        f"No current consent to filming on {day:%-d %B %Y}: {'; '.join(reasons)}. Everyone filmed, and each child "
        "aged 12 or over who is filmed, must have agreed to filming. Record their consent first."
    )


def refusal_for_item(referral: Referral, *, people, item: str, day: date, doing: str) -> str:
    """'' if everyone in `people` (those filmed) agreed to `item` and has not withdrawn; else why not."""
    decisions = list(decisions_for(referral))
    missing = [person(p) for p in people if not covered(decisions, person(p), item, day)]
    if not missing:
        return ""
    label = ConsentItem(item).label.lower()
    reasons = "; ".join(why_not(decisions, who, item, day) for who in missing)
    return f"No current consent to {label} ({reasons}): you cannot {doing}."


def missing_filming_consent(referral: Referral, decisions, day: date) -> list[str]:
    """For the family's record: each parent, and each older child aged 12+ (if filmed), without filming consent
    today, with why. Uses the referral's prefetched people and the decisions already read."""
    people = [person(p) for p in referral.parents.all()]
    people += [person(c) for c in referral.other_children.all() if needs_own_consent(c, day)]
    return [
        why_not(decisions, who, ConsentItem.FILMING, day)
        + (" (aged 12 or over: if filmed)" if who.kind != "parent" else "")
        for who in people
        if not covered(decisions, who, ConsentItem.FILMING, day)
    ]


def current_summary(referral: Referral, day: date) -> dict[str, list[str]]:
    """For the family's record: for each item, the people whose consent to it is current today."""
    return summarise(list(decisions_for(referral)), day)


def summarise(decisions, day: date) -> dict[str, list[str]]:
    """`current_summary` over decisions already read: each item → the names of those covered on `day`, once each."""
    summary: dict[str, list[str]] = {item.value: [] for item in ConsentItem}
    for decision in decisions:
        name = str(decision.giver)
        if decision.giver.consent.given_on <= day and decision.covers(day) and name not in summary[decision.item]:
            summary[decision.item].append(name)
    return summary


def consents_visible_to(user):
    """Consents of the families the user may see (the page and API loaders use it: others are a logged 404)."""
    return Consent.objects.filter(referral__in=Referral.objects.visible_to(user).values("pk"))


def consents_with_decisions(referral: Referral | int):
    """A family's consents, newest first, with givers, people, decisions and who recorded or withdrew them."""
    decisions = ConsentDecision.objects.select_related("withdrawn_by")
    givers = ConsentGiver.objects.select_related("parent", "other_child").prefetch_related(
        Prefetch("decisions", queryset=decisions)
    )
    return (
        Consent.objects.filter(referral=referral)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("givers", queryset=givers))
        .order_by("-given_on", "-pk")
    )
