"""Visits nobody recorded: a notice on the practitioner's home page, raised by a daily beat task.

A planned visit whose time passed more than `OVERDUE_AFTER` ago without an outcome is either forgotten paperwork or
a family nobody saw; either way the practitioner must look. Raising is idempotent (one open notice per visit).
"""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from notices.actions import raise_notice
from notices.models import NoticeKind
from referrals.models import Allocation

from .models import Visit

OVERDUE_AFTER = timedelta(days=1)


def visits_overdue_for_notice(now: datetime | None = None):
    """Planned visits more than a day past their time, still unrecorded, in families still allocated to the
    visit's practitioner (after a reallocation the new practitioner reschedules them)."""
    now = now or timezone.now()
    still_theirs = Allocation.objects.active().filter(
        referral_id=OuterRef("referral_id"), practitioner_id=OuterRef("practitioner_id")
    )
    return (
        Visit.objects.overdue(now - OVERDUE_AFTER)
        .filter(Exists(still_theirs))
        .select_related("referral", "practitioner")
        .order_by("planned_at", "pk")
    )


def raise_overdue_visit_notices(now: datetime | None = None) -> int:
    """Raise (once) a notice to each overdue visit's practitioner; returns how many visits were overdue."""
    count = 0
    for visit in visits_overdue_for_notice(now).iterator(chunk_size=500):
        when = timezone.localtime(visit.planned_at)
        raise_notice(
            recipient=visit.practitioner,
            kind=NoticeKind.VISIT_OVERDUE,
            summary=f"Visit of {when:%-d %B %Y %H:%M} to {visit.referral.reference} is not recorded",
            referral=visit.referral,
            obj=visit,
        )
        count += 1
    return count
