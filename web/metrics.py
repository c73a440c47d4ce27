"""Prometheus metrics at `/metrics`, for the operators' scraper only (ADR 0018).

What it says, all without personal data and with bounded labels:

- `vig_request_duration_seconds{route,method}` (histogram) and `vig_responses_total{route,method,status}`: each
  request by its route's name (`referrals:detail`), never its URL, recorded by `web.middleware`. Under gunicorn's
  several workers these live in prometheus_client's multiprocess files (`PROMETHEUS_MULTIPROC_DIR`, set by
  `gunicorn.conf.py`), so one scrape sums every worker of the machine.
- `vig_request_cpu_seconds_total{route,method}`: the CPU time the answering thread spent, so a route's cost per
  request (this over its responses) does not depend on what else shares the machine's cores.
- `vig_celery_tasks_total{task,outcome}`: every task run's outcome (success, failure, retry, ...). Workers run on
  other machines, so each run adds one to a counter in Redis (`HINCRBY`), which any web machine reads; without
  Redis (tasks in-process) an in-process counter.
- `vig_celery_queue_length{queue}` and `vig_celery_unacked`: messages waiting in the broker's lists and taken but
  not yet acknowledged, read from Redis at scrape time.
- `vig_records_by_state{kind,state}`: letters and exports by state (`METRICS_STATE_COUNTS`), one grouped count per
  kind, read at scrape time from the replica when there is one; states come from the field's choices, so the labels
  are bounded. A state that only grows with the years (a ready letter) is left out: counting it would read the
  whole table at every scrape, and the states an operator acts on (queued, failed) are each a handful of rows.
- `vig_metrics_source_up{source}`: 0 when the database or Redis could not be read for this scrape.

Who may read it: an address in `METRICS_ALLOWED_IPS` (addresses or networks) and/or the bearer token
`METRICS_TOKEN`; when both are set, both are needed. Neither set: nobody. Anyone else gets the ordinary 404 page,
and the refusal is logged.
"""

import hmac
import ipaddress
import logging
import os

from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from accounts.audit import client_ip
from core.replica import read_alias

logger = logging.getLogger(__name__)

TASKS_KEY = "vig:metrics:celery-tasks"
REDIS_TIMEOUT_SECONDS = 0.5
# Kombu's Redis transport keeps each priority of a queue in its own list: the queue's name, then name + sep + n.
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")
BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "vig_request_duration_seconds", "Time to answer a request, by route name.", ["route", "method"], buckets=BUCKETS
)
RESPONSES = Counter("vig_responses", "Responses by route name and status code.", ["route", "method", "status"])
# CPU the answering thread spent (time.thread_time), so cost per page is known whatever else shares the cores: this
# over vig_responses_total is the mean CPU of a route's request (`make load-test` reports it).
REQUEST_CPU = Counter("vig_request_cpu_seconds", "CPU time spent answering, by route name.", ["route", "method"])
LOCAL_TASKS = Counter("vig_celery_local_tasks", "Task outcomes run in this process (no Redis).", ["task", "outcome"])


def observe_request(*, route: str, method: str, status: int, seconds: float, cpu_seconds: float = 0.0) -> None:
    """Record one answered request (called by `web.middleware` for every request)."""
    method = method if method in {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"} else "OTHER"
    REQUEST_SECONDS.labels(route, method).observe(seconds)
    RESPONSES.labels(route, method, str(status)).inc()
    REQUEST_CPU.labels(route, method).inc(max(cpu_seconds, 0.0))


def record_task_outcome(*, task: str, outcome: str) -> None:
    """Count one task run's outcome where every web machine can read it; never let counting break a task."""
    if not settings.REDIS_URL:
        LOCAL_TASKS.labels(task, outcome).inc()
        return
    try:
        _redis().hincrby(TASKS_KEY, f"{task}|{outcome}", 1)
    except Exception:
        logger.warning("Could not count a task outcome in Redis", exc_info=True)


def _redis():
    import redis

    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )


