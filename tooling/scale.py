"""Synthetic data at production scale, for `seed_scale` and `benchmark`.

This writes rows with `bulk_create` and bypasses the actions on purpose: the actions take a lock, check the state
table and write history and audit rows one family at a time, which would take hours for ten years of history. The
rows it writes are the shapes the actions would leave (statuses, triage decisions, allocations, events, and through
`tooling.scale_work` each allocated family's casework: consent, helping questions, visits, cycles, footage,
supervision, measures, notices, discharges and letters), with NHS numbers only from the 999 test range and names
from small built-in lists (no dev dependency needed). Never for a database that holds real families: the command
refuses unless the database is throw-away and the app is in demo mode. `tests/tooling/test_scale_matches_actions.py`
holds these rows to the actions' (columns, values, history kinds and their changes).
"""

import multiprocessing
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from queue import Empty

from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import Membership, PractitionerDetails, Role, Service, Site, TrainingStatus, User
from cycles.models import StageReached
from dashboards import summaries
from referrals.eligibility import CHECKS, EligibilityResult
from referrals.history import diff, plain
from referrals.models import (
    PARENT_FIELDS,
    REFERRAL_FIELDS,
    Allocation,
    EligibilityRule,
    Parent,
    Referral,
    ReferralEvent,
    TriageDecision,
)
from referrals.nhs_number import check_digit
from referrals.states import DISCHARGED_END_REASON, ReferralStatus
from tooling import scale_work
from tooling.demo import configure_seed_services, configure_service
from tooling.seeds import SEED_SERVICES

USERNAME_PREFIX = "scale-"
SCALE_SEEDS = ("000", "002", "004")  # three services with real catchments (PE1 and PE13 are both in 000)
TOTAL_SITES = 10
YEARS = 10
BATCH = 2000
NHS_NUMBERS = 1_000_000  # counters shared out between the parts: about 2 a referral, ample for 400,000 referrals
LANES = len(SCALE_SEEDS)  # NHS number blocks are dealt to services in this many lanes (see `nhs_numbers_for`)
PRACTITIONERS_PER_SERVICE = 15  # the default with more services than the three seeds

# The backlogged shape (`--backlogged`): one overwhelmed service, as an outside benchmark found one. Its open work
# per 100,000 referrals in the install (it holds BACKLOG_SHARE of them), among BACKLOG_PRACTITIONERS practitioners.
BACKLOG = {"received": 1300, "awaiting": 500, "accepted": 2000, "allocated": 4000}
BACKLOG_SHARE = 0.9
BACKLOG_PRACTITIONERS = 70
BACKLOG_REASON = "Service backlog: agreed with the service manager"

FIRST_NAMES = (  # noqa: SIM905 - a list of words reads better as words
    "Amelia Olivia Isla Ava Mia Ivy Lily Freya Grace Sophia Aisha Zara Maryam Chloe Emily Ruby Evie Poppy "
    "Daisy Noah Oliver George Arthur Leo Harry Oscar Jack Muhammad Ali Theo Jacob Ethan Adam Samuel Dylan Kai "
    "Ravi Hannah Sarah Rebecca Laura Gemma Kerry Nadia Precious Joy Agnieszka Oksana Fatima Priya Siobhan "
    "Megan"
).split()
LAST_NAMES = (  # noqa: SIM905 - a list of words reads better as words
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans Walker "
    "White Roberts Green Hall Wood Jackson Clarke Khan Ahmed Hussain Begum Kowalski Nowak Okafor Mensah "
    "Campbell Kelly Murphy Lewis Hughes Edwards Turner Hill Cooper Ward Morris Moore Clark Harris Martin Lee "
    "King Baker Singh"
).split()
FALLBACK_DISTRICTS = ("CV1", "CV2", "CV6", "B90", "N15", "N17", "L36", "WA8")


@dataclass
class Plan:
    """How much to make; the defaults are the outside tester's 100k referrals, 200 practitioners, 10 years."""

    referrals: int = 100_000
    practitioners: int = 200
    years: int = YEARS
    seed: int = 2026
    today: date = field(default_factory=timezone.localdate)
    services: int = len(SCALE_SEEDS)  # more than three: copies of the seed services (an install serving many)
    backlogged: bool = False  # the first service overwhelmed (BACKLOG), holding most of the referrals

    def referrals_per_service(self) -> list[int]:
        """How many referrals each service gets: even shares, or most of them in the backlogged first one."""
        if self.backlogged and self.services > 1:
            first = round(self.referrals * BACKLOG_SHARE)
            rest = spread(self.referrals - first, self.services - 1)
            return [first, *rest]
        return spread(self.referrals, self.services)

    def practitioners_per_service(self) -> list[int]:
        """How many practitioners each service gets; the backlogged one has BACKLOG_PRACTITIONERS."""
        if self.backlogged and self.services > 1:
            first = min(BACKLOG_PRACTITIONERS, self.practitioners - (self.services - 1))
            return [first, *spread(self.practitioners - first, self.services - 1)]
        return spread(self.practitioners, self.services)


