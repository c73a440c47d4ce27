"""The replica router's rules, on the test database: which reads may lag, and that any write pins the request to
the primary. The real streaming replica is in test_replica_streaming.py (slow)."""

import pytest
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, transaction
from django.urls import reverse

from accounts.audit import log_access
from accounts.models import AccessAction, Service
from core import replica
from core.replica import REPLICA, ReplicaRouter, lag_tolerant_reads, request_scope
from referrals.models import Referral


@pytest.fixture
def configured(monkeypatch):
    monkeypatch.setattr(replica, "replica_configured", lambda: True)


def test_nothing_goes_to_the_replica_outside_a_lag_tolerant_view(configured):
    router = ReplicaRouter()
    assert router.db_for_read(Referral) == DEFAULT_DB_ALIAS
    with request_scope():
        assert router.db_for_read(Referral) == DEFAULT_DB_ALIAS


def test_lag_tolerant_reads_go_to_the_replica_until_the_block_ends(configured, db):
    router = ReplicaRouter()
    with request_scope():
        with lag_tolerant_reads():
            assert router.db_for_read(Referral) == REPLICA
        assert router.db_for_read(Referral) == DEFAULT_DB_ALIAS


def test_without_a_replica_everything_reads_the_primary(db):
    with lag_tolerant_reads():
        assert ReplicaRouter().db_for_read(Referral) == DEFAULT_DB_ALIAS
    assert replica.read_alias() == DEFAULT_DB_ALIAS


@pytest.mark.parametrize(
    "write",
    [
        lambda s: s.save(update_fields=["name"]),
        lambda s: Service.objects.filter(pk=s.pk).update(name=s.name),
        lambda s: list(Service.objects.select_for_update().filter(pk=s.pk)),
        lambda s: Service.objects.get_or_create(slug=s.slug, defaults={"name": s.name}),
    ],
    ids=["save", "update", "select_for_update", "get_or_create"],
)
def test_any_write_keeps_the_rest_of_the_request_on_the_primary(configured, service, write):
    router = ReplicaRouter()
    with request_scope(), lag_tolerant_reads():
        assert router.db_for_read(Referral) == REPLICA
        with transaction.atomic():
            write(service)
        assert router.db_for_read(Referral) == DEFAULT_DB_ALIAS
    with request_scope(), lag_tolerant_reads():
        assert router.db_for_read(Referral) == REPLICA  # the next request starts clean


def test_an_access_log_append_does_not_pin_the_request(configured, coordinator, rf):
    request = rf.get("/")
    request.user = coordinator
    with request_scope(), lag_tolerant_reads():
        log_access(action=AccessAction.VIEW, request=request, object_type="dashboards.dashboard", object_id=1)
        assert ReplicaRouter().db_for_read(Referral) == REPLICA


def test_sign_in_state_is_always_read_from_the_primary(configured, db):
    with request_scope(), lag_tolerant_reads():
        assert ReplicaRouter().db_for_read(Session) == DEFAULT_DB_ALIAS


def test_migrations_and_writes_only_on_the_primary():
    router = ReplicaRouter()
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "referrals") and not router.allow_migrate(REPLICA, "referrals")
    assert router.db_for_write(Referral) == DEFAULT_DB_ALIAS


@pytest.fixture
def decisions(monkeypatch, configured):
    """Record each read's decision; run it on the test database (the alias stays the primary's)."""
    seen = []
    original = ReplicaRouter.may_lag

    def spy(self, model):
        answer = original(self, model)
        seen.append((model._meta.label, answer))
        return answer

    monkeypatch.setattr(ReplicaRouter, "may_lag", spy)
    monkeypatch.setattr(replica, "REPLICA", DEFAULT_DB_ALIAS)
    return seen


@pytest.mark.parametrize(
    "url",
    [
        reverse("dashboards:dashboard"),
        reverse("dashboards:figure_list") + "?figure=received",
        reverse("dashboards:commissioner_csv"),
        reverse("dashboards:commissioner_return"),
        reverse("api:dashboard"),
    ],
)
def test_the_dashboard_its_lists_and_the_return_read_lag_tolerantly(login, manager, decisions, url):
    assert login(manager).get(url).status_code == 200
    # Figures read families' rows, or since ADR 0022 the summaries kept of them: either way from the replica.
    assert any(answer for label, answer in decisions if label.startswith(("referrals.", "dashboards.")))
    assert ("sessions.Session", True) not in decisions


def test_the_audit_viewer_reads_lag_tolerantly(login, manager, decisions):
    assert login(manager).get(reverse("audit:log")).status_code == 200
    assert any(answer for label, answer in decisions if label == "accounts.AccessEvent")


def test_pages_that_are_not_lag_tolerant_read_the_primary(login, coordinator, decisions):
    assert login(coordinator).get(reverse("referrals:triage_queue")).status_code == 200
    assert decisions and not any(answer for _, answer in decisions)