class ScrapeTimeCollector:
    """What is read when Prometheus scrapes: queues and task outcomes from Redis, records by state from PostgreSQL."""

    def collect(self):
        """Each source read once per scrape; one that fails is reported down and the rest still answers."""
        up = GaugeMetricFamily(
            "vig_metrics_source_up", "1 when the source could be read for this scrape.", None, ["source"]
        )
        up.add_metric(["database"], 1 if (yield from self._states()) else 0)
        if settings.REDIS_URL:
            up.add_metric(["redis"], 1 if (yield from self._redis_figures()) else 0)
        yield up

    def _states(self):
        states = GaugeMetricFamily("vig_records_by_state", "Letters and exports by state.", labels=["kind", "state"])
        try:
            for kind, (label, field, left_out) in settings.METRICS_STATE_COUNTS.items():
                for state, count in count_by_state(label, field, left_out=left_out).items():
                    states.add_metric([kind, state], count)
        except Exception:
            logger.warning("Metrics could not count records by state", exc_info=True)
            return False
        yield states
        return True

    def _redis_figures(self):
        try:
            client = _redis()
            queues = GaugeMetricFamily("vig_celery_queue_length", "Messages waiting in the broker.", labels=["queue"])
            for queue in settings.METRICS_CELERY_QUEUES:
                pipe = client.pipeline()
                for suffix in PRIORITY_SUFFIXES:
                    pipe.llen(queue + suffix)
                queues.add_metric([queue], sum(pipe.execute()))
            unacked = GaugeMetricFamily("vig_celery_unacked", "Messages taken by workers, not yet acknowledged.")
            unacked.add_metric([], client.hlen("unacked"))
            tasks = CounterMetricFamily("vig_celery_tasks", "Task runs by outcome.", labels=["task", "outcome"])
            for key, value in sorted(client.hgetall(TASKS_KEY).items()):
                task, _, outcome = key.decode().partition("|")
                tasks.add_metric([task, outcome], int(value))
        except Exception:
            logger.warning("Metrics could not read Redis", exc_info=True)
            return False
        yield from (queues, unacked, tasks)
        return True


def count_by_state(label: str, field: str, *, left_out=()) -> dict[str, int]:
    """One grouped count of a model's rows per state; every state the field allows appears but those `left_out`,
    unknown ones do not. Only the counted states are read (`IN (...)`), so an index on the field serves it and the
    rows left out are never visited."""
    model = apps.get_model(label)
    states = [str(value) for value, _ in model._meta.get_field(field).choices if str(value) not in set(left_out)]
    counts = dict.fromkeys(states, 0)
    rows = (
        model._default_manager.using(read_alias())
        .filter(**{f"{field}__in": states})
        .order_by()
        .values_list(field)
        .annotate(n=Count("pk"))
    )
    for state, n in rows:
        if state in counts:
            counts[state] = n
    return counts


def allowed(request: HttpRequest) -> tuple[bool, str]:
    """May this caller read the metrics? (allowed, reason for the log)."""
    networks, token = settings.METRICS_ALLOWED_IPS, settings.METRICS_TOKEN
    if not networks and not token:
        return False, "metrics are not enabled"
    if networks and not _address_allowed(client_ip(request), networks):
        return False, "address not allowed"
    if token:
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            return False, "no or wrong token"
    return True, ""


def _address_allowed(address: str | None, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue  # settings checked at start-up; an unreadable entry allows nothing
    return False


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format for the allowed; the ordinary 404 page (and a log line) for anyone else."""
    ok, reason = allowed(request)
    if not ok:
        logger.warning("Metrics refused: %s (from %s)", reason, client_ip(request))
        raise Http404
    scrape = CollectorRegistry()
    scrape.register(ScrapeTimeCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        body = generate_latest(processes)
    else:
        body = generate_latest(REGISTRY)
    return HttpResponse(body + generate_latest(scrape), content_type=CONTENT_TYPE_LATEST)
