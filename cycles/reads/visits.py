"""Reads for visits: the practitioner's diary, a family's visits and liaison, the visits a page or the API loads.

Each is a fixed number of queries, whatever the number of visits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import Perm, caseload_service_ids, scope_shape
from core.lookups import among
from core.prepared import IDS, ReadByPk, attach, prepared, prepared_by_shape
from cycles.models import Liaison, Visit, VisitActivity
from referrals.models import Allocation, Referral, attach_family
from referrals.states import ReferralStatus

DIARY_WEEKS = 6
DIARY_PAGE_SIZE = 25
OVERDUE_LIMIT = 100
RECENT_VISITS = 5


# The family as list rows show it: its service, and the moved-site flag its `flags()` read, annotated in one query.
FAMILY_FOR_LISTS = Referral.objects.select_related("service").with_reallocation_flag()


def visits_with_details(queryset: QuerySet | None = None) -> QuerySet:
    """Visits with the family, its allocations (for permission checks), parents (flags) and activities."""
    queryset = queryset if queryset is not None else Visit.objects.all()
    return queryset.select_related("practitioner").prefetch_related(
        Prefetch("referral", queryset=FAMILY_FOR_LISTS),
        "activities",
        "referral__parents",
        Prefetch("referral__allocations", queryset=Allocation.objects.with_holding().select_related("practitioner")),
    )


def _of_visible_families(user) -> QuerySet:
    """The access rule for visits: those of the families the user may see (coordinators and managers in scope, the
    allocated practitioner, the trainee's supervisor)."""
    return Visit.objects.filter(referral__in=Referral.objects.visible_to(user).values("pk"))


def visible_visits(user) -> QuerySet:
    """Visits of the families the user may see (`_of_visible_families`), with what their pages show: pages and API
    load a visit by id from here, so another family's id is a 404."""
    return visits_with_details(_of_visible_families(user))


@prepared_by_shape()
def _visible_visit(user, pk):
    """The visit and its practitioner if `user` may see its family (the same rule); `_with_details` adds the rest."""
    return _of_visible_families(user).filter(pk=pk).select_related("practitioner")


@prepared()
def _visit_family(referral_id):
    return FAMILY_FOR_LISTS.filter(pk=referral_id)


@prepared(IDS)
def _activities_of(visit_ids):
    """These visits' activities (compiled once per process; `attach` puts them where a prefetch would)."""
    return VisitActivity.objects.filter(among("visit_id", visit_ids))


def _with_details(visits: list) -> list:
    """What `visits_with_details` prefetches (the family as lists show it, its parents and allocations, the visit's
    activities), for the one visit a page loads, read by ids with SQL compiled once (`core.prepared`): Django
    compiles each prefetch afresh, four statements on every visit page."""
    for visit in visits:
        family = _visit_family(visit.referral_id)
        if family:
            attach_family(family)
            Visit._meta.get_field("referral").set_cached_value(visit, family[0])
        attach([visit], "activities", _activities_of([visit.pk]))
    return visits


def visible_visits_by_pk(user) -> ReadByPk:
    """`visible_visits` as a page's loader asks of them, one visit by its id, read with SQL compiled once per shape
    of the user's access (`scope_shape`, ADR 0032), and what its pages show attached (`_with_details`): the visit
    form is a practitioner's busiest page."""
    return ReadByPk(Visit, lambda pk: _with_details(_visible_visit(scope_shape(user, Perm.REFERRAL_VIEW), user, pk)))


def diary_visits(user) -> QuerySet:
    """The user's own planned visits in families still allocated to them, in the services where they are a
    practitioner, in time order (the (practitioner, planned_at) index)."""
    still_theirs = Allocation.objects.active().filter(practitioner=user).values("referral_id")
    return (
        Visit.objects.planned()
        .filter(
            practitioner=user,
            referral_id__in=still_theirs,
            referral__status=ReferralStatus.ALLOCATED,
            referral__service_id__in=caseload_service_ids(user, Role.PRACTITIONER),
        )
        .select_related("practitioner")
        .prefetch_related(Prefetch("referral", queryset=FAMILY_FOR_LISTS), "activities", "referral__parents")
        .order_by("planned_at", "pk")
    )


@dataclass
class Diary:
    overdue: list[Visit]
    overdue_more: bool
    coming: QuerySet
    until: datetime


def diary(user, *, now: datetime | None = None, weeks: int = DIARY_WEEKS) -> Diary:
    """Visits not yet recorded whose time has passed (oldest first), then those of the coming `weeks`."""
    now = now or timezone.now()
    visits = diary_visits(user)
    overdue = list(visits.filter(planned_at__lt=now)[: OVERDUE_LIMIT + 1])
    until = now + timedelta(weeks=weeks)
    coming = visits.filter(planned_at__gte=now, planned_at__lt=until)
    return Diary(overdue=overdue[:OVERDUE_LIMIT], overdue_more=len(overdue) > OVERDUE_LIMIT, coming=coming, until=until)


@dataclass
class FamilyVisits:
    planned: list[Visit]
    recent: list[Visit]
    liaisons: list[Liaison]


def family_visits(referral: Referral) -> FamilyVisits:
    """A family's planned visits, its most recent recorded ones and its liaison with the referrer (3 queries: the
    planned and the recent visits are one query, so their activities are one more, then the liaison)."""
    both = _planned_and_recent(referral.pk)
    attach(both, "activities", _activities_of([visit.pk for visit in both]) if both else [])
    return FamilyVisits(
        planned=[visit for visit in both if not visit.outcome],
        recent=[visit for visit in reversed(both) if visit.outcome],
        liaisons=_liaisons(referral.pk),
    )


@prepared()
def _planned_and_recent(referral_id):
    """The planned visits and the most recent recorded ones, oldest first (compiled once per process)."""
    visits = Visit.objects.in_force().filter(referral_id=referral_id)
    recent_ids = visits.exclude(outcome="").order_by("-planned_at", "-pk").values("pk")[:RECENT_VISITS]
    return visits.filter(Q(outcome="") | Q(pk__in=recent_ids)).order_by("planned_at", "pk")


@prepared()
def _liaisons(referral_id):
    """The family's liaison with the referrer, newest first (compiled once per process)."""
    return (
        Liaison.objects.filter(referral_id=referral_id).select_related("recorded_by").order_by("-contacted_on", "-pk")
    )
