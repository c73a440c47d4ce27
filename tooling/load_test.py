"""The people and records `make load-test` plays with, on a database filled by `seed_scale` (demo mode only).

`seed_scale`'s staff cannot sign in (their passwords are unusable: the benchmark uses `force_login`), but the load
test signs in over HTTP like anyone, so `prepare_load_test` gives a few of them the demo password (hashed with the
settings' PBKDF2, as any password), issues API tokens for the API clients, and books visits a day ago for the
practitioners to record (bulk-inserted, as `seed_scale` writes its visits: booking through the action refuses a
time in the past). What it chose is written as JSON for the locustfile. Synthetic data, throw-away database only.
"""

import random
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import Membership, Role, User
from cycles.models import Visit
from referrals.models import Allocation, Parent, Referral
from referrals.states import ReferralStatus
from tooling.demo import DEMO_PASSWORD
from tooling.scale import USERNAME_PREFIX


@dataclass
class Practitioner:
    username: str
    referral_ids: list[int]
    visit_ids: list[int]  # booked a day ago, to record


@dataclass
class Coordinator:
    username: str
    referral_ids: list[int]  # families of their service, to open
    searches: list[dict] = field(default_factory=list)  # query parameters of the search page


@dataclass
class Cast:
    password: str
    coordinators: list[Coordinator]
    managers: list[str]
    practitioners: list[Practitioner]
    api_tokens: list[str]

    def as_json(self) -> dict:
        return asdict(self)


def _scale_members(role: str) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(role=role, sites=None, user__username__startswith=USERNAME_PREFIX)
        .select_related("user", "service")
        .order_by("service_id", "pk")
    )


def _sign_in_with_demo_password(users: list[User]) -> None:
    for user in users:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])


def prepare(*, practitioners: int = 20, visits_each: int = 40, api_clients: int = 4, seed: int = 2026) -> Cast:
    """Choose the cast, give them a password, tokens and visits to record; return what the locustfile needs."""
    rng = random.Random(seed)
    coordinators = _scale_members(Role.COORDINATOR)
    managers = _scale_members(Role.MANAGER)
    if not coordinators or not managers:
        raise LookupError("No scale staff: run seed_scale first.")
    busiest = list(
        Allocation.objects.active()
        .filter(referral__status=ReferralStatus.ALLOCATED, practitioner__username__startswith=USERNAME_PREFIX)
        .values("practitioner_id")
        .order_by()
        .annotate(n=Count("pk"))
        .order_by("-n", "practitioner_id")[:practitioners]
    )
    practitioner_users = list(User.objects.filter(pk__in=[row["practitioner_id"] for row in busiest]).order_by("pk"))
    _sign_in_with_demo_password([m.user for m in coordinators + managers] + practitioner_users)

    yesterday = timezone.now() - timedelta(days=1)
    cast_practitioners = []
    for user in practitioner_users:
        caseload = list(
            Allocation.objects.active()
            .filter(practitioner=user, referral__status=ReferralStatus.ALLOCATED)
            .values_list("referral_id", flat=True)
            .order_by("referral_id")
        )
        booked = Visit.objects.bulk_create(
            Visit(
                referral_id=caseload[n % len(caseload)],
                practitioner=user,
                planned_at=yesterday - timedelta(minutes=n),
                created_by=user,
                created_at=yesterday - timedelta(days=7),
            )
            for n in range(visits_each)
        )
        cast_practitioners.append(Practitioner(user.username, caseload, [v.pk for v in booked]))

    api_users = [m.user for m in coordinators]
    tokens = []
    for n in range(api_clients):
        _instance, token = AuthToken.objects.create(user=api_users[n % len(api_users)], expiry=timedelta(hours=8))
        tokens.append(token)

    cast_coordinators = [
        Coordinator(m.user.username, _families_of(m.service_id), _searches_in(m.service_id, rng)) for m in coordinators
    ]
    return Cast(
        password=DEMO_PASSWORD,
        coordinators=cast_coordinators,
        managers=[m.user.username for m in managers],
        practitioners=cast_practitioners,
        api_tokens=tokens,
    )


def _families_of(service_id: int) -> list[int]:
    return list(Referral.objects.filter(service_id=service_id).order_by("?").values_list("pk", flat=True)[:300])


def _searches_in(service_id: int, rng: random.Random) -> list[dict]:
    """Searches a coordinator of this service would make: an NHS number, a surname or a postcode district."""
    parents = (
        Parent.objects.filter(referral__service_id=service_id, referral__confidential_address=False)
        .exclude(nhs_number="")
        .exclude(postcode="")
        .order_by("?")
        .values("nhs_number", "name", "postcode")[:30]
    )
    searches = []
    for parent in parents:
        kind = rng.choice(("nhs_number", "name", "postcode"))
        value = {
            "nhs_number": parent["nhs_number"],
            "name": parent["name"].split()[-1],
            "postcode": parent["postcode"].split()[0],
        }[kind]
        searches.append({kind: value})
    return searches
