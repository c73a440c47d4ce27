"""Recording and withdrawing a family's written consent.

Consent is recorded per person and per item, before any filming (`cycles.reads.consents` is where filming, supervision
and training use ask what it covers). Withdrawal is dated and never deletes what was agreed: it marks the decisions
withdrawn, so the history of what the family agreed, and when they changed their mind, stays readable.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import AccessAction, User
from accounts.permissions import Perm, requires
from core.refusals import ActionRefused
from core.text import check_text
from cycles.dates import BACKDATED_HISTORY_LABEL, not_before_allocation
from referrals.history import record_change
from referrals.models import OtherChild, Parent, Referral
from referrals.states import ReferralStatus

from ..models import Clip, Consent, ConsentDecision, ConsentGiver, ConsentItem
from ..uploads import check_signed_form

ALL = "all"


def check_allocated(referral: Referral, doing: str) -> None:
    """Casework is recorded only while the family is allocated (a state refusal, 409). Who records it (the
    allocated practitioner, casework.record) is declared on each action with `@requires`."""
    if referral.status != ReferralStatus.ALLOCATED:
        raise ActionRefused(
            f"You cannot {doing}: the referral is {referral.get_status_display().lower()}, and only an allocated "
            "family's work can be recorded."
        )


def check_past_date(value: date | None, *, field: str, label: str, not_before: date, not_before_label: str) -> None:
    if value is None:
        raise ValidationError({field: f"Enter the date {label}"})
    if value > timezone.localdate():
        raise ValidationError({field: f"The date {label} must be today or in the past"})
    if value < not_before:
        raise ValidationError({field: f"The date {label} must be on or after {not_before_label}"})


def _givers(referral: Referral, givers: list[dict]) -> list[tuple[Parent | OtherChild, dict[str, bool]]]:
    """Check each giver is one of this family's people, named once, with known items."""
    if not givers:
        raise ValidationError({"givers": "Choose who gave consent"})
    parents = {p.pk: p for p in referral.parents.all()}
    children = {c.pk: c for c in referral.other_children.all()}
    seen, out = set(), []
    for giver in givers:
        parent, child = giver.get("parent"), giver.get("other_child")
        who, pool = (parent, parents) if parent is not None else (child, children)
        if (parent is None) == (child is None) or getattr(who, "pk", None) not in pool:
            raise ValidationError(
                {"givers": "Each person giving consent must be a parent, carer or older child on this referral"}
            )
        key = (type(who).__name__, who.pk)
        if key in seen:
            raise ValidationError({"givers": f"{who} is named twice"})
        seen.add(key)
        items = giver.get("items") or {}
        unknown = sorted(set(items) - set(ConsentItem.values))
        if unknown:
            raise ValidationError({"givers": f"Unknown consent item: {', '.join(unknown)}"})
        out.append((pool[who.pk], {item: bool(items.get(item, False)) for item in ConsentItem.values}))
    return out


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="referral")
def record_consent(
    *,
    referral: Referral,
    given_on: date,
    givers: list[dict],
    written_agreement_given: bool,
    sharing_with: str = "",
    notes: str = "",
    signed_form=None,
    backdated_reason: str = "",
    by: User,
    request=None,
) -> Consent:
    """Record a written consent: who gave it, the date, and each item agreed or not, with the signed form.

    `givers` is a list of {"parent": Parent} or {"other_child": OtherChild}, each with "items": {item: bool}; an
    item left out is recorded as not agreed, so the record says what was refused as well as what was agreed. A date
    before the family's allocation needs `backdated_reason` (`cycles.dates`).
    """
    check_allocated(referral, "record consent")
    people, sharing_with, kind = _checked_consent(referral, given_on, givers, sharing_with, notes, signed_form)
    backdated_reason = not_before_allocation(
        referral, given_on, field="given_on", label="The date consent was given", backdated_reason=backdated_reason
    )
    consent = Consent(
        referral=referral,
        given_on=given_on,
        written_agreement_given=bool(written_agreement_given),
        sharing_with=sharing_with,
        notes=notes or "",
        backdated_reason=backdated_reason,
        signed_form_content_type=kind.content_type if kind else "",
        recorded_by=by,
    )
    if signed_form:
        consent.signed_form.save("form", signed_form, save=False)  # the name comes from `consent_form_name`
    consent.save()
    changes = {
        "given on": [None, given_on.isoformat()],
        "written agreement given": [None, consent.written_agreement_given],
        **_save_givers(consent, people),
    }
    if sharing_with:
        changes["clips may be shared with"] = [None, sharing_with]
    if backdated_reason:
        changes[BACKDATED_HISTORY_LABEL] = [None, backdated_reason]
    if kind:
        changes["signed form"] = [None, f"uploaded ({kind.label})"]
    record_change(
        referral=referral,
        by=by,
        kind="consent_recorded",
        summary="Consent recorded",
        changes=changes,
        request=request,
        obj=consent,
        access=AccessAction.CREATE,
    )
    return consent


def _checked_consent(
    referral: Referral, given_on: date, givers: list[dict], sharing_with: str, notes: str, signed_form
):
    """The consent's date, people, named others, notes and signed form, each refused beside its field; returns the
    people with their items, the cleaned named others and the signed form's kind (or None)."""
    check_past_date(
        given_on,
        field="given_on",
        label="consent was given",
        not_before=referral.date_received,
        not_before_label=f"the referral's date received ({referral.date_received:%-d %B %Y})",
    )
    people = _givers(referral, givers)
    sharing_with = (sharing_with or "").strip()
    check_text(sharing_with, field="sharing_with", label="Named others", max_length=300, multiline=False)
    check_text(notes or "", field="notes", label="Notes")
    if any(items[ConsentItem.SHARING_CLIPS] for _, items in people) and not sharing_with:
        raise ValidationError({"sharing_with": "Name who the clips may be shared with"})
    return people, sharing_with, check_signed_form(signed_form) if signed_form else None


