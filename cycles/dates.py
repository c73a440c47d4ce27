"""Dates that cannot be true, refused in one place so the pages and the API agree (issue 18, item 6).

The actions call these rules; views never check dates themselves.

- **Casework is not dated before the family's first allocation** (consent, helping-question ratings, visits, filming,
  shared reviews, outcome measures): the work starts when a practitioner holds the family. A date before it is
  refused beside its field, naming the allocation date, unless the record says why (`backdated_reason`, kept on the
  record and in the family's history): a practitioner sometimes does work before the allocation is entered.
  Discharge is never before the allocation, reason or not.
- **Visits are booked within the service's horizon** (`CyclePolicy.booking_horizon_days`, default a year), so a
  mistyped year (9999) cannot sit in a diary or a wait figure for ever.
- **Only people already born on the filming date are filmed**: the referred baby (an unborn baby cannot be filmed;
  record the birth first), the filmed parents and older children.
- **A filming or shared review links only to a visit recorded as attended, on the same day**: never a future visit,
  one not recorded yet, cancelled, not attended, or entered in error.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Service
from core.refusals import ActionRefused
from core.text import SafeNoteField, SafeNoteSerializerField, check_text
from referrals.models import Referral

from .models import CyclePolicy, Visit, VisitOutcome

BACKDATED_REASON_MAX_LENGTH = 500
BACKDATED_REASON_LABEL = "Reason for a date before the allocation"
BACKDATED_HISTORY_LABEL = "reason for a date before the allocation"
BACKDATED_REASON_HELP = (
    "If the date is right but before the family was allocated, say why (for example, work done before the "
    "allocation was entered). Kept on the record and in the family's history."
)
DEFAULT_BOOKING_HORIZON_DAYS = CyclePolicy._meta.get_field("booking_horizon_days").default


def backdated_reason_form_field() -> SafeNoteField:
    """The optional reason box every dated casework page offers, beside its date."""
    field = SafeNoteField(
        label=BACKDATED_REASON_LABEL,
        max_length=BACKDATED_REASON_MAX_LENGTH,
        required=False,
        help_text=BACKDATED_REASON_HELP,
    )
    field.needed_when = "if the date is before the family's allocation"  # its label says when, not "(optional)"
    return field


def backdated_reason_serializer_field() -> SafeNoteSerializerField:
    """The same reason in the API, its rule stated in the schema."""
    return SafeNoteSerializerField(
        max_length=BACKDATED_REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed only when the date is before the family's first allocation (refused with 400 otherwise, "
        "naming the allocation date): say why the date is right. Kept on the record and in the family's history; "
        "ignored when the date needs none.",
    )


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def allocated_on(referral: Referral) -> date | None:
    """The day the family was first allocated (UK time), or None if it never was: casework starts then."""
    first = referral.allocations.order_by("allocated_at", "pk").values_list("allocated_at", flat=True).first()
    return timezone.localdate(first) if first else None


def not_before_allocation(referral: Referral, day: date, *, field: str, label: str, backdated_reason: str = "") -> str:
    """Refuse casework dated before the family's first allocation unless a reason is given; return the reason to
    keep on the record (blank when the date needs none, so a reason left in a corrected form is not stored)."""
    reason = (backdated_reason or "").strip()
    check_text(reason, field="backdated_reason", label=BACKDATED_REASON_LABEL, max_length=BACKDATED_REASON_MAX_LENGTH)
    allocated = allocated_on(referral)
    if allocated is None or day >= allocated:
        return ""
    if not reason:
        raise ValidationError(
            {
                field: f"{label} ({_day(day)}) is before this family was allocated ({_day(allocated)}): check the "
                "date, or give a reason if this is right"
            }
        )
    return reason


def discharge_not_before_allocation(referral: Referral, discharged_on: date) -> str:
    """'' or why the discharge date cannot be right: a family is never discharged before it was allocated."""
    allocated = allocated_on(referral)
    if allocated is not None and discharged_on < allocated:
        return f"The date of discharge cannot be before the family was allocated ({_day(allocated)})"
    return ""


def booking_horizon_days(service: Service) -> int:
    """How far ahead the service books visits (`CyclePolicy.booking_horizon_days`, default 365)."""
    policy = CyclePolicy.objects.filter(service=service).first()
    return policy.booking_horizon_days if policy else DEFAULT_BOOKING_HORIZON_DAYS


def latest_booking_day(service: Service, today: date | None = None) -> date:
    """The last day a visit may be booked for: today plus the service's horizon."""
    return (today or timezone.localdate()) + timedelta(days=booking_horizon_days(service))


def within_booking_horizon(service: Service, planned_at: datetime, *, field: str = "planned_at") -> None:
    """Refuse a visit planned past the service's horizon (a mistyped year), naming the latest day allowed."""
    latest = latest_booking_day(service)
    if timezone.localdate(planned_at) > latest:
        raise ValidationError(
            {
                field: f"The planned date must be on or before {_day(latest)}: {service.name} books visits up to "
                f"{booking_horizon_days(service)} days ahead"
            }
        )


def only_the_born_filmed(referral: Referral, parents: list, children: list, filmed_on: date) -> None:
    """Nobody is recorded as filmed on a day before they were born; an unborn baby cannot be filmed at all."""
    if referral.child_unborn:
        due = f" (due {_day(referral.expected_delivery_date)})" if referral.expected_delivery_date else ""
        raise ActionRefused(
            f"The baby is not born yet{due}: only people already born can be filmed. Record the baby's birth on "
            "the family's record first."
        )
    if referral.child_date_of_birth and referral.child_date_of_birth > filmed_on:
        raise ValidationError(
            {
                "filmed_on": f"The date filmed ({_day(filmed_on)}) is before the baby was born "
                f"({_day(referral.child_date_of_birth)}): only people already born can be filmed"
            }
        )
    for field, people in (("filmed_parents", parents), ("filmed_children", children)):
        unborn = [p for p in people if p.date_of_birth and p.date_of_birth > filmed_on]
        if unborn:
            names = ", ".join(f"{p} (born {_day(p.date_of_birth)})" for p in unborn)
            raise ValidationError({field: f"Not born on the date filmed ({_day(filmed_on)}): {names}"})


def attended_visit_on(visit: Visit | None, day: date, *, doing: str) -> None:
    """A filming or shared review links only to a visit recorded as attended, on that day."""
    if visit is None:
        return
    visit = Visit.objects.get(pk=visit.pk)  # its outcome now, not the caller's copy
    when = _day(timezone.localdate(visit.planned_at))
    if visit.entered_in_error:
        raise ValidationError({"visit": f"The visit of {when} was entered in error: choose another or none"})
    if visit.outcome != VisitOutcome.ATTENDED:
        state = visit.get_outcome_display().lower() if visit.outcome else "not recorded yet"
        raise ValidationError(
            {"visit": f"The {doing} can link only to a visit recorded as attended; the visit of {when} is {state}"}
        )
    if timezone.localdate(visit.planned_at) != day:
        raise ValidationError(
            {"visit": f"The visit chosen was on {when}, not on the {doing}'s date ({_day(day)}): choose that day's"}
        )
