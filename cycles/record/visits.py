"""The visits section of the family's record."""

from django.utils import timezone

from cycles.reads.visits import family_visits
from cycles.rules import may_record_casework
from referrals.record import record_section


@record_section(order=50)
def visits_section(request, referral) -> list[dict]:
    """Planned and recent visits with their activities, and liaison with the referrer (5 queries)."""
    if not referral.allocations.all():  # never allocated: no visits yet (allocations are prefetched)
        return []
    can_record = may_record_casework(request.user, referral)
    return [
        {
            "template": "cycles/_visits_section.html",
            "visits": family_visits(referral),
            "can_record": can_record,
            "now": timezone.now(),
        }
    ]
