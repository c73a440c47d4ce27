"""Reads for allocation, the waiting list and caseloads. Every list is a fixed number of queries.

`CaseloadRow` is the one shape every caseload table shows; later issues fill `last_contact`, `next_visit` and
`overdue` (cycles) without changing the pages that use it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, PractitionerDetails, Role, Service, TrainingStatus, User
from accounts.permissions import can_open_practitioner, caseload_service_ids, shares_a_service
from core.lookups import among
from core.prepared import IDS, INT, prepared
from referrals.models import Allocation, Referral
from referrals.states import ReferralStatus

# NHS community-services wait bands, in weeks: (lower edge inclusive, upper edge exclusive, label)
WAIT_BANDS = [
    (0, 1, "0–1 weeks"),
    (1, 2, "1–2 weeks"),
    (2, 4, "2–4 weeks"),
    (4, 12, "4–12 weeks"),
    (12, 18, "12–18 weeks"),
    (18, 52, "18–52 weeks"),
    (52, None, "52+ weeks"),
]
TARGET_CLOSE_FRACTION = 0.8


def wait_band(days: int) -> str:
    """The band a wait of `days` falls in; a band includes its lower edge (7 days is '1–2 weeks')."""
    for low, high, label in WAIT_BANDS:
        if days >= low * 7 and (high is None or days < high * 7):
            return label
    return WAIT_BANDS[0][2]


def wait_warning(days: int, target_weeks: int) -> str:
    """'breached' past the service's target, 'close' from 80% of it, '' otherwise."""
    target_days = target_weeks * 7
    if days > target_days:
        return "breached"
    if days >= target_days * TARGET_CLOSE_FRACTION:
        return "close"
    return ""


def waiting_rows(referrals, today: date | None = None) -> list[dict]:
    """Each waiting referral with its days, NHS wait band and target warning (no queries: service is joined)."""
    today = today or timezone.localdate()
    rows = []
    for referral in referrals:
        days = referral.days_waiting(today)
        rows.append(
            {
                "referral": referral,
                "days": days,
                "band": wait_band(days),
                "warning": wait_warning(days, referral.service.wait_target_weeks),
            }
        )
    return rows


def next_protected_day(details: PractitionerDetails | None, today: date) -> date | None:
    """The next protected VIG day from today on which the practitioner is not paused (within 8 weeks)."""
    if details is None or not details.protected_days:
        return None
    for offset in range(56):
        day = today + timedelta(days=offset)
        if day.weekday() in details.protected_days and not details.is_paused_on(day):
            return day
    return None


def open_cases_by_practitioner(service_ids) -> dict[tuple[int, int], int]:
    """Open families per (practitioner, service), counted in one grouped query over active allocations only.

    It starts from the services' allocated families (their status index) and joins each one's active allocation
    (the partial unique index): a backlogged service's 4,000 open families are about 900 buffer pages. A correlated
    count per practitioner looked up each allocation's family again (15,000 pages), and counting every allocation
    a practitioner ever had would grow with years of history (ADR 0024).
    """
    rows = _open_cases(sorted(service_ids))
    return {(row["practitioner_id"], row["referral__service_id"]): row["n"] for row in rows}


@prepared(IDS)
def _open_cases(service_ids):
    return (
        Allocation.objects.active()
        .filter(among("referral__service_id", service_ids), referral__status=ReferralStatus.ALLOCATED)
        .order_by()
        .values("practitioner_id", "referral__service_id")
        .annotate(n=Count("pk"))
    )


def _practitioners(service_ids):
    return (
        Membership.objects.active()
        .filter(among("service_id", service_ids), role=Role.PRACTITIONER)
        .order_by("user__last_name", "user__first_name")
    )


@prepared(IDS)
def _practitioner_memberships(service_ids):
    return _practitioners(service_ids).select_related(
        "user", "service", "practitioner_details", "practitioner_details__supervisor"
    )


def practitioners_in(service_ids) -> list[Membership]:
    """Practitioner memberships with their details and open caseload (`open_cases`) counted in that service. Its
    three reads are compiled once per process (`core.prepared`): the dashboard, the caseloads pages, the allocation
    page and the API's practitioners all ask."""
    service_ids = sorted(service_ids)
    memberships = _practitioner_memberships(service_ids)
    counts = open_cases_by_practitioner(service_ids) if memberships else {}
    sites = _sites_of(memberships)
    for membership in memberships:
        membership.open_cases = counts.get((membership.user_id, membership.service_id), 0)
        membership.site_list = sites.get(membership.pk, [])
    return memberships


@dataclass(frozen=True, slots=True)
class StaffName:
    """A member of staff as a table names them (`web.api.PersonOut`: the user's id and display name)."""

    id: int
    display_name: str

    def __str__(self) -> str:
        return self.display_name


@dataclass(frozen=True, slots=True)
class PractitionerLoad:
    """One practitioner's membership as a table of loads shows it (the dashboard's caseloads): capacity and
    protected days as their details give them (the model's defaults where a row slipped past), the sites they work
    at (empty: every site of the service) and their open families in the service."""

    pk: int  # the membership's
    user_id: int
    service_id: int
    user: StaffName
    capacity: int
    protected_days: list[int]
    site_ids: frozenset[int]
    open_cases: int


