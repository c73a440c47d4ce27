"""Every write to a referral. Keyword-only, the acting user passed in, one transaction, history and access log.

Status changes go through `referrals.states.check_transition` on a row locked with SELECT … FOR UPDATE, so two
coordinators deciding at the same moment cannot both succeed.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction, Service, User
from vig_service import postcodes
from vig_service.permissions import Perm, has_permission
from vig_service.text import check_text, check_text_fields

from . import eligibility, nhs_number
from .models import (
    REFERRAL_FIELDS,
    Allocation,
    OtherChild,
    Parent,
    Referral,
    ReferralEvent,
    TriageDecision,
    TriageDecisionKind,
)
from .states import ReferralStatus, TransitionRefused, check_transition
from .validation import birth_date_errors, validate_referral_dates

PARENT_FIELDS = [
    "name",
    "relationship",
    "date_of_birth",
    "nhs_number",
    "address",
    "postcode",
    "phone",
    "preferred_language",
    "interpreter_needed",
    "communication_format",
    "communication_support",
    "ethnic_category",
]
OTHER_CHILD_FIELDS = ["name", "date_of_birth", "consent_to_filming"]


class DuplicateSuspected(Exception):
    """The family may already have an open referral in this service; `referrals` lists them."""

    def __init__(self, referrals: list[Referral]):
        super().__init__("This family may already have an open referral in this service.")
        self.referrals = referrals


def _check(user: User, perm: Perm, obj) -> None:
    if not has_permission(user, perm, obj=obj):
        raise PermissionDenied


def _locked(referral: Referral) -> Referral:
    """Re-read the referral under a row lock: the status we check is the status we change."""
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _event(referral: Referral, *, by: User, kind: str, summary: str, changes: dict | None = None) -> ReferralEvent:
    return ReferralEvent.objects.create(referral=referral, actor=by, kind=kind, summary=summary, changes=changes or {})


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def _snapshot(referral: Referral) -> dict:
    data = {name: _plain(getattr(referral, name)) for name in REFERRAL_FIELDS}
    for parent in referral.parents.all():
        for name in PARENT_FIELDS:
            data[f"parent {parent.order}: {name}"] = _plain(getattr(parent, name))
    for index, child in enumerate(referral.other_children.all(), start=1):
        for name in OTHER_CHILD_FIELDS:
            data[f"other child {index}: {name}"] = _plain(getattr(child, name))
    return data


def _diff(before: dict, after: dict) -> dict:
    keys = list(dict.fromkeys([*before, *after]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _valid_number(value: str, field: str) -> str:
    try:
        return nhs_number.validate(value) if value else ""
    except nhs_number.InvalidNHSNumber as error:
        raise ValidationError({field: str(error)}) from error


def _normalise_identifiers(data: dict, parents: list[dict]) -> None:
    if "child_nhs_number" in data:
        data["child_nhs_number"] = _valid_number(data["child_nhs_number"], "child_nhs_number")
    for parent in parents:
        parent["nhs_number"] = _valid_number(parent.get("nhs_number", ""), "parent_nhs_number")
        parent["postcode"] = postcodes.normalise(str(parent.get("postcode", "")))


def _validate(referral: Referral, parents: list[dict]) -> None:
    if referral.site.service_id != referral.service_id:
        raise ValidationError({"site": "Choose a site of this service"})
    if referral.referral_source.service_id != referral.service_id:
        raise ValidationError({"referral_source": "Choose a referral source of this service"})
    if not parents:
        raise ValidationError({"parents": "Enter at least one parent or carer"})
    validate_referral_dates(
        date_received=referral.date_received,
        child_unborn=referral.child_unborn,
        child_date_of_birth=referral.child_date_of_birth,
        expected_delivery_date=referral.expected_delivery_date,
        parent_dates_of_birth=[p.get("date_of_birth") for p in parents],
    )


def _check_text(referral: Referral, parents: list[dict], other_children: list[dict]) -> None:
    """Lengths and refused characters as the model fields define them, for callers that skip the forms and API.

    Errors are keyed like the page form's fields (`parent1_name`, `older_child1_name`).
    """
    people = [Parent(**{k: v for k, v in p.items() if k in PARENT_FIELDS}) for p in parents]
    children = [OtherChild(**{k: v for k, v in c.items() if k in OTHER_CHILD_FIELDS}) for c in other_children]
    check_text_fields(
        referral,
        *people,
        *children,
        prefixes=(
            "",
            *(f"parent{i}_" for i in range(1, len(people) + 1)),
            *(f"older_child{i}_" for i in range(1, len(children) + 1)),
        ),
    )


def _save_people(referral: Referral, parents: list[dict], other_children: list[dict]) -> None:
    referral.parents.all().delete()
    referral.other_children.all().delete()
    Parent.objects.bulk_create(
        Parent(referral=referral, order=order, **{k: v for k, v in p.items() if k in PARENT_FIELDS})
        for order, p in enumerate(parents, start=1)
    )
    OtherChild.objects.bulk_create(
        OtherChild(referral=referral, **{k: v for k, v in c.items() if k in OTHER_CHILD_FIELDS}) for c in other_children
    )


def _apply_eligibility(referral: Referral, parents: list[dict]) -> None:
    result = eligibility.evaluate(referral, postcode=parents[0].get("postcode", "") if parents else "")
    referral.eligible = result.eligible
    referral.eligibility_reasons = result.as_list()
    referral.eligibility_checked_at = timezone.now()


def possible_duplicates(
    *, service: Service, nhs_numbers: list[str], parent_names_and_dobs: list[tuple[str, date]], exclude_pk=None
):
    """Open referrals in the same service with a shared NHS number, or a parent with the same name and birth date.

    Never looks outside `service`, so another service's families are never revealed.
    """
    match = Q(pk__in=[])
    numbers = [n for n in nhs_numbers if n]
    if numbers:
        match |= Q(child_nhs_number__in=numbers) | Q(parents__nhs_number__in=numbers)
    for name, dob in parent_names_and_dobs:
        if name and dob:
            match |= Q(parents__name__iexact=name.strip(), parents__date_of_birth=dob)
    found = Referral.objects.filter(service=service).open().filter(match)
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    return found.distinct().with_list_details()


@transaction.atomic
def create_referral(
    *,
    service: Service,
    data: dict,
    parents: list[dict],
    other_children: list[dict] = (),
    by: User,
    confirmed_not_duplicate: bool = False,
    request=None,
) -> Referral:
    """Record a new referral; its eligibility is computed now and kept as computed then.

    Unless the coordinator has confirmed it is not a duplicate, an open referral of the same family in the same
    service stops the save (DuplicateSuspected). The check runs under a lock on the service's row, so two people
    recording the same family at the same moment cannot both save it unawares.
    """
    data, parents = dict(data), [dict(p) for p in parents]
    _normalise_identifiers(data, parents)
    referral = Referral(service=service, created_by=by, **{k: v for k, v in data.items() if k in REFERRAL_FIELDS})
    _check(by, Perm.REFERRAL_CREATE, referral)
    _validate(referral, parents)
    _check_text(referral, parents, list(other_children))
    if not confirmed_not_duplicate:
        Service.objects.select_for_update().filter(pk=service.pk).first()
        duplicates = list(
            possible_duplicates(
                service=service,
                nhs_numbers=[p["nhs_number"] for p in parents] + [data.get("child_nhs_number", "")],
                parent_names_and_dobs=[(p["name"], p.get("date_of_birth")) for p in parents],
            )
        )
        if duplicates:
            raise DuplicateSuspected(duplicates)
    _apply_eligibility(referral, parents)
    referral.save()
    _save_people(referral, parents, list(other_children))
    _event(referral, by=by, kind="created", summary="Referral recorded", changes=_diff({}, _snapshot(referral)))
    log_access(action=AccessAction.CREATE, request=request, user=by, obj=referral)
    return referral


@transaction.atomic
def update_referral(
    *, referral: Referral, data: dict, parents: list[dict], other_children: list[dict] = (), by: User, request=None
) -> Referral:
    """Correct or complete a referral. An update to one awaiting information returns it to the triage queue."""
    referral = _locked(referral)
    _check(by, Perm.REFERRAL_UPDATE, referral)
    if not referral.is_open:
        raise TransitionRefused(f"This referral is {referral.get_status_display().lower()} and can no longer change.")
    data, parents = dict(data), [dict(p) for p in parents]
    _normalise_identifiers(data, parents)
    before = _snapshot(referral)
    for name, value in data.items():
        if name in REFERRAL_FIELDS:
            setattr(referral, name, value)
    _validate(referral, parents)
    _check_text(referral, parents, list(other_children))
    _apply_eligibility(referral, parents)
    referral.save()
    _save_people(referral, parents, list(other_children))
    changes = _diff(before, _snapshot(referral))
    _event(referral, by=by, kind="updated", summary=f"Referral updated ({len(changes)} changes)", changes=changes)
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=referral)
    if referral.status == ReferralStatus.AWAITING_INFORMATION:
        referral = _return_to_queue(referral, by=by, note="Referral updated with the information requested")
    return referral


def _return_to_queue(referral: Referral, *, by: User, note: str) -> Referral:
    referral.status = check_transition(referral.status, "information_received")
    referral.days_awaiting_information = referral.total_days_awaiting_information()
    referral.awaiting_information_since = None
    referral.save(update_fields=["status", "days_awaiting_information", "awaiting_information_since", "updated_at"])
    _event(
        referral,
        by=by,
        kind="information_received",
        summary="Information received: back in the triage queue",
        changes={"note": [None, note]},
    )
    return referral


@transaction.atomic
def record_information_received(*, referral: Referral, note: str, by: User, request=None) -> Referral:
    """The missing information arrived (by phone, say) without other changes: back to the queue."""
    referral = _locked(referral)
    _check(by, Perm.REFERRAL_TRIAGE, referral)
    check_text(note, field="note", label="What was received")
    referral = _return_to_queue(referral, by=by, note=note)
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=referral)
    return referral


@transaction.atomic
def triage_referral(
    *,
    referral: Referral,
    decision: str,
    by: User,
    reason: str = "",
    missing_information: str = "",
    override_reason: str = "",
    request=None,
) -> TriageDecision:
    """Accept onto the waiting list, decline with a reason, or ask for what is missing.

    Accepting a referral the rules found ineligible needs a written override reason.
    """
    referral = _locked(referral)
    _check(by, Perm.REFERRAL_TRIAGE, referral)
    new_status = check_transition(referral.status, decision)
    reason, missing_information, override_reason = reason.strip(), missing_information.strip(), override_reason.strip()
    if decision == TriageDecisionKind.DECLINE and not reason:
        raise ValidationError({"reason": "Enter why the referral is declined"})
    if decision == TriageDecisionKind.REQUEST_INFORMATION and not missing_information:
        raise ValidationError({"missing_information": "Enter what information is missing"})
    if decision == TriageDecisionKind.ACCEPT and referral.eligible is False and not override_reason:
        raise ValidationError(
            {"override_reason": "This referral does not meet the service's criteria: enter why you accept it"}
        )
    triage = TriageDecision(
        referral=referral,
        decision=decision,
        reason=reason,
        missing_information=missing_information,
        override_reason=override_reason if decision == TriageDecisionKind.ACCEPT else "",
        eligible_when_decided=referral.eligible,
        decided_by=by,
    )
    check_text_fields(triage)
    triage.save()
    now = timezone.now()
    referral.status = new_status
    referral.triaged_at = referral.triaged_at or now
    if decision == TriageDecisionKind.REQUEST_INFORMATION:
        referral.awaiting_information_since = timezone.localdate()
    if decision == TriageDecisionKind.DECLINE:
        referral.closed_at, referral.closed_reason = now, reason
    referral.save()
    details = {"reason": reason, "missing information": missing_information, "override reason": override_reason}
    _event(
        referral,
        by=by,
        kind=f"triage_{decision}",
        summary=triage.get_decision_display(),
        changes={k: [None, v] for k, v in details.items() if v},
    )
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=referral, detail={"triage": decision})
    return triage


@transaction.atomic
def withdraw_referral(*, referral: Referral, reason: str, by: User, request=None) -> Referral:
    """The family or referrer withdrew: close the referral (and end any allocation) with the reason."""
    referral = _locked(referral)
    _check(by, Perm.REFERRAL_WITHDRAW, referral)
    new_status = check_transition(referral.status, "withdraw")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the referral is withdrawn"})
    check_text(reason, field="reason", label="Reason")
    now = timezone.now()
    referral.allocations.filter(ended_at__isnull=True).update(ended_at=now, ended_by=by, end_reason="Withdrawn")
    if referral.awaiting_information_since:
        referral.days_awaiting_information = referral.total_days_awaiting_information()
        referral.awaiting_information_since = None
    referral.status, referral.closed_at, referral.closed_reason = new_status, now, reason.strip()
    referral.save()
    _event(referral, by=by, kind="withdrawn", summary="Referral withdrawn", changes={"reason": [None, reason.strip()]})
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=referral, detail={"withdrawn": True})
    return referral


@transaction.atomic
def record_birth(
    *, referral: Referral, date_of_birth: date, name: str = "", child_nhs_number: str = "", by: User, request=None
) -> Referral:
    """The unborn baby has arrived: record the birth without re-entering the referral."""
    referral = _locked(referral)
    _check(by, Perm.REFERRAL_UPDATE, referral)
    if not referral.child_unborn:
        raise TransitionRefused("The birth has already been recorded on this referral.")
    error = birth_date_errors(date_of_birth=date_of_birth, referral_date_received=referral.date_received)
    if error:
        raise ValidationError({"date_of_birth": error})
    number = _valid_number(child_nhs_number, "child_nhs_number")
    check_text(name, field="name", label="Child's name", max_length=200, multiline=False)
    before = _snapshot(referral)
    referral.child_unborn, referral.child_date_of_birth = False, date_of_birth
    referral.child_name, referral.child_nhs_number = name.strip(), number
    referral.birth_recorded_at = timezone.now()
    referral.save()
    _event(referral, by=by, kind="birth_recorded", summary="Birth recorded", changes=_diff(before, _snapshot(referral)))
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=referral, detail={"birth_recorded": True})
    return referral


def _practitioner_membership(referral: Referral, practitioner: User):
    from accounts.models import Membership, Role

    membership = (
        Membership.objects.active()
        .filter(user=practitioner, service_id=referral.service_id, role=Role.PRACTITIONER)
        .select_related("practitioner_details", "practitioner_details__supervisor")
        .first()
    )
    if membership is None:
        raise ValidationError({"practitioner": "Choose a practitioner of this service"})
    return membership


def _check_practitioner_can_take(referral: Referral, membership, reason: str) -> User | None:
    """Trainees need a supervisor; past capacity or during a pause needs a written reason. Returns the supervisor."""
    from .caseloads import candidate, practitioners_in

    counted = next(m for m in practitioners_in([referral.service_id]) if m.pk == membership.pk)
    who = candidate(counted, referral.site_id, timezone.localdate())
    if not who.can_be_allocated:
        raise ValidationError(
            {"practitioner": f"{who.user} is a trainee with no named supervisor: set their supervisor first"}
        )
    if not reason.strip():
        if not who.has_spare_capacity:
            raise ValidationError(
                {
                    "over_capacity_reason": f"{who.user} has {who.open_cases} of {who.capacity} families: "
                    "enter why you are allocating past their capacity"
                }
            )
        if who.paused:
            raise ValidationError(
                {"over_capacity_reason": f"{who.user}'s availability is paused: enter why you are allocating now"}
            )
    return who.supervisor if who.is_trainee else None


def _start_allocation(referral: Referral, practitioner: User, *, by: User, reason: str) -> Allocation:
    from django.db import IntegrityError

    check_text(reason, field="over_capacity_reason", label="Reason for allocating past capacity or during a pause")
    membership = _practitioner_membership(referral, practitioner)
    supervisor = _check_practitioner_can_take(referral, membership, reason)
    try:
        with transaction.atomic():
            return Allocation.objects.create(
                referral=referral,
                practitioner=practitioner,
                supervisor=supervisor,
                allocated_by=by,
                over_capacity_reason=reason.strip(),
            )
    except IntegrityError as error:  # the database's one-active-allocation rule, should the lock ever be bypassed
        raise TransitionRefused("This referral was just allocated by someone else. Reload the page.") from error


@transaction.atomic
def allocate_referral(
    *, referral: Referral, practitioner: User, by: User, over_capacity_reason: str = "", request=None
) -> Allocation:
    """Give an accepted referral to a practitioner. Of two coordinators allocating at once, one wins."""
    referral = _locked(referral)
    _check(by, Perm.REFERRAL_ALLOCATE, referral)
    if referral.status == ReferralStatus.ALLOCATED:
        current = referral.allocations.filter(ended_at__isnull=True).select_related("practitioner").first()
        raise TransitionRefused(
            f"This referral was just allocated to {current.practitioner if current else 'someone else'}. "
            "Reload the page to see it."
        )
    new_status = check_transition(referral.status, "allocate")
    allocation = _start_allocation(referral, practitioner, by=by, reason=over_capacity_reason)
    referral.status = new_status
    referral.save(update_fields=["status", "updated_at"])
    changes = {"practitioner": [None, str(practitioner)]}
    if allocation.over_capacity_reason:
        changes["reason"] = [None, allocation.over_capacity_reason]
    _event(referral, by=by, kind="allocated", summary=f"Allocated to {practitioner}", changes=changes)
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=referral, detail={"allocated": True})
    return allocation


def _end_allocation(referral: Referral, *, by: User, reason: str) -> Allocation:
    check_text(reason, field="reason", label="Reason")
    current = referral.allocations.select_for_update().filter(ended_at__isnull=True).first()
    if current is None:
        raise TransitionRefused("This referral has no current allocation. Reload the page.")
    current.ended_at, current.ended_by, current.end_reason = timezone.now(), by, reason
    current.save(update_fields=["ended_at", "ended_by", "end_reason"])
    return current


@transaction.atomic
def reallocate_referral(
    *, referral: Referral, practitioner: User, reason: str, by: User, over_capacity_reason: str = "", request=None
) -> Allocation:
    """A practitioner leaves or the family moves: end the current allocation with a reason and start a new one."""
    referral = _locked(referral)
    _check(by, Perm.REFERRAL_ALLOCATE, referral)
    if referral.status != ReferralStatus.ALLOCATED:
        raise TransitionRefused("Only an allocated referral can be reallocated. Reload the page.")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the referral is being reallocated"})
    previous = _end_allocation(referral, by=by, reason=reason.strip())
    if previous.practitioner_id == practitioner.pk:
        raise ValidationError({"practitioner": "Choose a different practitioner"})
    allocation = _start_allocation(referral, practitioner, by=by, reason=over_capacity_reason)
    _event(
        referral,
        by=by,
        kind="reallocated",
        summary=f"Reallocated to {practitioner}",
        changes={"practitioner": [str(previous.practitioner), str(practitioner)], "reason": [None, reason.strip()]},
    )
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=referral, detail={"reallocated": True})
    return allocation


@transaction.atomic
def unallocate_referral(*, referral: Referral, reason: str, by: User, request=None) -> Referral:
    """Back to the waiting list (allocated → accepted), keeping the ended allocation in the history."""
    referral = _locked(referral)
    _check(by, Perm.REFERRAL_ALLOCATE, referral)
    new_status = check_transition(referral.status, "unallocate")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the referral is being unallocated"})
    previous = _end_allocation(referral, by=by, reason=reason.strip())
    referral.status = new_status
    referral.save(update_fields=["status", "updated_at"])
    _event(
        referral,
        by=by,
        kind="unallocated",
        summary=f"Unallocated from {previous.practitioner}",
        changes={"reason": [None, reason.strip()]},
    )
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=referral, detail={"unallocated": True})
    return referral
