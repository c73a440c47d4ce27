"""Allocation: giving a family to a practitioner, moving it, and taking it back; and practitioner details, whose
supervisor change moves supervision of the trainee's current families."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import actions as account_actions
from accounts.models import Membership, Role, User
from accounts.permissions import Perm, requires
from core.text import check_text

from ..history import record_change
from ..models import Allocation, Referral
from ..states import ReferralStatus, TransitionRefused, check_transition
from .common import lock_referral


def _practitioner_membership(referral: Referral, practitioner: User) -> Membership:
    membership = (
        Membership.objects.active()
        .filter(user=practitioner, service_id=referral.service_id, role=Role.PRACTITIONER)
        .select_related("practitioner_details", "practitioner_details__supervisor")
        .first()
    )
    if membership is None:
        raise ValidationError({"practitioner": "Choose a practitioner of this service"})
    return membership


def _check_practitioner_can_take(referral: Referral, membership: Membership, reason: str) -> User | None:
    """Trainees need a supervisor; past capacity or during a pause needs a written reason. Returns the supervisor."""
    from referrals.reads.caseloads import candidate, practitioners_in

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


def _end_allocation(referral: Referral, *, by: User, reason: str) -> Allocation:
    check_text(reason, field="reason", label="Reason")
    current = referral.allocations.select_for_update().filter(ended_at__isnull=True).first()
    if current is None:
        raise TransitionRefused("This referral has no current allocation. Reload the page.")
    current.ended_at, current.ended_by, current.end_reason = timezone.now(), by, reason
    current.save(update_fields=["ended_at", "ended_by", "end_reason"])
    return current


@transaction.atomic
@requires(Perm.REFERRAL_ALLOCATE, on="referral")
def allocate_referral(
    *, referral: Referral, practitioner: User, by: User, over_capacity_reason: str = "", request=None
) -> Allocation:
    """Give an accepted referral to a practitioner. Of two coordinators allocating at once, one wins."""
    referral = lock_referral(referral)
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
    record_change(
        referral=referral,
        by=by,
        kind="allocated",
        summary=f"Allocated to {practitioner}",
        changes=changes,
        request=request,
        detail={"allocated": True},
    )
    return allocation


@transaction.atomic
@requires(Perm.REFERRAL_ALLOCATE, on="referral")
def reallocate_referral(
    *, referral: Referral, practitioner: User, reason: str, by: User, over_capacity_reason: str = "", request=None
) -> Allocation:
    """A practitioner leaves or the family moves: end the current allocation with a reason and start a new one."""
    referral = lock_referral(referral)
    if referral.status != ReferralStatus.ALLOCATED:
        raise TransitionRefused("Only an allocated referral can be reallocated. Reload the page.")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the referral is being reallocated"})
    previous = _end_allocation(referral, by=by, reason=reason.strip())
    if previous.practitioner_id == practitioner.pk:
        raise ValidationError({"practitioner": "Choose a different practitioner"})
    allocation = _start_allocation(referral, practitioner, by=by, reason=over_capacity_reason)
    record_change(
        referral=referral,
        by=by,
        kind="reallocated",
        summary=f"Reallocated to {practitioner}",
        changes={"practitioner": [str(previous.practitioner), str(practitioner)], "reason": [None, reason.strip()]},
        request=request,
        detail={"reallocated": True},
    )
    return allocation


@transaction.atomic
@requires(Perm.REFERRAL_ALLOCATE, on="referral")
def unallocate_referral(*, referral: Referral, reason: str, by: User, request=None) -> Referral:
    """Back to the waiting list (allocated → accepted), keeping the ended allocation in the history."""
    referral = lock_referral(referral)
    new_status = check_transition(referral.status, "unallocate")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the referral is being unallocated"})
    previous = _end_allocation(referral, by=by, reason=reason.strip())
    referral.status = new_status
    referral.save(update_fields=["status", "updated_at"])
    record_change(
        referral=referral,
        by=by,
        kind="unallocated",
        summary=f"Unallocated from {previous.practitioner}",
        changes={"reason": [None, reason.strip()]},
        request=request,
        detail={"unallocated": True},
    )
    return referral


@transaction.atomic
@requires(Perm.PRACTITIONER_MANAGE, on="membership")
def change_practitioner_details(*, membership: Membership, by: User, request=None, **fields):
    """Capacity, protected days, supervisor, stage and pauses, and a trainee's new supervisor takes over
    supervision of their current families.

    The details themselves are staff data (`accounts.actions.update_practitioner_details`); moving supervision of
    allocations is referral data, so it happens here: `accounts` never writes another app's records (ADR 0007).
    """
    details = account_actions.update_practitioner_details(membership=membership, by=by, request=request, **fields)
    if membership.is_trainee:
        Allocation.objects.filter(
            practitioner_id=membership.user_id, referral__service_id=membership.service_id, ended_at__isnull=True
        ).update(supervisor=details.supervisor)
    return details
