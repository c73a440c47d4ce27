"""A service's own referral questions (`accounts.ReferralQuestion`), as the family's record lists their answers."""

from accounts.models import ReferralQuestion
from core.prepared import prepared


@prepared()
def service_questions(service_id) -> list:
    """The service's referral questions in the order its referral form asks them: read on every family's record,
    with SQL compiled once per process (`core.prepared`) where the related manager compiled it on every page."""
    return ReferralQuestion.objects.filter(service_id=service_id)
