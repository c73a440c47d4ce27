"""gunicorn's settings wherever the app is served by it (the Dockerfile, docker-compose, `make load-test`): gunicorn
reads `gunicorn.conf.py` from its working directory by itself. Workers, threads and the bind address stay on the
command line.

- **Metrics across workers.** Each worker is its own process, so prometheus_client keeps its counters in files
  under `PROMETHEUS_MULTIPROC_DIR` (set here before any worker starts, emptied when gunicorn starts) and `/metrics`
  adds up every worker's (web/metrics.py). A worker that exits has its live gauges removed.
- **Access log without personal data.** gunicorn's default access line quotes the request line and the Referer,
  query strings included, and searches put names and NHS numbers there. This format keeps the method, status,
  duration and the request id, never the URL; the app's own line per request names the route (web/middleware.py).
"""

import os
import shutil
import tempfile

metrics_dir = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "vig-metrics"))

access_log_format = (
    '{"logger": "gunicorn.access", "method": "%(m)s", "status": "%(s)s", "duration_us": "%(D)s", '
    '"request_id": "%({x-request-id}o)s"}'
)


def on_starting(server):
    """A fresh start: last run's worker files would be added to this run's figures."""
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, exist_ok=True)


def child_exit(server, worker):
    """A worker has gone: drop its live gauges (its counters stay in the sums, as Prometheus expects)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
