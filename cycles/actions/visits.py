"""Visits (any contact with the family), liaison with the referrer, and drafts of half-written visit records.

A visit is booked ahead with a planned time, then recorded with its outcome. The visit belongs to the family's
allocated practitioner; only they (Perm.CASEWORK_RECORD, own cases) book, record, reschedule or cancel it. Drafts
are per person: a draft is never shown to anyone but the person who wrote it.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction, User
from accounts.permissions import Perm, requires
from core.prepared import prepared
from core.refusals import ActionRefused
from core.text import check_text_fields
from cycles.dates import BACKDATED_HISTORY_LABEL, not_before_allocation, within_booking_horizon
from referrals.actions import lock_referral
from referrals.history import added, diff, plain, record_change
from referrals.models import Referral
from referrals.states import ReferralStatus

from ..models import ActivityKind, Draft, Liaison, LiaisonMethod, Visit, VisitActivity, VisitOutcome, VisitPlace

NOT_ATTENDED = {VisitOutcome.DID_NOT_ATTEND, VisitOutcome.CANCELLED_BY_FAMILY, VisitOutcome.CANCELLED_BY_SERVICE}
MAX_DURATION_MINUTES = 600


def _allocated_practitioner(referral: Referral) -> User:
    allocation = referral.active_allocation
    if referral.status != ReferralStatus.ALLOCATED or allocation is None:
        raise ActionRefused("This family is not allocated to a practitioner: visits are booked once it is.")
    return allocation.practitioner


def _check_activities(activities) -> list[str]:
    kinds = list(dict.fromkeys(activities or []))
    unknown = [k for k in kinds if k not in ActivityKind.values]
    if unknown:
        raise ValidationError({"activities": f"Not a kind of activity: {', '.join(map(str, unknown))}"})
    return kinds


def _check_place(place: str, place_details: str) -> None:
    if place not in VisitPlace.values:
        raise ValidationError({"place": "Choose where the visit takes place"})
    if place == VisitPlace.OTHER and not place_details.strip():
        raise ValidationError({"place_details": "Say where the visit takes place"})


def _when(value: datetime) -> str:
    return f"{timezone.localtime(value):%-d %B %Y %H:%M}"


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="referral")
def book_visit(
    *,
    referral: Referral,
    planned_at: datetime,
    place: str,
    place_details: str = "",
    activities: list[str] | None = None,
    backdated_reason: str = "",
    by: User,
    request=None,
) -> Visit:
    """Book a visit with the family: its planned time, where, and what it is for (one or several activities).

    The visit's practitioner is the family's allocated practitioner, so it shows in their diary. Its date is within
    the service's booking horizon, and not before the family's allocation without `backdated_reason` (`cycles.dates`).
    """
    referral = lock_referral(referral, details=True)
    practitioner = _allocated_practitioner(referral)
    backdated_reason = _check_planned_at(referral, planned_at, backdated_reason)
    _check_place(place, place_details)
    kinds = _check_activities(activities)
    visit = Visit(
        referral=referral,
        practitioner=practitioner,
        planned_at=planned_at,
        place=place,
        place_details=place_details.strip(),
        backdated_reason=backdated_reason,
        created_by=by,
    )
    check_text_fields(visit)
    visit.save()
    VisitActivity.objects.bulk_create([VisitActivity(visit=visit, kind=kind) for kind in kinds])
    record_change(
        referral=referral,
        by=by,
        kind="visit_booked",
        summary=f"Visit booked for {_when(planned_at)}",
        changes=added(
            {
                "planned at": _when(planned_at),
                "place": VisitPlace(place).label,
                "place details": visit.place_details,
                "activities": ", ".join(ActivityKind(k).label for k in kinds),
                BACKDATED_HISTORY_LABEL: backdated_reason,
            }
        ),
        request=request,
        obj=visit,
        access=AccessAction.CREATE,
    )
    return visit


def _check_planned_at(referral: Referral, planned_at: datetime, backdated_reason: str) -> str:
    """Within the service's booking horizon, and not before the allocation without a reason; returns the reason."""
    if planned_at is None:
        raise ValidationError({"planned_at": "Enter the planned date and time"})
    within_booking_horizon(referral.service, planned_at)
    return not_before_allocation(
        referral,
        timezone.localdate(planned_at),
        field="planned_at",
        label="The planned date",
        backdated_reason=backdated_reason,
    )


