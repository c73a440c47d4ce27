"""The VIG cycles' section of the family's record: the timeline of each cycle."""

from django.utils import timezone

from accounts.permissions import Perm, has_permission
from cycles.reads import timeline
from referrals.record import record_section
from referrals.states import ReferralStatus


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