def spread(total: int, ways: int) -> list[int]:
    """`total` in `ways` near-equal shares, the remainder to the first."""
    shares = [total // ways] * ways
    shares[0] += total - sum(shares)
    return shares


class NHSNumbers:
    """Distinct valid NHS numbers from the 999 test range, in a scattered but repeatable order.

    Generators over disjoint [start, stop) blocks never give the same number, so each service (or process) can
    have its own block."""

    def __init__(self, start: int = 1, stop: int = 1_000_000, offset: int = 0):
        self.start, self.stop = start, stop
        self.counter = start + offset % max(stop - start, 1)
        self.left = stop - start  # a block is used at most once round, starting `offset` into it

    def __next__(self) -> str:
        while True:
            if self.left <= 0:
                raise RuntimeError("Out of synthetic NHS numbers for this service: seed fewer referrals.")
            if self.counter >= self.stop:
                self.counter = self.start
            body = f"999{(self.counter * 7919) % 1_000_000:06d}"  # 7919 is prime: a permutation of the range
            self.counter += 1
            self.left -= 1
            digit = check_digit(body)
            if digit is not None:
                return f"{body}{digit}"

    def __iter__(self) -> Iterator[str]:
        return self


def at(day: date, hour: int = 10) -> datetime:
    """A timestamp on `day` (UTC: cheap, and good enough for synthetic history)."""
    return datetime.combine(day, time(hour, tzinfo=UTC))


def batched(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------------------------------------------------------
# Services, sites and staff
# ---------------------------------------------------------------------------------------------------------------


def scale_services(count: int = len(SCALE_SEEDS)) -> list[Service]:
    """The three seed services, with extra localities so there are about ten sites in all; beyond three, copies of
    them in turn ("Scale service 4 (…)"), each with its seed's sites, sources, questions, rules and measures."""
    configure_seed_services()
    seeds = [s for s in SEED_SERVICES if s["seed"] in SCALE_SEEDS]
    slugs = [s["slug"] for s in seeds]
    services = list(Service.objects.filter(slug__in=slugs).order_by("pk"))[:count]
    existing = Site.objects.filter(service__in=services).count()
    for n in range(existing, TOTAL_SITES):
        service = services[n % len(services)]
        Site.objects.get_or_create(service=service, name=f"Locality {n + 1}")
    for n in range(len(services), count):
        seed = seeds[n % len(seeds)]
        copy = seed | {"slug": f"scale-{n + 1}-{seed['slug']}"[:50], "name": f"Scale service {n + 1} ({seed['name']})"}
        services.append(configure_service(copy))
    return services


def _user(rng: random.Random, username: str, title: str) -> User:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return User(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@example.nhs.uk",
        password="!",  # unusable: these people never sign in (the benchmark uses force_login)
        job_title=title,
    )


@dataclass
class Staff:
    coordinators: dict[int, User]
    practitioners: dict[int, list[tuple[User, int, User | None]]]  # service → allocatable (user, capacity, supervisor)


def create_staff(plan: Plan, services: list[Service], rng: random.Random) -> Staff:
    """Coordinators, managers, supervisors and practitioners (some trainees), with memberships and details."""
    sites = {s.pk: list(s.sites.order_by("pk")) for s in services}
    users, memberships, site_links, details = [], [], [], []
    per_service = plan.practitioners_per_service()
    plan_rows = []  # (user, service, role, training, sites, supervisor username)
    for index, (service, count) in enumerate(zip(services, per_service, strict=True), start=1):
        tag = f"{USERNAME_PREFIX}{index}"
        plan_rows.append((_user(rng, f"{tag}-coordinator", "VIG coordinator"), service, Role.COORDINATOR, "", []))
        plan_rows.append(
            (
                _user(rng, f"{tag}-site-coordinator", "VIG coordinator"),
                service,
                Role.COORDINATOR,
                "",
                sites[service.pk][:1],
            )
        )
        plan_rows.append((_user(rng, f"{tag}-manager", "Service manager"), service, Role.MANAGER, "", []))
        supervisors = [_user(rng, f"{tag}-supervisor-{n}", "VIG supervisor") for n in range(1, max(count // 15, 1) + 1)]
        plan_rows += [(u, service, Role.SUPERVISOR, "", []) for u in supervisors]
        for n in range(1, count + 1):
            trainee = rng.random() < 0.15
            site_list = [rng.choice(sites[service.pk])] if rng.random() < 0.8 else []
            user = _user(rng, f"{tag}-practitioner-{n}", "Health visitor (VIG practitioner)")
            user.scale_supervisor = rng.choice(supervisors) if trainee and rng.random() < 0.9 else None
            training = TrainingStatus.TRAINEE if trainee else TrainingStatus.ACCREDITED
            plan_rows.append((user, service, Role.PRACTITIONER, training, site_list))
    users = User.objects.bulk_create([row[0] for row in plan_rows], batch_size=BATCH)
    for row, user in zip(plan_rows, users, strict=True):
        memberships.append(Membership(user=user, service=row[1], role=row[2], training_status=row[3]))
    memberships = Membership.objects.bulk_create(memberships, batch_size=BATCH)
    staff = Staff(coordinators={}, practitioners={s.pk: [] for s in services})
    for row, membership in zip(plan_rows, memberships, strict=True):
        user, service, role, _training, site_list = row
        site_links += [Membership.sites.through(membership_id=membership.pk, site_id=s.pk) for s in site_list]
        if role == Role.COORDINATOR and not site_list:
            staff.coordinators[service.pk] = user
        if role != Role.PRACTITIONER:
            continue
        capacity = rng.choice((4, 6, 6, 6, 8))
        supervisor = user.scale_supervisor
        details.append(
            PractitionerDetails(
                membership=membership,
                capacity=capacity,
                protected_days=sorted(rng.sample(range(5), rng.choice((1, 2)))),
                supervisor=supervisor,
                training_stage=rng.choice((1, 2, 3)) if membership.is_trainee else None,
            )
        )
        if not membership.is_trainee or supervisor is not None:
            staff.practitioners[service.pk].append((user, capacity, supervisor))
    Membership.sites.through.objects.bulk_create(site_links, batch_size=BATCH)
    PractitionerDetails.objects.bulk_create(details, batch_size=BATCH)
    StageReached.objects.bulk_create(stages_reached(plan, details), batch_size=BATCH)
    return staff


def stages_reached(plan: Plan, details: list[PractitionerDetails]) -> list[StageReached]:
    """Each supervised trainee reached their current stage in the last year and a half (their supervisor recorded
    it), as in a real service: progress counts from that day, not from ten years of synthetic history. Its own
    random stream, so the rest of the data is the same with or without it."""
    rng = random.Random(plan.seed + 12)
    return [
        StageReached(
            membership=d.membership,
            stage=d.training_stage,
            reached_on=plan.today - timedelta(days=rng.randint(30, 540)),
            recorded_by=d.supervisor,
        )
        for d in details
        if d.training_stage and d.supervisor is not None
    ]


# ---------------------------------------------------------------------------------------------------------------
# Referrals and their history
# ---------------------------------------------------------------------------------------------------------------

OPEN_SHARES = {"received": 0.004, "awaiting": 0.001, "accepted": 0.006}
CLOSED_KINDS = (("finished", 0.55), ("declined", 0.2), ("withdrawn", 0.25))
STATUS_OF = {
    "received": ReferralStatus.RECEIVED,
    "awaiting": ReferralStatus.AWAITING_INFORMATION,
    "accepted": ReferralStatus.ACCEPTED,
    "allocated": ReferralStatus.ALLOCATED,
    "finished": ReferralStatus.DISCHARGED,  # finished their VIG work and discharged
    "declined": ReferralStatus.DECLINED,
    "withdrawn": ReferralStatus.WITHDRAWN,
}
OPEN_WORK_DAYS = (21, 240)  # allocated families were referred between three weeks and eight months ago


def allocation_slots(staff_rows, rng: random.Random) -> list[tuple[User, User | None, str]]:
    """One entry per family a practitioner holds now: caseloads between 70% and 100% of capacity."""
    slots = []
    for user, capacity, supervisor in staff_rows:
        slots += [(user, supervisor, "")] * round(capacity * rng.uniform(0.7, 1.0))
    rng.shuffle(slots)
    return slots


def backlog_slots(staff_rows, total: int, rng: random.Random) -> list[tuple[User, User | None, str]]:
    """An overwhelmed service's caseloads: `total` families dealt round its practitioners, far past capacity; each
    allocation past a practitioner's capacity carries the reason the allocate action asks for."""
    slots, held = [], Counter()
    rows = list(staff_rows)
    rng.shuffle(rows)
    for n in range(total):
        user, capacity, supervisor = rows[n % len(rows)]
        held[user.pk] += 1
        slots.append((user, supervisor, BACKLOG_REASON if held[user.pk] > capacity else ""))
    rng.shuffle(slots)
    return slots


def open_counts(count: int, slots: int, backlog_scale: float | None = None) -> dict[str, int]:
    """How many of a service's referrals are still open, by kind: small shares of its history, or a backlog's
    fixed numbers (BACKLOG, scaled by the install's size)."""
    if backlog_scale is not None:
        wanted = {kind: round(n * backlog_scale) for kind, n in BACKLOG.items()}
        return wanted | {"allocated": min(slots, wanted["allocated"])}
    return {
        "received": max(2, round(count * OPEN_SHARES["received"])),
        "awaiting": max(1, round(count * OPEN_SHARES["awaiting"])),
        "accepted": max(3, round(count * OPEN_SHARES["accepted"])),
        "allocated": min(slots, round(count * 0.15)),
    }


def referral_kinds(count: int, slots: int, rng: random.Random, backlog_scale: float | None = None) -> list[str]:
    """What happened to each referral, oldest first: history is closed, the newest are still open."""
    opened = open_counts(count, slots, backlog_scale)
    fresh = ["received"] * opened["received"] + ["awaiting"] * opened["awaiting"]
    waiting = ["accepted"] * opened["accepted"] + ["allocated"] * opened["allocated"]
    rng.shuffle(fresh)
    rng.shuffle(waiting)
    closed_count = max(count - len(fresh) - len(waiting), 0)
    kinds, weights = zip(*CLOSED_KINDS, strict=True)
    closed = rng.choices(kinds, weights=weights, k=closed_count)
    return (closed + waiting + fresh)[-count:]


def spread_open_work(days: list[date], kinds: list[str], today: date, rng: random.Random) -> list[str]:
    """Allocated families are at every stage of their work, so they were referred over the last months, not all in
    the last few weeks: each swaps places with a closed referral received in that window (counts stay the same)."""
    newest, oldest = (today - timedelta(days=n) for n in OPEN_WORK_DAYS)
    allocated = [i for i, kind in enumerate(kinds) if kind == "allocated"]
    closed = dict(CLOSED_KINDS)
    window = [i for i, kind in enumerate(kinds) if kind in closed and oldest <= days[i] <= newest]
    rng.shuffle(window)
    kinds = list(kinds)
    for i, j in zip(allocated, window, strict=False):
        kinds[i], kinds[j] = kinds[j], kinds[i]
    return kinds


def _postcode(site: Site, rng: random.Random) -> str:
    districts = [p.strip() for p in site.postcode_prefixes.split(",") if p.strip()] or FALLBACK_DISTRICTS
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{rng.choice(districts)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


@dataclass
class ServiceContext:
    service: Service
    sites: list[Site]
    sources: list
    coordinator: User
    practitioners: list  # (user, capacity, supervisor)
    rules: list = field(default_factory=list)  # the service's eligibility rules, read once
    eligibility: dict = field(default_factory=dict)  # what the rules look at besides the referral

    @classmethod
    def load(cls, service: Service, staff: "Staff") -> "ServiceContext":
        """A service's sites, sources, staff and eligibility rules, read once for all its referrals."""
        return cls(
            service=service,
            sites=list(service.sites.order_by("pk")),
            sources=list(service.referral_sources.order_by("pk")),
            coordinator=staff.coordinators[service.pk],
            practitioners=staff.practitioners[service.pk],
            rules=list(EligibilityRule.objects.filter(service=service)),
            eligibility={
                "sources": [s.name for s in service.referral_sources.filter(is_active=True)],
                "questions": list(service.referral_questions.all()),
            },
        )

    def rule_params(self, kind: str) -> list[dict]:
        return [rule.params for rule in self.rules if rule.kind == kind]

    def youngest_ineligible_days(self) -> int:
        """A child referred this many days after birth or more would be outside the service's age window (at most
        700 days, about the oldest the seed makes)."""
        limits = [p["max_months"] for p in self.rule_params("age_window") if p.get("max_months")]
        return min([700, *(months * 28 for months in limits)])

    def takes_unborn(self) -> bool:
        """Whether the service's age window starts before birth."""
        return all(p.get("antenatal", True) for p in self.rule_params("age_window"))

    def required_answers(self) -> set[str]:
        return {name for p in self.rule_params("required_answers") for name in p.get("fields", [])}

    def eligibility_reasons(self, referral: Referral, postcode: str) -> list[dict]:
        """What `referrals.eligibility.evaluate` gives (the create action keeps it), without its queries."""
        checks = [
            CHECKS[rule.kind](rule.params, referral, postcode=postcode, **self.eligibility) for rule in self.rules
        ]
        return EligibilityResult(checks).as_list()


@dataclass
class Family:
    """What happens to one referral, decided before any of its rows is written: its kind, its dates and, once
    allocated, its VIG work (`scale_work.Work`), so the referral's closing date can follow the work."""

    day: date
    kind: str
    triaged_at: datetime | None = None
    allocated_at: datetime | None = None
    closed_at: datetime | None = None
    work: scale_work.Work | None = None


def _capped(moment: datetime | None, now: datetime) -> datetime | None:
    return min(moment, now) if moment else moment


def plan_family(ctx: ServiceContext, day: date, kind: str, today: date, rng: random.Random) -> Family:
    """The referral's story as dates: triage, allocation, the work, closure. A finished family whose work cannot
    end before today (referred too recently) becomes one that withdrew before allocation."""
    now = timezone.now()
    family = Family(day=day, kind=kind)
    if kind not in ("received", "awaiting"):
        family.triaged_at = _capped(at(day + timedelta(days=rng.randint(1, 20))), now)
    if kind in ("allocated", "finished"):
        decided = family.triaged_at or at(day + timedelta(days=2))
        family.allocated_at = _capped(decided + timedelta(days=rng.randint(5, 120)), now)
        start = family.allocated_at.date()
        if kind == "allocated":
            family.work = scale_work.plan_open(ctx.service, start, today, rng)
        else:
            family.work = scale_work.plan_finished(ctx.service, start, today, rng)
            if family.work is None:
                family.kind, family.allocated_at = "withdrawn", None
            else:
                family.closed_at = _capped(at(family.work.ends_on, 17), now)
    if family.kind in ("declined", "withdrawn"):
        family.closed_at = _capped(at(day + timedelta(days=rng.randint(30, 210))), now)
    return family


def build_referral(ctx: ServiceContext, family: Family, nhs: NHSNumbers, rng: random.Random) -> Referral:
    """One referral row in the shape the actions would have left it after the family's story."""
    day, kind = family.day, family.kind
    unborn = kind in ("received", "awaiting", "accepted") and rng.random() < 0.15 and ctx.takes_unborn()
    status = STATUS_OF[kind]
    site = rng.choice(ctx.sites)
    referral = Referral(
        service=ctx.service,
        site=site,
        status=status,
        date_received=day,
        referral_source=rng.choice(ctx.sources),
        referrer_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        referrer_role="Health visitor",
        referrer_organisation="Health visiting team",
        referrer_contact="01234 000000",
        child_unborn=unborn,
        child_name="" if unborn else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        child_date_of_birth=None
        if unborn
        else day - timedelta(days=rng.randint(0, ctx.youngest_ineligible_days() - 1)),
        expected_delivery_date=day + timedelta(days=rng.randint(20, 150)) if unborn else None,
        child_nhs_number="" if unborn or rng.random() < 0.2 else next(nhs),
        concerns=["bonding"],
        reason_details="Synthetic scale data." if rng.random() < 0.8 else "",
        safeguarding_status=rng.choices(("none_known", "child_in_need", "child_protection"), (8, 1, 1))[0],
        confidential_address=rng.random() < 0.03,
        eligibility_checked_at=at(day),
        awaiting_information_since=day + timedelta(days=2) if kind == "awaiting" else None,
        created_by=ctx.coordinator,
        created_at=at(day),
        triaged_at=family.triaged_at,
        closed_at=family.closed_at,
        closed_reason={"finished": "Finished VIG", "declined": "Not eligible", "withdrawn": "Family withdrew"}.get(
            kind, ""
        ),
    )
    referrer_answers(referral, rng, required=ctx.required_answers())
    referral.scale_postcode = _postcode(site, rng)  # the family's, for its parents (history_rows)
    referral.eligibility_reasons = ctx.eligibility_reasons(referral, referral.scale_postcode)
    referral.eligible = all(reason["passed"] for reason in referral.eligibility_reasons)
    return referral


def referrer_answers(referral: Referral, rng: random.Random, required: set[str]) -> None:
    """The optional answers a referrer gives on some referrals and not others, as the referral form takes them;
    those the service's eligibility rules require are always given (the seed's families are all eligible)."""
    if rng.random() < 0.8:
        referral.gp_practice = f"{rng.choice(LAST_NAMES)} Medical Practice"
    if rng.random() < 0.7:
        referral.named_health_visitor = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        referral.named_health_visitor_team = "Health visiting team"
        referral.named_health_visitor_address = "Child Health Clinic\n5 Clinic Way"
        referral.named_health_visitor_contact = "01234 000001"
    if rng.random() < 0.3 or "mental_health_concerns" in required:
        referral.mental_health_concerns = "Low mood since the birth."
    if rng.random() < 0.5 or "attachment_concerns" in required:
        referral.attachment_concerns = "Mum finds it hard to read the baby's cues."
    referral.parent_consented_to_referral = rng.random() < 0.95


def created_changes(referral: Referral, parents: list[Parent]) -> dict:
    """The create action's history changes: every referral and parent field given, as `diff({}, snapshot)`."""
    data = {name: plain(getattr(referral, name)) for name in REFERRAL_FIELDS}
    for parent in parents:
        data |= {f"parent {parent.order}: {name}": plain(getattr(parent, name)) for name in PARENT_FIELDS}
    return diff({}, data)


def history_rows(ctx: ServiceContext, referral: Referral, family: Family, slot, nhs: NHSNumbers, rng: random.Random):
    """Parents, triage decisions, allocations and events for one saved referral."""
    now = timezone.now()
    by, day, kind = ctx.coordinator, referral.date_received, family.kind
    family_name = rng.choice(LAST_NAMES)
    parents = [
        Parent(
            referral=referral,
            service_id=referral.service_id,
            order=order,
            name=f"{rng.choice(FIRST_NAMES)} {family_name}",
            relationship=relationship,
            date_of_birth=date(rng.randint(1975, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            nhs_number=next(nhs) if rng.random() < 0.85 else "",
            address="1 Example Street",
            postcode=referral.scale_postcode,
            phone="07700 900000" if rng.random() < 0.7 else "",
            ethnic_category=rng.choice("ABCDHJKMNRSZ"),
            letter_language="en",
        )
        for order, relationship in enumerate(("Mother", "Father")[: rng.choice((1, 1, 2))], start=1)
    ]
    created = created_changes(referral, parents)
    events = [
        ReferralEvent(
            referral=referral, at=at(day), actor=by, kind="created", summary="Referral recorded", changes=created
        )
    ]
    decisions, allocations = [], []
    decided = family.triaged_at or _capped(at(day + timedelta(days=2)), now)
    decision = {"awaiting": "request_information", "declined": "decline", "received": None}.get(kind, "accept")
    if decision:
        decisions.append(
            TriageDecision(
                referral=referral,
                decision=decision,
                reason="Does not meet the criteria" if decision == "decline" else "",
                missing_information="Child's date of birth" if decision == "request_information" else "",
                eligible_when_decided=True,
                decided_by=by,
                decided_at=decided,
            )
        )
        events.append(
            ReferralEvent(referral=referral, at=decided, actor=by, kind=f"triage_{decision}", summary="Triaged")
        )
    if family.allocated_at:
        practitioner, supervisor, over_capacity = slot if slot else (*rng.choice(ctx.practitioners)[::2], "")
        ended = kind == "finished"
        allocations.append(
            Allocation(
                referral=referral,
                practitioner=practitioner,
                supervisor=supervisor,
                allocated_by=by,
                allocated_at=family.allocated_at,
                over_capacity_reason=over_capacity,
                ended_at=referral.closed_at if ended else None,
                ended_by=practitioner if ended else None,
                end_reason=DISCHARGED_END_REASON if ended else "",
            )
        )
        name = practitioner.get_full_name() or practitioner.get_username()
        events.append(
            ReferralEvent(
                referral=referral,
                at=family.allocated_at,
                actor=by,
                kind="allocated",
                summary=f"Allocated to {name}",
                changes={"practitioner": [None, name]},
            )
        )
    if referral.closed_at and kind != "finished":  # a finished family's discharge is written with its casework
        events.append(
            ReferralEvent(referral=referral, at=referral.closed_at, actor=by, kind="closed", summary="Closed")
        )
    return parents, decisions, allocations, events


Progress = Callable[[str, int, int], None]


def fast_writes() -> None:
    """Throw-away data: a PostgreSQL commit need not wait for the disk (a crash loses the last batches at worst)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")


PARTS = 4  # each service's referrals are seeded in this many parts, so processes share the work evenly


@dataclass(frozen=True)
class Part:
    """One part of one service's referrals (positions [start, stop) of its plan), seeded as a unit: alone, or in a
    worker process beside others. Each part has its own random stream and NHS number block, so the data is the
    same however many processes seed it."""

    service: int  # index of the service
    number: int
    start: int
    stop: int

    def nhs_numbers(self) -> NHSNumbers:
        """This part's NHS numbers. The counters are dealt in LANES lanes of PARTS blocks: with the three seed
        services each part has a block of its own; with more services, services sharing a lane start at different
        places in its blocks, so a number can recur in another service (a family known to two services) but never
        within one."""
        block = NHS_NUMBERS // (LANES * PARTS)
        first = 1 + ((self.service % LANES) * PARTS + self.number) * block
        return NHSNumbers(start=first, stop=first + block - 1, offset=(self.service // LANES) * 7_919)


def parts_of(counts: list[int]) -> list[Part]:
    parts = []
    for service, count in enumerate(counts):
        bounds = [count * n // PARTS for n in range(PARTS + 1)]
        parts += [Part(service, n, bounds[n], bounds[n + 1]) for n in range(PARTS) if bounds[n] < bounds[n + 1]]
    return parts


def service_plan(ctx: ServiceContext, count: int, plan: Plan, index: int) -> tuple[list, list, dict]:
    """Each referral's date and kind, oldest first, and which practitioner holds each allocated family now. The
    same in every part (the service's own random stream), so parts agree on who holds whom."""
    rng = random.Random(f"{plan.seed}:{index}")
    start = plan.today - timedelta(days=365 * plan.years)
    days = sorted(start + timedelta(days=rng.randint(0, 365 * plan.years)) for _ in range(count))
    backlog_scale = plan.referrals / 100_000 if plan.backlogged and index == 0 else None
    if backlog_scale is None:
        slots = allocation_slots(ctx.practitioners, rng)
    else:
        slots = backlog_slots(ctx.practitioners, round(BACKLOG["allocated"] * backlog_scale), rng)
    kinds = spread_open_work(days, referral_kinds(count, len(slots), rng, backlog_scale), plan.today, rng)
    held = {i: slots.pop() for i, kind in enumerate(kinds) if kind == "allocated"}
    return days, kinds, held


def seed_part(ctx: ServiceContext, count: int, plan: Plan, part: Part, progress: Progress) -> Counter:
    """One part of a service's referrals, oldest first, in batches of BATCH, each batch in one transaction with the
    casework of its allocated families. Returns how many casework rows of each model (by label) went in."""
    days, kinds, held = service_plan(ctx, count, plan, part.service)
    rng = random.Random(f"{plan.seed}:{part.service}:{part.number}")
    nhs = part.nhs_numbers()
    service_work = scale_work.ServiceWork.load(ctx.service, random.Random(f"{plan.seed}:{part.service}:measures"))
    made, done = Counter(), 0
    for positions in batched(list(range(part.start, part.stop))):
        families = [plan_family(ctx, days[i], kinds[i], plan.today, rng) for i in positions]
        with transaction.atomic():
            referrals = Referral.objects.bulk_create([build_referral(ctx, f, nhs, rng) for f in families])
            rows = ([], [], [], [])
            allocated = []
            for i, referral, family in zip(positions, referrals, families, strict=True):
                history = history_rows(ctx, referral, family, held.get(i), nhs, rng)
                for bucket, items in zip(rows, history, strict=True):
                    bucket.extend(items)
                if family.work is not None:
                    allocated.append((referral, family.work, history[0], history[2][0]))
            for model, items in zip((Parent, TriageDecision, Allocation, ReferralEvent), rows, strict=True):
                model.objects.bulk_create(items, batch_size=BATCH)
            casework = scale_work.Casework(service_work, plan.today, rng)
            for referral, work, parents, allocation in allocated:
                casework.add(referral=referral, parents=parents, allocation=allocation, work=work)
            made += casework.save()
        done += len(positions)
        progress(ctx.service.name, done, part.stop - part.start)
    return made


_JOB = None  # what forked workers seed: (contexts, counts, plan, queue), set just before the fork


def _seed_in_worker(part: Part) -> Counter:
    contexts, counts, plan, queue = _JOB
    fast_writes()
    report = lambda _stage, done, _total: queue.put((part, done))  # noqa: E731
    return seed_part(contexts[part.service], counts[part.service], plan, part, report)


def seed_in_parallel(contexts: list, counts: list[int], plan: Plan, jobs: int, progress: Progress) -> Counter:
    """Seed the parts in `jobs` forked processes (one PostgreSQL connection each), reporting their combined
    progress as one stage. Only for a committed database: the workers cannot see an open transaction."""
    global _JOB
    fork = multiprocessing.get_context("fork")
    queue = fork.Queue()
    _JOB = (contexts, counts, plan, queue)
    connections.close_all()  # each worker opens its own; a shared socket would mix their conversations
    stage, total, done = f"Referrals and casework ({jobs} processes)", sum(counts), {}
    progress(stage, 0, total)
    made = Counter()
    try:
        with fork.Pool(jobs) as pool:
            result = pool.map_async(_seed_in_worker, parts_of(counts), chunksize=1)
            while not result.ready() or not queue.empty():
                try:
                    part, count = queue.get(timeout=0.2)
                except Empty:
                    continue
                done[part] = count
                if sum(done.values()) < total:
                    progress(stage, sum(done.values()), total)
            for counter in result.get():
                made += counter
    finally:
        _JOB = None
    progress(stage, total, total)
    return made


def seed_one_by_one(contexts: list, counts: list[int], plan: Plan, progress: Progress) -> Counter:
    """Seed the parts in this process, one stage per service."""
    made, done = Counter(), Counter()
    for part in parts_of(counts):
        ctx, count, before = contexts[part.service], counts[part.service], done[part.service]
        if before == 0:
            progress(ctx.service.name, 0, count)

        def report(stage, n, _total, ctx=ctx, count=count, before=before):
            progress(stage, before + n, count)

        made += seed_part(ctx, count, plan, part, report)
        done[part.service] += part.stop - part.start
    return made


def seed(plan: Plan, progress: Progress, jobs: int = 1) -> dict:
    """Services, staff and `plan.referrals` referrals with ten years of history and their casework; returns what
    was made. With `jobs` > 1 the services are seeded in that many processes (committed PostgreSQL only)."""
    rng = random.Random(plan.seed)
    progress("Services and staff", 0, 1)
    services = scale_services(plan.services)
    staff = create_staff(plan, services, rng)
    progress("Services and staff", 1, 1)
    per_service = plan.referrals_per_service()
    contexts = [ServiceContext.load(service, staff) for service in services]
    if jobs > 1:
        made = seed_in_parallel(contexts, per_service, plan, jobs, progress)
    else:
        made = seed_one_by_one(contexts, per_service, plan, progress)
    planner_statistics(progress)
    summarise(services, progress, jobs)
    summary = {
        "services": len(services),
        "sites": Site.objects.filter(service__in=services).count(),
        "practitioners": plan.practitioners,
        "referrals": Referral.objects.filter(service__in=services).count(),
        "active allocations": Allocation.objects.active().filter(referral__service__in=services).count(),
    }
    summary |= {str(model._meta.verbose_name_plural): made[model._meta.label] for model in scale_work.SUMMARY}
    return summary


def planner_statistics(progress: Progress) -> None:
    """ANALYZE (PostgreSQL) after bulk writing: with the planner's statistics still those of empty tables, the
    summaries' rebuild that follows chose plans for a few rows and took several times as long (the backlogged
    service's 90,000 families: 342 s, 43 s once analysed)."""
    if connection.vendor != "postgresql":
        return
    progress("Planner statistics (ANALYZE)", 0, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    progress("Planner statistics (ANALYZE)", 1, 1)


def _summarise_in_worker(service_id: int) -> int:
    fast_writes()
    return summaries.rebuild(service_id)


def summarise(services: list[Service], progress: Progress, jobs: int = 1) -> None:
    """The dashboard's summaries of the seeded services, rebuilt from the raw rows just written (ADR 0022): the bulk
    writers bypass the actions, so nothing kept them as they went, and `benchmark` must read what a service that
    ran through the actions would have. With `jobs` > 1, that many services at a time in forked processes (a
    million families take about as long to summarise as to seed, one service after another)."""
    stage = "Dashboard summaries" + (f" ({jobs} processes)" if jobs > 1 else "")
    progress(stage, 0, len(services))
    if jobs > 1:
        connections.close_all()  # each worker opens its own connection
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for n, _ in enumerate(pool.imap_unordered(_summarise_in_worker, [s.pk for s in services]), start=1):
                progress(stage, n, len(services))
        return
    for n, service in enumerate(services, start=1):
        summaries.rebuild(service.pk)
        progress(stage, n, len(services))


def already_seeded() -> bool:
    return User.objects.filter(username__startswith=USERNAME_PREFIX).exists()