def _locked_visit(visit: Visit) -> Visit:
    """The visit under a row lock; one entered in error is not recorded, moved or drafted any more. Called inside
    the action's transaction (every caller is `transaction.atomic`), where the lock lasts until it commits."""
    found = _visit_for_update(visit.pk)
    if not found:
        raise Visit.DoesNotExist
    locked = found[0]
    if locked.entered_in_error:
        raise ActionRefused("This visit was entered in error: book the right visit instead.")
    return locked


@prepared()
def _visit_for_update(visit_id):
    """The visit and its family, their rows locked (`SELECT … FOR UPDATE`), compiled once per process (`core.prepared`):
    recording a visit is the practitioners' busiest write."""
    return Visit.objects.select_for_update().select_related("referral").filter(pk=visit_id)


@prepared()
def _activities_of(visit_id):
    """The visit's activities (compiled once per process, as `_visit_for_update`)."""
    return VisitActivity.objects.filter(visit_id=visit_id).order_by("pk")


def _check_planned(visit: Visit) -> None:
    if visit.outcome:
        raise ActionRefused(f"This visit was already recorded ({visit.get_outcome_display().lower()}).")


def _check_outcome(visit: Visit, outcome: str, outcome_reason: str, duration_minutes, now: datetime) -> None:
    if outcome not in VisitOutcome.values:
        raise ValidationError({"outcome": "Choose what happened"})
    if outcome in NOT_ATTENDED and not outcome_reason.strip():
        raise ValidationError({"outcome_reason": f"Enter why: {VisitOutcome(outcome).label.lower()}"})
    happened = outcome in (VisitOutcome.ATTENDED, VisitOutcome.DID_NOT_ATTEND)
    if happened and visit.planned_at > now:
        raise ValidationError(
            {
                "outcome": f"This visit is planned for {_when(visit.planned_at)}, in the future: record it as "
                f"{VisitOutcome(outcome).label.lower()} once it has happened, or reschedule it"
            }
        )
    if outcome == VisitOutcome.ATTENDED and not duration_minutes:
        raise ValidationError({"duration_minutes": "Enter how long the visit lasted, in minutes"})
    if duration_minutes is not None and not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise ValidationError({"duration_minutes": f"Enter a duration from 1 to {MAX_DURATION_MINUTES} minutes"})


def _set_activities(visit: Visit, kinds: list[str]) -> None:
    """Make the visit's activities these kinds; an activity already linked to a cycle is kept."""
    existing = _activities_of(visit.pk)
    dropped = [a.pk for a in existing if a.kind not in kinds and a.cycle_id is None]
    if dropped:
        VisitActivity.objects.filter(pk__in=dropped).delete()
    have = {a.kind for a in existing}
    VisitActivity.objects.bulk_create([VisitActivity(visit=visit, kind=k) for k in kinds if k not in have])


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="visit.referral")
def record_visit(
    *,
    visit: Visit,
    outcome: str,
    outcome_reason: str = "",
    duration_minutes: int | None = None,
    present: str = "",
    notes: str = "",
    activities: list[str] | None = None,
    by: User,
    request=None,
) -> Visit:
    """Record what happened: attended (with its duration, not before it happened), or did not attend, or cancelled
    by the family or the service, each with the reason. Recording for real discards any draft of it."""
    visit = _locked_visit(visit)
    _check_planned(visit)
    now = timezone.now()
    _check_outcome(visit, outcome, outcome_reason, duration_minutes, now)
    kinds = _check_activities(activities) if activities is not None else None
    before = _visit_values(visit)
    visit.outcome, visit.outcome_reason = outcome, outcome_reason.strip()
    visit.duration_minutes = duration_minutes if outcome == VisitOutcome.ATTENDED else None
    visit.present, visit.notes, visit.recorded_at = present.strip(), notes.strip(), now
    check_text_fields(visit)
    visit.save()
    if kinds is not None:
        _set_activities(visit, kinds)
    Draft.objects.filter(key=draft_key(visit)).delete()
    record_change(
        referral=visit.referral,
        by=by,
        kind="visit_recorded",
        summary=f"Visit of {_when(visit.planned_at)} recorded: {visit.get_outcome_display().lower()}",
        changes=diff(before, _visit_values(visit)),
        request=request,
        obj=visit,
    )
    return visit


