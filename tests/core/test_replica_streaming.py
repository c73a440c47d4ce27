"""A real streaming replica: a throw-away primary and a pg_basebackup replica on their own ports, the replica's
replay paused so it lags. The dashboard shows the replica's (lagged) figure; a list that is not lag tolerant, and
reads after a write, show the primary's; the dashboard's access-log rows are written to the primary."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pg_cluster import Cluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cluster():
    made = Cluster()
    try:
        made.start_primary()
        made.start_replica()
        made.sql(made.primary_port, "CREATE DATABASE vig_replica_test")
        yield made
    finally:
        made.stop()


@pytest.mark.slow
@pytest.mark.postgres
def test_lag_tolerant_reads_go_to_the_replica_and_writes_pin_the_primary(cluster):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER"}},
        "DATABASE_URL": cluster.url(cluster.primary_port, "vig_replica_test"),
        "DATABASE_REPLICA_URL": cluster.url(cluster.replica_port, "vig_replica_test"),
        "TESTING": "1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.core.replica_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert (seen["primary_count"], seen["replica_count"]) == (3, 2)  # the replica lags by one referral
    assert seen["dashboard_total_lagging"] == 2 and seen["dashboard_queries_on_replica"] > 0
    assert seen["dashboard_page_status"] == 200
    assert seen["dashboard_logged_on_primary"] >= 2  # the access log is written to the primary ...
    assert seen["dashboard_log_rows_on_replica"] == 0  # ... which the paused replica has not seen
    assert seen["api_list_count"] == 3  # not lag tolerant: the primary
    assert (seen["in_scope_before_write"], seen["in_scope_after_access_log"]) == (2, 2)
    assert seen["in_scope_after_write"] == 3  # after a write, the primary
    assert seen["dashboard_total_caught_up"] == 3
