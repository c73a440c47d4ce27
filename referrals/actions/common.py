"""The one way an action locks a family's referral, used by every app's actions."""

from ..models import Referral


def lock_referral(referral: Referral | int, *, details: bool = False) -> Referral:
    """Re-read the family's referral under a row lock (SELECT … FOR UPDATE) for the rest of the transaction, so the
    status an action checks is the status it changes and two people acting on one family at once take turns.

    `details` also loads what the record shows and its checks read (`with_record_details`: people, allocations,
    history) for actions that go on to read them. Only the referral's row is locked, never the rows joined to it.
    """
    pk = referral if isinstance(referral, int) else referral.pk
    queryset = Referral.objects.with_record_details() if details else Referral.objects.select_related("service", "site")
    return queryset.select_for_update(of=("self",)).get(pk=pk)
