"""Timing key pages and API lists through the whole stack, as the people who use them, for `benchmark`.

Each target is one line in TARGETS: a name, whose session requests it, and how to build its URL from the data
found in the database. Requests go through django.test.Client, so middleware, permissions, templates and the
access log all run, as they would for a real request (minus the network).
"""

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Role, User
from cycles.models import Visit
from referrals.models import Allocation, Parent, Referral
from referrals.states import ReferralStatus
from tooling.scale import USERNAME_PREFIX


@dataclass
class Context:
    """The people and records the targets use: a service's coordinator, manager and busiest practitioner."""

    coordinator: User
    manager: User
    practitioner: User
    practitioner_membership: Membership
    referral: Referral  # an allocated family, for the record page
    waiting: Referral  # the longest waiting accepted family, for the allocation page
    visit_id: int | None  # a planned visit of the practitioner's, for the visit form
    nhs_number: str
    name: str
    postcode: str


@dataclass(frozen=True)
class Target:
    name: str
    user: str  # which Context user asks
    url: Callable[[Context], str]


def _q(url_name: str, /, **params) -> str:
    return f"{reverse(url_name)}?{urlencode(params)}"


def _pk(name: str, pk: int) -> str:
    return reverse(name, kwargs={"pk": pk})


# Adding a page is one line here.
TARGETS = [
    Target("Coordinator home", "coordinator", lambda c: reverse("home")),
    Target("Triage queue", "coordinator", lambda c: reverse("referrals:triage_queue")),
    Target("Waiting list", "coordinator", lambda c: reverse("referrals:waiting_list")),
    Target("Search page: NHS number", "coordinator", lambda c: _q("referrals:search", nhs_number=c.nhs_number)),
    Target("Search page: name", "coordinator", lambda c: _q("referrals:search", name=c.name)),
    Target("Search page: postcode", "coordinator", lambda c: _q("referrals:search", postcode=c.postcode)),
    Target("Referral record", "coordinator", lambda c: _pk("referrals:detail", c.referral.pk)),
    Target("Allocation page", "coordinator", lambda c: _pk("referrals:allocate", c.waiting.pk)),
    Target("Caseloads (manager)", "manager", lambda c: reverse("referrals:caseloads")),
    Target(
        "Practitioner caseload (manager)",
        "manager",
        lambda c: reverse("referrals:practitioner_caseload", kwargs={"membership_id": c.practitioner_membership.pk}),
    ),
    Target("Practitioner home (own caseload)", "practitioner", lambda c: reverse("home")),
    Target("API referral list", "coordinator", lambda c: reverse("api:referral-list")),
    Target(
        "API referral list filtered by status",
        "coordinator",
        lambda c: _q("api:referral-list", status=ReferralStatus.ACCEPTED),
    ),
    Target("API search: NHS number", "coordinator", lambda c: _q("api:referral-list", nhs_number=c.nhs_number)),
    Target("API search: name", "coordinator", lambda c: _q("api:referral-list", name=c.name)),
    Target("API search: postcode", "coordinator", lambda c: _q("api:referral-list", postcode=c.postcode)),
    Target("API practitioners", "manager", lambda c: reverse("api:practitioner-list")),
    Target("API candidates", "coordinator", lambda c: _pk("api:referral-candidates", c.waiting.pk)),
    Target("Practitioner diary", "practitioner", lambda c: reverse("cycles:diary")),
    Target("Visit form (practitioner)", "practitioner", lambda c: _pk("cycles:visit_record", c.visit_id)),
    Target("Family outcomes page", "coordinator", lambda c: _pk("outcomes:family", c.referral.pk)),
    Target("Dashboard (manager)", "manager", lambda c: reverse("dashboards:dashboard")),
    Target("Dashboard figure list: waiting", "manager", lambda c: _q("dashboards:figure_list", figure="waiting")),
    Target("Dashboard commissioner return", "manager", lambda c: reverse("dashboards:commissioner_csv")),
    # The audit viewer over the access log (ADR 0023: monthly partitions; seed_scale --access-log-rows for its size).
    Target("Audit: a family's rows", "manager", lambda c: _q("audit:log", family=c.referral.reference)),
    Target("Audit: a person's rows", "manager", lambda c: _q("audit:log", person=c.practitioner.pk)),
    Target("Audit: the recent log", "manager", lambda c: reverse("audit:log")),
]


def _first_user(role: str, **filters) -> Membership:
    memberships = Membership.objects.active().filter(role=role, sites=None, **filters).select_related("user")
    scale = memberships.filter(user__username__startswith=USERNAME_PREFIX)
    found = scale.order_by("pk").first() or memberships.order_by("pk").first()
    if found is None:
        raise LookupError(f"No active {role} to benchmark as: run seed_scale (or load_demo_data) first.")
    return found


