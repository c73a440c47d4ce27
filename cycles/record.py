"""The cycles app's sections of the family's record page, registered with `referrals.record`."""

from django.utils import timezone

from referrals.record import record_section
from referrals.states import ReferralStatus
from vig_service.permissions import Perm, has_permission

from . import timeline


@record_section(order=40)
def cycles_section(request, referral) -> list[dict]:
    """VIG cycles: the timeline (filmed → clips chosen → reviewed, with what is next or overdue) and the service's
    planned number. Two queries whatever the number of cycles or clips; nothing before the family is allocated."""
    if not referral.allocations.all():
        return []
    cycles = list(timeline.cycles_of(referral))
    can_record = (
        has_permission(request.user, Perm.CASEWORK_RECORD, obj=referral) and referral.status == ReferralStatus.ALLOCATED
    )
    return [
        {
            "template": "cycles/_cycles_section.html",
            "glance": timeline.summary(referral, cycles, timezone.localdate()),
            "can_record": can_record,
        }
    ]


@record_section(order=50)
def visits_section(request, referral) -> list[dict]:
    """Planned and recent visits with their activities, and liaison with the referrer (5 queries)."""
    from django.utils import timezone

    from .visits import family_visits

    if not referral.allocations.all():  # never allocated: no visits yet (allocations are prefetched)
        return []
    can_record = referral.status == ReferralStatus.ALLOCATED and has_permission(
        request.user, Perm.CASEWORK_RECORD, obj=referral
    )
    return [
        {
            "template": "cycles/_visits_section.html",
            "visits": family_visits(referral),
            "can_record": can_record,
            "now": timezone.now(),
        }
    ]