def _visit_values(visit: Visit) -> dict:
    return {
        "planned at": _when(visit.planned_at),
        "outcome": visit.get_outcome_display() if visit.outcome else None,
        "reason": visit.outcome_reason or None,
        "duration (minutes)": visit.duration_minutes,
        "present": visit.present or None,
        "notes": visit.notes or None,
    }


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="visit.referral")
def cancel_visit(*, visit: Visit, cancelled_by: str, reason: str, by: User, request=None) -> Visit:
    """Cancel a planned visit, by the family or by the service, with the reason (a recorded outcome)."""
    outcome = {"family": VisitOutcome.CANCELLED_BY_FAMILY, "service": VisitOutcome.CANCELLED_BY_SERVICE}.get(
        cancelled_by
    )
    if outcome is None:
        raise ValidationError({"cancelled_by": "Choose who cancelled: the family or the service"})
    return record_visit(visit=visit, outcome=outcome, outcome_reason=reason, by=by, request=request)


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="visit.referral")
def reschedule_visit(
    *, visit: Visit, planned_at: datetime, reason: str = "", backdated_reason: str = "", by: User, request=None
) -> Visit:
    """Move a planned visit to another time. It moves to the family's allocated practitioner's diary. The new time
    follows the booking rules (`cycles.dates`)."""
    visit = _locked_visit(visit)
    referral = lock_referral(visit.referral, details=True)
    _check_planned(visit)
    practitioner = _allocated_practitioner(referral)
    backdated_reason = _check_planned_at(referral, planned_at, backdated_reason)
    old = visit.planned_at
    visit.planned_at, visit.practitioner, visit.backdated_reason = planned_at, practitioner, backdated_reason
    visit.save(update_fields=["planned_at", "practitioner", "backdated_reason"])
    record_change(
        referral=referral,
        by=by,
        kind="visit_rescheduled",
        summary=f"Visit of {_when(old)} moved to {_when(planned_at)}",
        changes={
            "planned at": [_when(old), _when(planned_at)],
            **added({"reason": reason.strip(), BACKDATED_HISTORY_LABEL: backdated_reason}),
        },
        request=request,
        obj=visit,
    )
    return visit


# ---------------------------------------------------------------------------------------------------------------
# Liaison with the referrer
# ---------------------------------------------------------------------------------------------------------------


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="referral")
def record_liaison(
    *, referral: Referral, contacted_on: date, method: str, summary: str, by: User, request=None
) -> Liaison:
    """Record contact with the referrer after allocation: when, how, and what was said."""
    referral = lock_referral(referral, details=True)
    _allocated_practitioner(referral)
    if method not in LiaisonMethod.values:
        raise ValidationError({"method": "Choose how you contacted the referrer"})
    if contacted_on > timezone.localdate():
        raise ValidationError({"contacted_on": "The date of contact cannot be in the future"})
    if contacted_on < referral.date_received:
        raise ValidationError({"contacted_on": "The date of contact cannot be before the referral was received"})
    if not summary.strip():
        raise ValidationError({"summary": "Enter a summary of the contact"})
    liaison = Liaison(
        referral=referral, contacted_on=contacted_on, method=method, summary=summary.strip(), recorded_by=by
    )
    check_text_fields(liaison)
    liaison.save()
    record_change(
        referral=referral,
        by=by,
        kind="liaison_recorded",
        summary="Liaison with the referrer recorded",
        changes=added({"contacted on": plain(contacted_on), "method": LiaisonMethod(method).label, "summary": summary}),
        request=request,
        obj=liaison,
        access=AccessAction.CREATE,
    )
    return liaison


# ---------------------------------------------------------------------------------------------------------------
# Drafts
# ---------------------------------------------------------------------------------------------------------------


def draft_key(visit: Visit) -> str:
    return f"visit-record:{visit.pk}"


@transaction.atomic
@requires(Perm.CASEWORK_RECORD, on="visit.referral")
def save_draft(*, visit: Visit, data: dict, by: User, request=None) -> Draft:
    """Keep a half-written visit record for its writer only, so a sign-out or a closed laptop loses nothing.

    Not a change to the family's record (no history entry), but written to the access log. Only the allocated
    practitioner may keep one, and only of a visit not yet recorded.
    """
    visit = _locked_visit(visit)
    _check_planned(visit)
    draft, _ = Draft.objects.update_or_create(
        user=by, key=draft_key(visit), defaults={"data": data, "saved_at": timezone.now()}
    )
    log_access(action=AccessAction.UPDATE, request=request, user=by, obj=visit, detail={"draft": "saved"})
    return draft


@transaction.atomic
def discard_draft(*, visit: Visit, by: User, request=None) -> None:
    """Throw away your own draft of a visit record."""
    deleted, _ = Draft.objects.filter(user=by, key=draft_key(visit)).delete()
    if deleted:
        log_access(action=AccessAction.UPDATE, request=request, user=by, obj=visit, detail={"draft": "discarded"})
