"""Sections of the home page the referrals app contributes, by what the user may do."""

from django.db.models import Count, Q

from vig_service.permissions import Perm, has_permission

from .models import Referral
from .states import ReferralStatus


def home_sections(request) -> list[dict]:
    """Coordinators see their queues at a glance; practitioners, supervisors and managers their caseload views."""
    user = request.user
    sections = []
    if has_permission(user, Perm.TRIAGE_QUEUE_VIEW):
        counted = [ReferralStatus.RECEIVED, ReferralStatus.AWAITING_INFORMATION, ReferralStatus.ACCEPTED]
        # Only the open statuses are counted, so the (service, status) index reads a few hundred rows, not years.
        counts = (
            Referral.objects.visible_to(user, Perm.TRIAGE_QUEUE_VIEW)
            .filter(status__in=counted)
            .aggregate(
                received=Count("pk", filter=Q(status=ReferralStatus.RECEIVED)),
                awaiting=Count("pk", filter=Q(status=ReferralStatus.AWAITING_INFORMATION)),
                accepted=Count("pk", filter=Q(status=ReferralStatus.ACCEPTED)),
            )
        )
        sections.append({"template": "referrals/home_coordinator.html", "counts": counts})
    try:
        from .caseloads import caseload_home_sections
    except ImportError:
        return sections
    return sections + caseload_home_sections(request)
