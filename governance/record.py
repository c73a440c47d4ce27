"""The "Information governance" section of the family's record page (one query, only for those who may act)."""

from accounts.permissions import Perm, has_permission
from referrals.record import record_section

from .models import SubjectAccessRequest


@record_section(95)
def governance_section(request, referral) -> list[dict]:
    """Subject access requests about this family's people, and a link to record one."""
    if not has_permission(request.user, Perm.SUBJECT_ACCESS, obj=referral):
        return []
    requests = list(SubjectAccessRequest.objects.filter(referral=referral).select_related("parent"))
    return [{"template": "governance/_record_section.html", "referral": referral, "requests": requests}]
