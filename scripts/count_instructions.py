"""Instructions per request for `benchmark`'s targets, counted by valgrind's callgrind: a figure the machine's other
load does not move (CPU milliseconds on a shared machine vary by ±20% between runs), for comparing two versions of
the code on the same database. Run by `scripts/count_instructions.sh`, which builds the two-line C helper that tells
callgrind where each target's requests start and end, runs this under callgrind and prints the table.

Each target is requested twice untimed (caches, compiled reads), then `--repeat` times between a zeroing of the
counters and a dump named after the target; the instructions include the database driver's (libpq's) work in this
process, not PostgreSQL's own.
"""

import argparse
import ctypes
import os
import sys

import django

sys.path.insert(0, os.getcwd())
django.setup()

from django.test import Client  # noqa: E402

from tooling import benchmark  # noqa: E402

DEFAULT_TARGETS = [
    "Referral record",
    "Practitioner home (own caseload)",
    "Coordinator home",
    "Triage queue",
    "Search page: name",
    "API referral list",
    "Visit form (practitioner)",
    "Caseloads (manager)",
    "Dashboard (manager)",
]


def main() -> None:
    """Request each target as its user (demo mode), with callgrind's counters zeroed before and dumped after."""
    parser = argparse.ArgumentParser()
    parser.add_argument("helper", help="the compiled helper (count_instructions.sh builds it)")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", help="comma-separated target names (default: the busy pages)")
    args = parser.parse_args()
    helper = ctypes.CDLL(args.helper)
    names = args.only.split(",") if args.only else DEFAULT_TARGETS
    context = benchmark.find_context()
    clients: dict[str, Client] = {}
    for name in names:
        target = next(t for t in benchmark.TARGETS if t.name == name)
        client = clients.get(target.user)
        if client is None:
            client = clients[target.user] = Client(HTTP_HOST="testserver")
            client.force_login(getattr(context, target.user))
        url = target.url(context)
        for _ in range(2):
            if client.get(url, secure=True).status_code != 200:
                raise SystemExit(f"{name}: not 200")
        helper.zero()
        for _ in range(args.repeat):
            client.get(url, secure=True)
        helper.dump(name.encode())


if __name__ == "__main__":
    main()
