"""A destroyed referral answers 410 with its tombstone to those who hold a role in its service; others get 404."""

from accounts.permissions import shares_a_service
from web.tombstones import tombstone_lookup

from .models import DestroyedRecord


@tombstone_lookup("referrals.referral")
def destroyed_referral(user, pk) -> dict | None:
    try:
        record = DestroyedRecord.objects.get(referral_id=int(pk))
    except (DestroyedRecord.DoesNotExist, TypeError, ValueError):
        return None
    return record.as_tombstone() if shares_a_service(user, record.service_id) else None
