"""The cycles app's sections of the family's record page, registered with `referrals.record`."""

from referrals.record import record_section  # noqa: E402
from referrals.states import ReferralStatus  # noqa: E402
from vig_service.permissions import Perm, has_permission  # noqa: E402


@record_section(order=40)
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
