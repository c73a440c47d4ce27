"""Run by test_pgbouncer.py in a process of its own, whose DATABASE_URL names PgBouncer (transaction mode) in front
of a throw-away PostgreSQL: migrate through it, then a coordinator's and a manager's work through the pages and the
actions. Prints one JSON object of status codes and counts (the test asserts on it)."""

import json
import os
import sys


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import Service
    from referrals.models import Referral
    from tests.conftest import verify_session
    from tests.factories import staff
    from tests.referrals.allocation_helpers import set_details
    from tests.referrals.helpers import make_referral, post_data

    call_command("migrate", verbosity=0)
    from tooling.demo import configure_seed_services

    configure_seed_services()
    service = Service.objects.get(slug="cpft-perinatal-vig")
    coordinator = staff("coordinator", service, "coordinator")
    manager = staff("manager", service, "manager")
    practitioner = staff("practitioner", service, "practitioner", sites=list(service.sites.all()))
    set_details(practitioner, service, coordinator)
    for _ in range(3):
        make_referral(service, coordinator)

    out = {"server_side_cursors_disabled": connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"]}
    desk = Client()
    verify_session(desk, coordinator)
    out["new_referral"] = desk.post(
        "/referrals/new/", {**post_data(service), "confirm_not_duplicate": "yes"}
    ).status_code
    referral = Referral.objects.order_by("-pk").first()
    out["triage_queue"] = desk.get("/referrals/triage/").status_code
    out["search"] = desk.get("/referrals/search/", {"name": "Example"}).status_code
    out["triage"] = desk.post(f"/referrals/{referral.pk}/triage/", {"decision": "accept"}).status_code
    out["allocate"] = desk.post(f"/referrals/{referral.pk}/allocate/", {"practitioner": practitioner.pk}).status_code
    out["record"] = desk.get(f"/referrals/{referral.pk}/").status_code
    out["api_list"] = len(desk.get("/api/v1/referrals/").json()["results"])
    boss = Client()
    verify_session(boss, manager)
    out["dashboard"] = boss.get("/dashboards/").status_code
    csv = boss.get("/dashboards/figures/export.csv", {"figure": "received"})  # .iterator(): client-side cursor
    out["figure_csv"] = csv.status_code
    out["figure_csv_rows"] = len(csv.content.decode().splitlines()) - 1
    out["audit"] = boss.get("/audit/").status_code
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        out["jit"] = cursor.fetchone()[0]
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vig_service.settings")
    main()