def find_context() -> Context:
    """Pick the people and records to ask for, preferring the scale data's first service."""
    coordinator = _first_user(Role.COORDINATOR)
    service_id = coordinator.service_id
    manager = _first_user(Role.MANAGER, service_id=service_id)
    busiest = (
        Allocation.objects.active()
        .filter(referral__service_id=service_id, referral__status=ReferralStatus.ALLOCATED)
        .values("practitioner_id")
        .order_by()
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        raise LookupError("No allocated families to benchmark with: run seed_scale first.")
    membership = Membership.objects.select_related("user").get(
        user_id=busiest["practitioner_id"], service_id=service_id, role=Role.PRACTITIONER
    )
    referrals = Referral.objects.filter(service_id=service_id)
    allocated = referrals.filter(status=ReferralStatus.ALLOCATED).order_by("pk").first()
    waiting = referrals.filter(status=ReferralStatus.ACCEPTED).order_by("date_received", "pk").first()
    visit = Visit.objects.planned().filter(practitioner=membership.user).order_by("planned_at", "pk").first()
    parent = (
        Parent.objects.filter(referral__service_id=service_id, referral__confidential_address=False)
        .exclude(nhs_number="")
        .exclude(postcode="")
        .order_by("-pk")
        .first()
    )
    return Context(
        coordinator=coordinator.user,
        manager=manager.user,
        practitioner=membership.user,
        practitioner_membership=membership,
        referral=allocated,
        waiting=waiting or allocated,
        visit_id=visit.pk if visit else None,
        nhs_number=parent.nhs_number,
        name=parent.name.split()[-1],
        postcode=parent.postcode.split()[0],
    )


@dataclass
class Result:
    name: str
    url: str
    status: int
    queries: int
    p50_ms: float
    p95_ms: float
    cpu_ms: float = 0.0  # median CPU time of this process (the app's share; PostgreSQL's is its own)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: p95 of 30 requests is the 29th slowest, a real request not an interpolation."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class QueryCounter:
    """Counts SQL statements as they run."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(client: Client, url: str, repeat: int, profiler=None) -> tuple[int, int, list[float], list[float]]:
    """One untimed request counting its queries (it also warms caches), then `repeat` timed ones: wall and CPU
    milliseconds (the CPU this thread spent, which the rest of the machine's load hardly changes)."""
    counter = QueryCounter()
    with connection.execute_wrapper(counter):  # not CaptureQueriesContext: request_started resets its log
        response = client.get(url, secure=True)
    timings, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.thread_time()
        if profiler is not None:
            profiler.enable()
        client.get(url, secure=True)
        if profiler is not None:
            profiler.disable()
        cpu.append((time.thread_time() - cpu_started) * 1000)
        timings.append((time.perf_counter() - started) * 1000)
    return response.status_code, counter.count, timings, cpu


def run(targets: list[Target], repeat: int, host: str = "testserver", profiler=None) -> list[Result]:
    """Measure every target as its user; a verified session is not needed because demo mode is required."""
    context = find_context()
    clients: dict[str, Client] = {}
    results = []
    for target in targets:
        if target.user not in clients:
            clients[target.user] = Client(HTTP_HOST=host)
            clients[target.user].force_login(getattr(context, target.user))
        url = target.url(context)
        status, queries, timings, cpu = measure(clients[target.user], url, repeat, profiler)
        results.append(
            Result(
                name=target.name,
                url=url,
                status=status,
                queries=queries,
                p50_ms=round(statistics.median(timings), 1),
                p95_ms=round(percentile(timings, 95), 1),
                cpu_ms=round(statistics.median(cpu), 1),
            )
        )
    return results


def table(results: list[Result]) -> str:
    """A plain-text table for the terminal and for pasting into an issue."""
    width = max(len(r.name) for r in results)
    lines = [f"{'Target':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  {'CPU ms':>8}  {'queries':>7}  status"]
    for r in results:
        lines.append(
            f"{r.name:<{width}}  {r.p50_ms:>8.1f}  {r.p95_ms:>8.1f}  {r.cpu_ms:>8.1f}  {r.queries:>7}  {r.status}"
        )
    return "\n".join(lines)


# --- The dashboard's floors (dashboards/floors.py): one hand-written SQL statement per figure ----------------------


def dashboard_floors(repeat: int) -> list:
    """Time each floor for the scope the benchmark's manager sees by default (their service, the last 12 months)."""
    from django.utils import timezone

    from dashboards import floors
    from dashboards.reads import Scope, default_period

    context = find_context()
    start, end = default_period()
    service = context.practitioner_membership.service
    scope = Scope(user=context.manager, service=service, site=None, start=start, end=end)
    return floors.measure(scope, repeat, today=timezone.localdate(), now=timezone.now(), percentile=percentile)