def _save_givers(consent: Consent, people) -> dict:
    """Each giver and their decision on every item (agreed or not); returns what the history shows of them."""
    changes = {}
    for who, items in people:
        giver = ConsentGiver.objects.create(
            consent=consent,
            parent=who if isinstance(who, Parent) else None,
            other_child=who if isinstance(who, OtherChild) else None,
        )
        ConsentDecision.objects.bulk_create(
            ConsentDecision(giver=giver, item=item, agreed=agreed) for item, agreed in items.items()
        )
        agreed = [ConsentItem(item).label for item, yes in items.items() if yes]
        changes[str(who)] = [None, "agreed to: " + (", ".join(agreed) if agreed else "nothing")]
    return changes


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="consent.referral")
def withdraw_consent(
    *,
    consent: Consent,
    givers: list[ConsentGiver] | None = None,
    items: list[str] | str = ALL,
    withdrawn_on: date,
    reason: str,
    by: User,
    request=None,
) -> list[ConsentDecision]:
    """Withdraw consent, wholly or for some items, from a date. Nothing agreed is deleted.

    `givers` (default: everyone who gave this consent) names the people withdrawing; a person's withdrawal of an
    item covers every consent of theirs given on or before the date, so an older form cannot go on covering what
    they took back. A consent given after the date (agreeing again) is left alone.
    """
    referral = consent.referral
    check_allocated(referral, "record a withdrawal of consent")
    reason, own, givers, wanted = _checked_withdrawal(consent, givers, items, withdrawn_on, reason)
    decisions = ConsentDecision.objects.select_for_update().filter(
        giver__consent__referral=referral,
        giver__consent__given_on__lte=withdrawn_on,
        item__in=wanted,
        agreed=True,
        withdrawn_on__isnull=True,
    )
    decisions = [d for d in decisions.select_related("giver") if any(_same_person(d.giver, g) for g in givers)]
    if not decisions:
        raise ValidationError({"items": "Nothing to withdraw: they had not agreed to this, or withdrew it already"})
    for decision in decisions:
        decision.withdrawn_on, decision.withdrawn_by, decision.withdrawal_reason = withdrawn_on, by, reason
    ConsentDecision.objects.bulk_update(decisions, ["withdrawn_on", "withdrawn_by", "withdrawal_reason"])

    changes = _withdrawal_changes(own, givers, decisions)
    changes["withdrawn on"] = [None, withdrawn_on.isoformat()]
    changes["reason"] = [None, reason]
    unmarked = _unmark_training_clips(referral, [d.giver for d in decisions if d.item == ConsentItem.TRAINING])
    if unmarked:
        changes["clips marked for training"] = [None, f"{unmarked} no longer marked (consent to training withdrawn)"]
    whole = wanted == set(ConsentItem.values)
    record_change(
        referral=referral,
        by=by,
        kind="consent_withdrawn",
        summary="Consent withdrawn" if whole else "Consent withdrawn for some items",
        changes=changes,
        request=request,
        obj=consent,
    )
    return decisions


def _checked_withdrawal(consent: Consent, givers, items, withdrawn_on: date, reason: str):
    """The withdrawal's date, reason, people and items, each refused beside its field; returns the cleaned reason,
    everyone who gave this consent, the people withdrawing and the items withdrawn."""
    check_past_date(
        withdrawn_on,
        field="withdrawn_on",
        label="consent was withdrawn",
        not_before=consent.given_on,
        not_before_label=f"the date consent was given ({consent.given_on:%-d %B %Y})",
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for withdrawing, in the family's words if you can"})
    check_text(reason, field="reason", label="Reason")
    own = list(consent.givers.all())
    givers = givers or own
    if any(g.consent_id != consent.pk for g in givers):
        raise ValidationError({"givers": "Choose people who gave this consent"})
    wanted = set(ConsentItem.values) if items == ALL else set(items or [])
    if not wanted or not wanted <= set(ConsentItem.values):
        raise ValidationError({"items": "Choose what consent is withdrawn for"})
    return reason, own, givers, wanted


def _withdrawal_changes(own: list[ConsentGiver], givers, decisions) -> dict:
    """Who withdrew what, for the family's history."""
    names = {g.pk: str(g) for g in own}
    changes = {}
    for giver in givers:
        withdrawn = sorted({ConsentItem(d.item).label for d in decisions if _same_person(d.giver, giver)})
        if withdrawn:
            changes[names.get(giver.pk, str(giver))] = [None, "withdrew: " + ", ".join(withdrawn)]
    return changes


def _unmark_training_clips(referral: Referral, givers: list[ConsentGiver]) -> int:
    """Clips of this family marked for training in which someone who has just withdrawn consent to training use
    was filmed: no longer marked, so nobody picks them for a training session from an out-of-date mark. The
    withdrawal's history entry says how many (the clips themselves are kept: they are the family's work)."""
    parents = [g.parent_id for g in givers if g.parent_id]
    children = [g.other_child_id for g in givers if g.other_child_id]
    if not parents and not children:
        return 0
    filmed = Q(filming__filmed_parents__in=parents) | Q(filming__filmed_children__in=children)
    ids = set(
        Clip.objects.filter(filmed, filming__cycle__referral=referral, marked_for_training=True).values_list(
            "pk", flat=True
        )
    )
    return Clip.objects.filter(pk__in=ids).update(marked_for_training=False)


def _same_person(a: ConsentGiver, b: ConsentGiver) -> bool:
    return (a.parent_id and a.parent_id == b.parent_id) or (a.other_child_id and a.other_child_id == b.other_child_id)
