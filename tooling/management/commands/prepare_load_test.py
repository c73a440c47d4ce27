"""Give `make load-test` its cast on a `seed_scale` database: a few staff who can sign in, API tokens, visits to
record (tooling.load_test). Demo mode and a throw-away (`_scale`) database only: it sets a known password."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tooling import load_test


class Command(BaseCommand):
    help = "Prepare a seed_scale database for the load test; write the cast as JSON (demo mode, _scale only)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="Where to write the cast (JSON) for the locustfile.")
        parser.add_argument("--practitioners", type=int, default=20)
        parser.add_argument("--visits-each", type=int, default=40)
        parser.add_argument("--api-clients", type=int, default=4)
        parser.add_argument("--i-know-this-is-throwaway", action="store_true", dest="throwaway")

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("prepare_load_test runs only in demo mode (DEMO_MODE=1): it sets a known password.")
        name = str(connection.settings_dict["NAME"])
        if not name.endswith("_scale") and not options["throwaway"]:
            raise CommandError(f"The database {name!r} is not a throw-away _scale database.")
        try:
            cast = load_test.prepare(
                practitioners=options["practitioners"],
                visits_each=options["visits_each"],
                api_clients=options["api_clients"],
            )
        except LookupError as error:
            raise CommandError(str(error)) from error
        with open(options["out"], "w", encoding="utf-8") as out:
            json.dump(cast.as_json(), out)
        self.stdout.write(
            f"Cast: {len(cast.coordinators)} coordinators, {len(cast.practitioners)} practitioners, "
            f"{len(cast.managers)} managers, {len(cast.api_tokens)} API tokens."
        )
