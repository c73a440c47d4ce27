"""schemathesis against the app's own OpenAPI schema, in-process (WSGI), with data in the database: every operation
as a coordinator, and the dashboard's as a manager too (a coordinator's answer there is mostly 403). No 5xx, every
status code documented, every body and content type as the schema says (issues 8 and 17).

Bounded so it can run in `make test`: positive data only, a few examples per operation, a fixed seed and
derandomised Hypothesis with no example database, so a run is the same every time on SQLite and PostgreSQL.
"""

import time
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from knox.models import AuthToken
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Membership, Role
from referrals import actions
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral, set_details
from tests.referrals.helpers import make_referral

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 6
DEBUG_400 = False  # True prints each 400 with its body, to see what the schema could still state
# The film vault's resumable upload takes a film's bytes as tus sends them (ADR 0025): generated as raw bytes.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")

CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance, content_type_conformance]
CHECKS.append(response_schema_conformance)
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260408,
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"mode": "positive", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    }
)


@pytest.fixture
def world(service, coordinator, practitioner, trainee, supervisor, other_coordinator, other_service, manager):
    """Referrals in each state, in both services, and the ids the fuzzer should hit as well as random ones."""
    set_details(practitioner, service, coordinator, capacity=20)
    set_details(trainee, service, coordinator, supervisor=supervisor, capacity=20)
    made = [make_referral(service, coordinator), accepted_referral(service, coordinator)]
    made.append(allocated_referral(service, coordinator, practitioner))
    made.append(make_referral(other_service, other_coordinator))
    declined = make_referral(service, coordinator)
    actions.triage_referral(referral=declined, decision="decline", reason="Out of area", by=coordinator)
    people = list(Membership.objects.filter(role=Role.PRACTITIONER).values_list("user_id", flat=True))
    return {
        "id": [r.pk for r in made] + [declined.pk],
        "user_id": people,
        "slug": [service.slug, other_service.slug],
        "service": [service.slug, other_service.slug],
        "trainee": people,
    }


@pytest.fixture
def wsgi_app():
    """Django's own WSGI app, in this thread and this test's transaction (the test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _aim(case, world) -> None:
    """Half the path ids and query filters point at real records (chosen from the generated value), half stay as
    generated."""
    for place in (case.path_parameters, case.query):
        for name, choices in world.items():
            value = place.get(name) if place else None
            pick = zlib.crc32(str(value).encode())  # not hash(): that changes with PYTHONHASHSEED
            if value is not None and pick % 2 == 0:
                place[name] = choices[pick % len(choices)]


def _operations():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(raw, config=CONFIG)
    return [result.ok() for result in loaded.get_all_operations()]


def _as_manager(operation) -> bool:
    return operation.definition.raw.get("operationId", "").startswith("dashboard_")


def _fuzz(operation, user, *, world, wsgi_app, failures: list, counts: dict) -> None:
    """A few generated requests to one operation as `user`; what fails is added to `failures`."""

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy())
    def run(case):
        _aim(case, world)
        _, token = AuthToken.objects.create(user=user)  # fresh each time: the revoke operation ends it
        response = case.call(app=wsgi_app, headers={"Authorization": f"Token {token}"})
        counts["cases"] += 1
        if response.status_code == 400 and DEBUG_400:
            print("400", case.method, case.formatted_path, case.body, response.text[:300])
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as failure:  # noqa: BLE001 - reported all together below
            failures.append(f"{case.operation.label} as {user.username}: {failure}")

    run()


def test_api_conforms_to_its_schema(world, wsgi_app, coordinator, manager):
    """Every operation, a few generated requests each. Failures are collected so one run shows them all."""
    failures, counts = [], {"cases": 0}
    started = time.monotonic()
    operations = _operations()
    runs = [(operation, coordinator) for operation in operations]
    runs += [(operation, manager) for operation in operations if _as_manager(operation)]
    assert len(runs) > len(operations), "the dashboard operations are in the schema"
    for operation, user in runs:
        _fuzz(operation, user, world=world, wsgi_app=wsgi_app, failures=failures, counts=counts)
    seconds = time.monotonic() - started
    # Printed, never asserted: speed is the benchmark's to measure, and a loaded machine is no failure.
    print(f"schemathesis: {counts['cases']} cases, {len(failures)} failures, {seconds:.1f} s")
    assert failures == []
    assert counts["cases"] >= 5 * len(runs)
