"""Who may see or do what in the cycles app: rules that need the cycles' or referrals' models, built from the
permission layer's primitives (ADR 0012). Pages, the API, reads and actions ask these; none writes its own."""

from django.db.models import Q

from accounts.permissions import Perm, has_permission, scope_q, services_with
from referrals.states import ReferralStatus


def may_record_casework(user, referral) -> bool:
    """May `user` record this family's casework now (consent, helping questions, visits, cycles, footage, ratings)?
    The allocated practitioner (casework.record on the family), and only while it is allocated: every link and
    button to a casework form asks this, and the actions refuse the same two ways (403 who, 409 state)."""
    return referral.status == ReferralStatus.ALLOCATED and has_permission(user, Perm.CASEWORK_RECORD, obj=referral)


def trainees_in_reach_q(user, perm: Perm) -> Q:
    """Trainee memberships a page or the API may load by id for `perm`: those in services where `user` holds it
    (404 otherwise), before `perm` is checked on the membership itself (403)."""
    return Q(service_id__in=services_with(user, perm))


def supervised_trainees_q(user) -> Q:
    """Trainee memberships whose named supervisor is `user`, in the services where `user` is a supervisor."""
    return Q(practitioner_details__supervisor=user, service_id__in=services_with(user, Perm.SUPERVISION_RECORD))


def supervision_sessions_q(user) -> Q:
    """Supervision sessions `user` may read: their own as trainee or supervisor, or their service's as a
    coordinator or manager (trainee_progress.view)."""
    return scope_q(
        user,
        Perm.TRAINEE_PROGRESS_VIEW,
        site="",
        own_cases=lambda u: Q(trainee=u),
        supervised_cases=lambda u: Q(supervisor=u),
    )
