"""/metrics: only the allowed read it (an address, a token, or both), everyone else gets the ordinary 404, logged;
what it says is bounded and holds no personal data."""

import logging
import re
import uuid

import pytest
from celery import shared_task
from django.urls import reverse

from tests.letters.helpers_letters import decline_letter
from tests.services import redis_url

TOKEN = "s3cret-metrics-token-0123456789"


@pytest.fixture
def by_address(settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "192.0.2.7"]
    settings.METRICS_TOKEN = ""
    return settings


@pytest.fixture
def by_token(settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = TOKEN
    return settings


def scrape(client, *, ip="10.1.2.3", token=None, **extra):
    headers = {"REMOTE_ADDR": ip, **extra}
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = token
    return client.get("/metrics", **headers)


def value(body: str, name: str, **labels) -> float:
    """The sample `name{labels}` in Prometheus text (labels in any order), or 0."""
    for line in body.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.django_db
def test_nobody_reads_metrics_until_they_are_configured(client, settings):
    settings.METRICS_ALLOWED_IPS, settings.METRICS_TOKEN = [], ""
    for ip in ("127.0.0.1", "10.1.2.3"):
        response = scrape(client, ip=ip)
        assert response.status_code == 404 and b"vig_" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("ip", ["10.1.2.3", "10.255.0.1", "192.0.2.7"])
def test_an_allowed_address_reads_them(client, by_address, ip):
    response = scrape(client, ip=ip)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert b"vig_request_duration_seconds" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("ip", ["192.0.2.8", "11.0.0.1", "127.0.0.1", "::1", ""])
def test_any_other_address_gets_the_ordinary_404_and_is_logged(client, by_address, ip, caplog):
    with caplog.at_level(logging.WARNING, logger="web.metrics"):
        response = scrape(client, ip=ip)
    assert response.status_code == 404 and b"vig_" not in response.content
    assert any("Metrics refused: address not allowed" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_a_forwarded_for_header_does_not_make_an_outsider_allowed(client, by_address):
    by_address.TRUSTED_PROXY_COUNT = 0
    assert scrape(client, ip="203.0.113.9", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("given", [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"Bearer  {TOKEN} "])
def test_the_token_reads_them_from_anywhere(client, by_token, given):
    assert scrape(client, ip="203.0.113.9", token=given).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given",
    [
        None,
        "",
        TOKEN,
        f"Token {TOKEN}",
        f"Basic {TOKEN}",
        "Bearer",
        "Bearer ",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
    ],
)
def test_a_missing_or_wrong_token_gets_404(client, by_token, given, caplog):
    with caplog.at_level(logging.WARNING, logger="web.metrics"):
        assert scrape(client, ip="10.1.2.3", token=given).status_code == 404
    assert any("no or wrong token" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_with_both_set_both_are_needed(client, settings):
    settings.METRICS_ALLOWED_IPS, settings.METRICS_TOKEN = ["10.0.0.0/8"], TOKEN
    assert scrape(client, ip="10.1.2.3", token=f"Bearer {TOKEN}").status_code == 200
    assert scrape(client, ip="10.1.2.3").status_code == 404
    assert scrape(client, ip="203.0.113.9", token=f"Bearer {TOKEN}").status_code == 404


def test_a_bad_allowed_address_stops_start_up(monkeypatch):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django, os; django.setup()"],
        env={
            **__import__("os").environ,
            "METRICS_ALLOWED_IPS": "10.0.0.0/8,not-an-address",
            "TESTING": "1",
            "DJANGO_SETTINGS_MODULE": "vig_service.settings",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "METRICS_ALLOWED_IPS: 'not-an-address'" in result.stderr


def test_latency_is_by_route_name_never_the_url(login, service, coordinator, client, by_address):
    desk = login(coordinator)
    letter = decline_letter(service, coordinator)
    assert desk.get(reverse("referrals:detail", args=[letter.referral_id])).status_code == 200
    body = scrape(client).content.decode()
    assert value(body, "vig_request_duration_seconds_count", route="referrals:detail", method="GET") >= 1
    assert value(body, "vig_responses_total", route="referrals:detail", method="GET", status="200") >= 1
    assert f"/referrals/{letter.referral_id}/" not in body


def test_cpu_time_is_counted_by_route_name(login, service, coordinator, client, by_address):
    """The answering thread's CPU time per route, so `make load-test` can say what each page costs the server."""
    desk = login(coordinator)
    letter = decline_letter(service, coordinator)
    before = value(scrape(client).content.decode(), "vig_request_cpu_seconds_total", route="referrals:detail")
    for _ in range(3):
        assert desk.get(reverse("referrals:detail", args=[letter.referral_id])).status_code == 200
    body = scrape(client).content.decode()
    spent = value(body, "vig_request_cpu_seconds_total", route="referrals:detail", method="GET") - before
    assert 0 < spent < 30
    assert f"/referrals/{letter.referral_id}/" not in body


def test_letters_and_exports_by_state_every_state_listed(service, coordinator, client, by_address):
    """Every state is listed, but ready letters and expired exports: they only grow with the years, so they are not
    counted."""
    from dashboards.models import ExportStatus
    from letters.models import LetterStatus

    decline_letter(service, coordinator)
    body = scrape(client).content.decode()
    assert value(body, "vig_records_by_state", kind="letters", state="draft") == 1
    for state in LetterStatus.values:
        listed = f'vig_records_by_state{{kind="letters",state="{state}"}}' in body
        assert listed == (state != LetterStatus.READY), state
    for state in ExportStatus.values:
        listed = f'vig_records_by_state{{kind="exports",state="{state}"}}' in body
        assert listed == (state != ExportStatus.EXPIRED), state
    assert value(body, "vig_metrics_source_up", source="database") == 1


def test_the_state_count_reads_only_the_counted_states(service, coordinator, django_assert_max_num_queries):
    """Ready letters are neither counted nor read: the one query asks for the other states by name (so the letters'
    status index serves it), and a ready letter moves no figure."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from letters.models import Letter, LetterStatus
    from web.metrics import count_by_state

    now = timezone.now()
    letter = decline_letter(service, coordinator)
    Letter.objects.filter(pk=letter.pk).update(status=LetterStatus.FAILED, approved_at=now, approved_by=coordinator)
    ready = decline_letter(service, coordinator)
    Letter.objects.filter(pk=ready.pk).update(
        status=LetterStatus.READY, approved_at=now, approved_by=coordinator, file="letters/x.pdf"
    )
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(1):
        counts = count_by_state("letters.Letter", "status", left_out=("ready",))
    assert counts == {"draft": 0, "approved": 0, "queued": 0, "rendering": 0, "failed": 1}
    sql = queries.captured_queries[0]["sql"]
    assert "IN (" in sql and "'ready'" not in sql and "ready" not in str(queries.captured_queries[0].get("params", ""))


@shared_task(name="tests.web.metrics_probe")
def metrics_probe(fail: bool = False):
    if fail:
        raise RuntimeError("probe failed")
    return "ok"


def task_runs(body: str, outcome: str) -> float:
    return value(body, "vig_celery_tasks_total", task="tests.web.metrics_probe", outcome=outcome) + value(
        body, "vig_celery_local_tasks_total", task="tests.web.metrics_probe", outcome=outcome
    )


def test_task_outcomes_are_counted(client, by_address, db):
    before = scrape(client).content.decode()
    metrics_probe.delay()
    assert metrics_probe.apply(kwargs={"fail": True}, throw=False).failed()  # as a worker runs it: not re-raised
    after = scrape(client).content.decode()
    assert task_runs(after, "success") == task_runs(before, "success") + 1
    assert task_runs(after, "failure") == task_runs(before, "failure") + 1


@pytest.mark.redis
def test_queue_depth_and_unacknowledged_come_from_redis(client, by_address, db):
    import redis

    url = redis_url()
    by_address.REDIS_URL = url
    queue = f"metrics-test-{uuid.uuid4().hex}"
    by_address.METRICS_CELERY_QUEUES = [queue]
    broker = redis.Redis.from_url(url)
    try:
        broker.lpush(queue, b"a", b"b")
        broker.lpush(queue + "\x06\x166", b"c")
        body = scrape(client).content.decode()
        assert value(body, "vig_celery_queue_length", queue=queue) == 3
        assert value(body, "vig_metrics_source_up", source="redis") == 1
        assert "vig_celery_unacked " in body
    finally:
        broker.delete(queue, queue + "\x06\x166")


@pytest.mark.django_db
def test_redis_down_says_so_and_still_answers(client, by_address):
    by_address.REDIS_URL = "redis://127.0.0.1:1/0"
    body = scrape(client).content.decode()
    assert value(body, "vig_metrics_source_up", source="redis") == 0
    assert value(body, "vig_metrics_source_up", source="database") == 1
