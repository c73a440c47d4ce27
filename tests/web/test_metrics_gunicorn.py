"""/metrics under gunicorn's several workers: every scrape adds up every worker's counts (multiprocess mode), and
gunicorn's access log quotes no URL."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.pg_cluster import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
        return response.read().decode()


def healthz_count(body: str) -> float:
    for line in body.splitlines():
        if line.startswith("vig_responses_total{") and 'route="healthz"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.slow
def test_every_scrape_sums_all_workers(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DATABASE_REPLICA_URL"}},
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "TESTING": "1",
        "SECURE_SSL_REDIRECT": "0",
        "METRICS_ALLOWED_IPS": "127.0.0.1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "vig_service.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3"]
        + ["--access-logfile", str(tmp_path / "access.log")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def up():
            try:
                get(f"{base}/metrics")
                return True
            except OSError:
                return False

        wait_for(up, "gunicorn did not start", seconds=60)
        for _ in range(12):
            # A 503 (no Redis here) is still a response, still counted.
            with contextlib.suppress(urllib.error.HTTPError):
                get(f"{base}/healthz?name=Quillfeather")
        time.sleep(0.5)
        assert all(healthz_count(get(f"{base}/metrics")) == 12 for _ in range(6))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    access = (tmp_path / "access.log").read_text()
    assert '"logger": "gunicorn.access"' in access and "Quillfeather" not in access and "/healthz" not in access
