"""Standing fixtures: the seed services and people in them, and a verified log-in.

Service A is seed 000 (Cambridgeshire and Peterborough); service B is seed 004 (Mersey Care). Each role exists in
both so every permission test can try another service's ids.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, Service, TrainingStatus
from tests.factories import UserFactory, staff
from tests.services import ObjectStore, start_s3_server
from tooling.demo import configure_seed_services

# Playwright's sync API runs an event loop in the test thread; the ORM calls we make from tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# What every test runs with (`_fast_and_strict`); module-scoped fixtures that make rows apply it themselves.
STRICT_TEST_SETTINGS = {
    "DEMO_MODE": False,
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
}


@pytest.fixture(autouse=True)
def _fast_and_strict(settings):
    for name, value in STRICT_TEST_SETTINGS.items():
        setattr(settings, name, value)


@contextmanager
def rows_for_the_module(django_db_blocker) -> Iterator[None]:
    """Rows a module's tests share: made once inside an outer transaction that is rolled back after the module.

    For a module-scoped fixture that makes costly rows (the demo's families) that every test of the module reads.
    Each test's `db` then runs in a savepoint inside this transaction and is rolled back as usual, so every test
    starts from exactly these rows, as if it had made them itself, and nothing is left behind after the module.
    Only for modules whose tests all use `db` (not `transactional_db`: its flush would delete the shared rows).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def services(db) -> list[Service]:
    return configure_seed_services()


@pytest.fixture
def service(services) -> Service:
    return Service.objects.get(slug="cpft-perinatal-vig")


@pytest.fixture
def other_service(services) -> Service:
    return Service.objects.get(slug="mersey-care-building-attachment-and-bonds")


@pytest.fixture
def peterborough(service):
    return service.sites.get(name="Peterborough")


@pytest.fixture
def cambridgeshire(service):
    return service.sites.get(name="Cambridgeshire")


@pytest.fixture
def coordinator(service):
    return staff("coordinator", service, Role.COORDINATOR)


@pytest.fixture
def site_coordinator(service, peterborough):
    """A coordinator limited to Peterborough."""
    return staff("site_coordinator", service, Role.COORDINATOR, sites=[peterborough])


@pytest.fixture
def practitioner(service, peterborough):
    return staff("practitioner", service, Role.PRACTITIONER, sites=[peterborough])


@pytest.fixture
def other_practitioner(service, peterborough):
    """Same service, different caseload."""
    return staff("other_practitioner", service, Role.PRACTITIONER, sites=[peterborough])


@pytest.fixture
def trainee(service, cambridgeshire):
    return staff("trainee", service, Role.PRACTITIONER, sites=[cambridgeshire], training_status=TrainingStatus.TRAINEE)


@pytest.fixture
def supervisor(service):
    return staff("supervisor", service, Role.SUPERVISOR)


@pytest.fixture
def manager(service):
    return staff("manager", service, Role.MANAGER)


@pytest.fixture
def service_admin(service):
    return staff("service_admin", service, Role.SERVICE_ADMIN)


@pytest.fixture
def other_coordinator(other_service):
    return staff("other_coordinator", other_service, Role.COORDINATOR)


@pytest.fixture
def other_service_practitioner(other_service):
    return staff("other_service_practitioner", other_service, Role.PRACTITIONER)


@pytest.fixture
def other_trainee(other_service):
    return staff("other_trainee", other_service, Role.PRACTITIONER, training_status=TrainingStatus.TRAINEE)


@pytest.fixture
def other_supervisor(other_service):
    return staff("other_supervisor", other_service, Role.SUPERVISOR)


@pytest.fixture
def other_service_admin(other_service):
    return staff("other_service_admin", other_service, Role.SERVICE_ADMIN)


@pytest.fixture
def other_manager(other_service):
    return staff("other_manager", other_service, Role.MANAGER)


@pytest.fixture
def nobody(db):
    """Signed in, second factor passed, but no role anywhere."""
    return UserFactory(username="nobody")


def verify_session(client, user) -> None:
    """Sign `user` in on the test client as if they had passed the second factor."""
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def login(client):
    """`login(user)` → a test client signed in with both factors."""

    def _login(user):
        verify_session(client, user)
        return client

    return _login


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API server (moto's) on loopback for the whole session; its endpoint."""
    server, endpoint = start_s3_server()
    yield endpoint
    server.stop()


PRIVATE_ALIASES = {
    "letters": "letters",
    "dashboard_exports": "dashboard-exports",
    "consent_forms": "",
    "films": "films",
}


@pytest.fixture
def object_store(settings, s3_server) -> ObjectStore:
    """Every private file of this test goes to a new private bucket on the S3 server, as OBJECT_STORAGE_* would
    send it (core/storage.py). Returns the bucket, with a client of its own for checking what is there."""
    store = ObjectStore(s3_server, f"vig-test-{uuid.uuid4().hex[:12]}")
    settings.OBJECT_STORAGE_OPTIONS = store.options()
    settings.STORAGES = {
        **settings.STORAGES,
        **{
            alias: {"BACKEND": "core.storage.PrivateObjectStorage", "OPTIONS": {**store.options(), "location": prefix}}
            for alias, prefix in PRIVATE_ALIASES.items()
        },
    }
    return store