def practitioner_loads(service_ids) -> list[PractitionerLoad]:
    """The services' practitioners as a table of loads shows them (`PractitionerLoad`), by name, read as plain rows:
    the dashboard draws seventy practitioners on every look, and `practitioners_in`'s whole rows (service,
    supervisor, every detail, the sites' names) were five model instances each, most of the dashboard's own CPU
    (issue 20). The open caseloads are `practitioners_in`'s own count (`open_cases_by_practitioner`)."""
    service_ids = sorted(service_ids)
    rows = _practitioner_load_rows(service_ids)
    if not rows:
        return []
    counts = open_cases_by_practitioner(service_ids)
    sites: dict[int, set[int]] = {}
    for membership_id, site_id in _site_ids(sorted(row[0] for row in rows)):
        sites.setdefault(membership_id, set()).add(site_id)
    fields = PractitionerDetails._meta
    default_capacity = fields.get_field("capacity").get_default()
    return [
        PractitionerLoad(
            pk=pk,
            user_id=user_id,
            service_id=service_id,
            user=StaffName(user_id, User.name_of(first_name, last_name, username)),
            capacity=default_capacity if has_details is None else capacity,
            protected_days=fields.get_field("protected_days").get_default() if has_details is None else protected_days,
            site_ids=frozenset(sites.get(pk, ())),
            open_cases=counts.get((user_id, service_id), 0),
        )
        for pk, user_id, service_id, first_name, last_name, username, has_details, capacity, protected_days in rows
    ]


@prepared(IDS)
def _practitioner_load_rows(service_ids):
    return _practitioners(service_ids).values_list(
        "pk",
        "user_id",
        "service_id",
        "user__first_name",
        "user__last_name",
        "user__username",
        "practitioner_details__pk",
        "practitioner_details__capacity",
        "practitioner_details__protected_days",
    )


@prepared(IDS)
def _site_ids(membership_ids):
    return Membership.sites.through.objects.filter(among("membership_id", membership_ids)).values_list(
        "membership_id", "site_id"
    )


def _sites_of(memberships) -> dict[int, list]:
    """Each membership's sites (`site_list`; empty: every site of the service) in one query over the links.
    `prefetch_related("sites")` built a related manager and a queryset for every practitioner, which cost more CPU
    than the rest of the list (70 practitioners: about 6 ms)."""
    if not memberships:
        return {}
    found: dict[int, list] = {}
    for link in _site_links([m.pk for m in memberships]):
        found.setdefault(link.membership_id, []).append(link.site)
    return found


@prepared(IDS)
def _site_links(membership_ids):
    return (
        Membership.sites.through.objects.filter(among("membership_id", membership_ids))
        .select_related("site")
        .order_by("site__name", "site_id")
    )


def services_with_waiting(service_ids) -> list[Service]:
    """Services with how many accepted referrals wait in each (`waiting`), counted per service from the status
    index; compiled once per process, as the caseloads page asks on every visit."""
    return _services_with_waiting(sorted(service_ids))


