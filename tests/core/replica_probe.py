"""Run by test_replica_streaming.py in a process of its own, whose DATABASE_URL and DATABASE_REPLICA_URL name a
throw-away primary and its streaming replica. It pauses the replica's replay so the replica lags, then asks the
app, and prints what it saw as one JSON object (the test asserts on it)."""

import json
import os
import sys
import time


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from accounts.audit import log_access
    from accounts.models import AccessAction, AccessEvent, Service
    from core.replica import lag_tolerant_reads, request_scope
    from referrals.models import Referral
    from tests.conftest import verify_session
    from tests.factories import staff
    from tests.referrals.helpers import make_referral
    from tooling.demo import configure_seed_services

    call_command("migrate", verbosity=0)
    configure_seed_services()
    service = Service.objects.get(slug="cpft-perinatal-vig")
    manager = staff("manager", service, "manager")
    coordinator = staff("coordinator", service, "coordinator")
    make_referral(service, coordinator)
    make_referral(service, coordinator)
    primary, replica = connections["default"], connections["replica"]

    def caught_up() -> None:
        """Wait until the replica has replayed everything the primary has inserted. The insert position, not the
        write position: the throw-away primary runs with synchronous_commit off, so a commit can return before its
        record is written, and a replica "caught up" with the write position could still miss the last referral."""
        with primary.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()")
            lsn = cursor.fetchone()[0]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with replica.cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.1)
        raise SystemExit("the replica did not catch up")

    def dashboard_total(client) -> int:
        response = client.get("/api/v1/dashboard/")
        assert response.status_code == 200, response.content[:500]
        return response.json()["referrals_in"]["total"]

    out = {}
    client = Client()
    verify_session(client, manager)
    caught_up()
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    make_referral(service, coordinator)  # on the primary only, while the replica waits
    out["primary_count"] = Referral.objects.count()
    out["replica_count"] = Referral.objects.using("replica").count()

    replica.force_debug_cursor = primary.force_debug_cursor = True
    replica.queries_log.clear()
    out["dashboard_total_lagging"] = dashboard_total(client)
    out["dashboard_queries_on_replica"] = len(replica.queries)
    out["dashboard_page_status"] = client.get("/dashboards/").status_code
    out["dashboard_logged_on_primary"] = AccessEvent.objects.filter(object_type="dashboards.dashboard").count()
    out["dashboard_log_rows_on_replica"] = (
        AccessEvent.objects.using("replica").filter(object_type="dashboards.dashboard").count()
    )

    verify_session(client, coordinator)
    out["api_list_count"] = len(client.get("/api/v1/referrals/").json()["results"])  # not lag tolerant

    # A lag-tolerant block that writes: reads before the write lag, reads after it see the primary.
    request = type("Request", (), {"user": manager, "META": {"REMOTE_ADDR": "127.0.0.1"}, "path": "/probe"})()
    with request_scope(), lag_tolerant_reads():
        out["in_scope_before_write"] = Referral.objects.count()
        log_access(action=AccessAction.VIEW, request=request, object_type="probe", object_id=1)
        out["in_scope_after_access_log"] = Referral.objects.count()
        Service.objects.filter(pk=service.pk).update(name=service.name)
        out["in_scope_after_write"] = Referral.objects.count()

    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    caught_up()
    verify_session(client, manager)
    out["dashboard_total_caught_up"] = dashboard_total(client)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vig_service.settings")
    main()
