"""Receiving a referral as FHIR: through the same action as the referral form, once per identifier."""

from django.db import transaction

from accounts.audit import log_access
from accounts.models import AccessAction, Service, User
from accounts.permissions import InService, Perm, requires
from referrals.actions import create_referral
from referrals.models import Referral

from .models import ReferralReceipt


class IdentifierReused(Exception):
    """The identifier already made a referral from a different Bundle."""


def _place(kwargs: dict) -> InService:
    site = kwargs["data"].get("site")
    return InService(kwargs["service"].pk, getattr(site, "pk", site))


@transaction.atomic
@requires(Perm.REFERRAL_CREATE, on=_place)
def receive_referral(
    *,
    service: Service,
    key: tuple[str, str],
    body_hash: str,
    data: dict,
    parents: list[dict],
    by: User,
    request=None,
) -> tuple[Referral, bool]:
    """Record a referral sent as a FHIR Bundle, or return the one the same Bundle already made (created: False).

    The service's row is locked first, so two copies of one Bundle arriving together make one referral; the referral
    itself is made by `referrals.actions.create_referral` (eligibility, duplicates, history, access log), and the
    receipt in the same transaction, so there is never a referral without its receipt or the reverse.
    """
    Service.objects.select_for_update().filter(pk=service.pk).first()
    system, value = key
    earlier = ReferralReceipt.objects.filter(service=service, identifier_system=system, identifier_value=value).first()
    if earlier is not None:
        if earlier.body_hash != body_hash:
            raise IdentifierReused
        log_access(action=AccessAction.VIEW, request=request, user=by, obj=earlier.referral, detail={"fhir": "repeat"})
        return earlier.referral, False
    referral = create_referral(service=service, data=data, parents=parents, by=by, request=request)
    receipt = ReferralReceipt.objects.create(
        service=service,
        identifier_system=system,
        identifier_value=value,
        body_hash=body_hash,
        referral=referral,
        received_by=by,
    )
    log_access(action=AccessAction.CREATE, request=request, user=by, obj=receipt, detail={"referral": referral.pk})
    return referral, True
