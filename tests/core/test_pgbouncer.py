"""The app behind PgBouncer in transaction mode (docs/operations.md): no session state in connections, no
server-side cursors. A throw-away PostgreSQL with PgBouncer in front on loopback; migrate and work through it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pg_cluster import Cluster, pgbouncer_bin

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "vig_bouncer_test"


@pytest.fixture(scope="module")
def cluster():
    """One throw-away PostgreSQL with PgBouncer for the module: the second test's probe is refused at connecting,
    so it neither changes nor depends on what the first one migrated."""
    pgbouncer_bin()  # skip (locally) or fail (CI) before starting anything
    made = Cluster()
    try:
        made.start_primary()
        made.sql(made.primary_port, f"CREATE DATABASE {DATABASE}")
        # JIT off as the database's own setting: PgBouncer refuses the `options` start-up parameter.
        made.sql(made.primary_port, f"ALTER DATABASE {DATABASE} SET jit = off")
        made.start_bouncer(DATABASE)
        yield made
    finally:
        made.stop()


def run_probe(cluster, **extra) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DATABASE_REPLICA_URL"}},
        "DATABASE_URL": cluster.url(cluster.bouncer_port, DATABASE),
        "DATABASE_PG_OPTIONS": "",
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "1",
        "TESTING": "1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "tests.core.bouncer_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.postgres
def test_the_app_works_through_pgbouncer_in_transaction_mode(cluster):
    result = run_probe(cluster)
    assert result.returncode == 0, result.stderr[-4000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["server_side_cursors_disabled"] is True
    assert seen["new_referral"] == 302 and seen["triage"] == 302 and seen["allocate"] == 302
    for page in ("triage_queue", "search", "record", "dashboard", "figure_csv", "audit"):
        assert seen[page] == 200, (page, seen)
    assert seen["api_list"] == 4 and seen["figure_csv_rows"] == 4
    assert seen["jit"] == "off"  # from the database's setting, not a connection option


@pytest.mark.slow
@pytest.mark.postgres
def test_the_connection_option_for_jit_is_refused_by_pgbouncer(cluster):
    """Why docs/operations.md says to set DATABASE_PG_OPTIONS empty behind PgBouncer."""
    result = run_probe(cluster, DATABASE_PG_OPTIONS="-c jit=off")
    assert result.returncode != 0 and "unsupported startup parameter" in result.stderr
