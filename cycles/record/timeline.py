"""The VIG cycles' section of the family's record: the timeline of each cycle."""

from django.utils import timezone

from cycles.reads import timeline
from cycles.rules import may_record_casework
from referrals.record import record_section


@record_section(order=40)
def cycles_section(request, referral) -> list[dict]:
    """VIG cycles: the timeline (filmed → clips chosen → reviewed, with what is next or overdue) and the service's
    planned number. Two queries whatever the number of cycles or clips; nothing before the family is allocated."""
    if not referral.allocations.all():
        return []
    cycles = timeline.family_cycles(referral.pk)
    can_record = may_record_casework(request.user, referral)
    return [
        {
            "template": "cycles/_cycles_section.html",
            "glance": timeline.summary(referral, cycles, timezone.localdate()),
            "can_record": can_record,
        }
    ]