@prepared(IDS)
def _services_with_waiting(service_ids):
    waiting = (
        Referral.objects.filter(service_id=OuterRef("pk"), status=ReferralStatus.ACCEPTED)
        .order_by()
        .values("service_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Service.objects.filter(among("pk", service_ids))
        .annotate(waiting=Coalesce(Subquery(waiting), 0))
        .order_by("name", "pk")
    )


@dataclass
class Candidate:
    """One practitioner as the allocation page shows them."""

    membership: Membership
    open_cases: int
    capacity: int
    same_site: bool
    paused: bool
    next_protected_day: date | None

    @property
    def user(self):
        return self.membership.user

    @property
    def is_trainee(self) -> bool:
        return self.membership.training_status == TrainingStatus.TRAINEE

    @property
    def supervisor(self):
        details = self.membership.details_or_none
        return details.supervisor if details else None

    @property
    def has_spare_capacity(self) -> bool:
        return self.open_cases < self.capacity

    @property
    def can_be_allocated(self) -> bool:
        return not self.is_trainee or self.supervisor is not None

    def sort_key(self):
        far = date.max
        return (
            not self.can_be_allocated,
            self.paused,
            not self.same_site,
            not self.has_spare_capacity,
            self.next_protected_day or far,
            self.open_cases,
        )


def _site_list(membership: Membership) -> list:
    """The membership's sites: as `practitioners_in` read them, or from the database for one read elsewhere."""
    found = getattr(membership, "site_list", None)
    return list(membership.sites.all()) if found is None else found


def candidate(membership: Membership, site_id: int | None, today: date) -> Candidate:
    """One practitioner's figures as of today, for ranking and for the allocation page."""
    details = membership.details_or_default  # the one definition of a new practitioner's capacity
    site_ids = {s.pk for s in _site_list(membership)}
    return Candidate(
        membership=membership,
        open_cases=getattr(membership, "open_cases", 0),
        capacity=details.capacity,
        same_site=not site_ids or site_id in site_ids,
        paused=details.is_paused_on(today),
        next_protected_day=next_protected_day(details, today),
    )


def ranked_candidates(referral: Referral, today: date | None = None) -> list[Candidate]:
    """Best first: can be allocated, not paused, same site, spare capacity, earliest protected day."""
    today = today or timezone.localdate()
    found = [candidate(m, referral.site_id, today) for m in practitioners_in([referral.service_id])]
    return sorted(found, key=Candidate.sort_key)


@dataclass
class CaseloadRow:
    """One family on a caseload. Later issues fill the optional fields from cycles and visits."""

    referral: Referral
    allocation: Allocation
    status: str
    days_since_allocation: int
    flags: list[str]
    referrer: str
    last_contact: date | None = None
    next_visit: date | None = None
    overdue: bool = False
    overdue_reasons: list[str] = field(default_factory=list)
    liaison_done: bool | None = None
    extra: dict = field(default_factory=dict)


# Apps that know more about a family (cycles: visits, liaison, stage) fill the rows in without `referrals` importing
# them: each registers an enricher, called once with all the rows, which must cost a fixed number of queries.
CaseloadEnricher = Callable[[list[CaseloadRow], date], None]
_enrichers: list[tuple[str, CaseloadEnricher]] = []


def caseload_row_enricher(func: CaseloadEnricher) -> CaseloadEnricher:
    """Register `func(rows, today)` to fill in caseload rows (registered once, by name)."""
    name = f"{func.__module__}.{func.__qualname__}"
    if all(existing != name for existing, _ in _enrichers):
        _enrichers.append((name, func))
    return func


def caseload_allocations(*conditions, **filters):
    """Active allocations of open referrals with everything a caseload row shows (the moved-site flag included,
    as one subquery), in fixed queries."""
    moved = Referral.objects.filter(pk=OuterRef("referral_id")).with_reallocation_flag()
    return (
        Allocation.objects.active()
        .annotate(referral_outside_site=Subquery(moved.values("allocation_outside_site")[:1]))
        .filter(*conditions, referral__status=ReferralStatus.ALLOCATED, **filters)
        .select_related("referral", "referral__service", "referral__site", "practitioner", "supervisor")
        .prefetch_related(Prefetch("referral__parents"))
        .order_by("allocated_at", "pk")
    )


@prepared(IDS, INT)
def _practitioners_caseload(service_ids, user_id):
    return caseload_allocations(among("referral__service_id", service_ids), practitioner_id=user_id)


@prepared(IDS, INT)
def _supervisors_caseload(service_ids, user_id):
    return caseload_allocations(among("referral__service_id", service_ids), supervisor_id=user_id)


def my_caseload_allocations(user, role: str) -> list:
    """The user's own families (role practitioner) or their trainees' (role supervisor), in the services where
    they hold that role: the one definition the home page and `GET /api/v1/caseloads/mine/` share. Compiled once
    per process (`core.prepared`): every practitioner's home page reads it."""
    read = {Role.PRACTITIONER: _practitioners_caseload, Role.SUPERVISOR: _supervisors_caseload}[role]
    return read(sorted(caseload_service_ids(user, role)), user.pk)


def practitioner_membership_for(
    user, membership_id: int, *, may: Callable[[object, Membership], bool] = can_open_practitioner
) -> Membership:
    """A practitioner membership the user may open (`may`, by default `can_open_practitioner`): 404 if it does not
    exist or is another service's (not revealed), 403 if it is their service's but not theirs. Pages and API."""
    membership = (
        Membership.objects.active()
        .filter(role=Role.PRACTITIONER, pk=membership_id)
        .select_related("user", "service", "practitioner_details")
        .prefetch_related("sites")
        .first()
    )
    if membership is None or not shares_a_service(user, membership.service_id):
        raise Http404
    if not may(user, membership):
        raise PermissionDenied
    return membership


def practitioner_caseload_allocations(user, membership: Membership):
    """One practitioner's families in one service, limited to those the viewer may open themselves."""
    visible = Referral.objects.visible_to(user).values("pk")
    return caseload_allocations(
        practitioner_id=membership.user_id, referral__service_id=membership.service_id, referral__in=visible
    )


def caseload_rows(allocations, today: date | None = None) -> list[CaseloadRow]:
    """Turn allocations into the rows every caseload table shows (all prefetched), then let the registered
    enrichers fill in contact, visits, stage and what is overdue (a few queries each, whatever the rows)."""
    today = today or timezone.localdate()
    rows = []
    for allocation in allocations:
        referral = allocation.referral
        if hasattr(allocation, "referral_outside_site"):
            referral.allocation_outside_site = allocation.referral_outside_site
        rows.append(
            CaseloadRow(
                referral=referral,
                allocation=allocation,
                status="Allocated – awaiting first contact",
                days_since_allocation=(today - timezone.localtime(allocation.allocated_at).date()).days,
                flags=referral.flags(),
                referrer=f"{referral.referrer_name} ({referral.referrer_role}), {referral.referrer_contact}",
            )
        )
    if rows:
        for _, enrich in _enrichers:
            enrich(rows, today)
    return rows
