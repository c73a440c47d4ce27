"""The load test's CPU accounting (tooling/load_meter.py): /proc parsing, process trees, backends, the report."""

import os
from pathlib import Path

from tooling import load_meter
from tooling.load_meter import Meter, backend_database, parse_stat, route_cpu_ms, tree_ticks


def stat_line(pid, comm, ppid, utime, stime, cutime=0, cstime=0):
    rest = ["S", ppid, 1, 1, 0, -1, 4194560, 100, 0, 0, 0, utime, stime, cutime, cstime, 20, 0, 1, 0, 5, 6, 7]
    return f"{pid} ({comm}) " + " ".join(str(x) for x in rest)


def test_parse_stat_reads_times_even_when_the_name_has_spaces_and_brackets():
    stat = parse_stat(stat_line(42, "gunicorn: worker [vig) x]", 7, 300, 50, 11, 2))
    assert (stat.pid, stat.comm, stat.ppid, stat.own_ticks, stat.children_ticks) == (
        42,
        "gunicorn: worker [vig) x]",
        7,
        350,
        13,
    )


def test_parse_stat_of_this_process():
    stat = load_meter.read_stat(os.getpid())
    assert stat.pid == os.getpid() and stat.ppid == os.getppid() and stat.own_ticks >= 0


def test_tree_counts_workers_grandchildren_and_reaped_workers_but_not_strangers():
    stats = {
        s.pid: s
        for s in map(
            parse_stat,
            [
                stat_line(10, "gunicorn", 1, 5, 1, 100, 20),  # master: reaped workers' 120 ticks
                stat_line(11, "gunicorn", 10, 400, 40),
                stat_line(12, "gunicorn", 10, 300, 30),
                stat_line(13, "python", 12, 7, 3),  # a worker's child
                stat_line(20, "locust", 1, 9999, 999),
            ],
        )
    }
    assert tree_ticks(10, stats) == 6 + 120 + 440 + 330 + 10
    assert tree_ticks(99, stats) == 0


def test_backend_database_from_process_titles():
    assert backend_database("postgres: postgres vig_load_scale 127.0.0.1(53422) idle") == "vig_load_scale"
    assert backend_database("postgres: app vig_load_scale [local] SELECT") == "vig_load_scale"
    assert backend_database("postgres: 15/main: postgres vig_load_scale 127.0.0.1(41000) SELECT") == "vig_load_scale"
    assert backend_database("postgres: 15/main: checkpointer") is None
    assert backend_database("postgres: checkpointer") is None
    assert backend_database("postgres: walwriter   ") is None
    assert backend_database("/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql") is None


def fake_proc(root: Path, processes: dict[int, tuple[str, str]]) -> None:
    """processes: pid -> (stat line, cmdline)."""
    for pid, (stat, cmdline) in processes.items():
        folder = root / str(pid)
        folder.mkdir(exist_ok=True)
        (folder / "stat").write_text(stat)
        (folder / "cmdline").write_bytes(cmdline.replace(" ", "\0").encode())


def test_meter_counts_only_the_run(tmp_path):
    """The app's and the database's backends' CPU between the first and the last sample, in seconds."""
    tick = load_meter.TICKS
    title = "postgres: postgres vig_load_scale 127.0.0.1(5000) idle"
    fake_proc(
        tmp_path,
        {
            10: (stat_line(10, "gunicorn", 1, tick, 0), "gunicorn"),
            11: (stat_line(11, "gunicorn", 10, 2 * tick, 0), "gunicorn"),
            30: (stat_line(30, "postgres", 29, 5 * tick, 0), title),
            31: (stat_line(31, "postgres", 29, 50 * tick, 0), "postgres: postgres other_db 127.0.0.1(1) idle"),
        },
    )
    meter = Meter(10, "vig_load_scale", proc=tmp_path)
    meter.sample()
    fake_proc(
        tmp_path,
        {
            11: (stat_line(11, "gunicorn", 10, 6 * tick, 0), "gunicorn"),
            30: (stat_line(30, "postgres", 29, 7 * tick, 0), title),
            32: (stat_line(32, "postgres", 29, 3 * tick, 0), title.replace("5000", "5001")),  # new backend
            31: (stat_line(31, "postgres", 29, 90 * tick, 0), "postgres: postgres other_db 127.0.0.1(1) idle"),
        },
    )
    meter.sample()
    assert meter.seconds() == {"app_cpu_seconds": 4.0, "postgres_cpu_seconds": 5.0, "backends": 2}


METRICS_BEFORE = """
vig_request_cpu_seconds_total{method="GET",route="referrals:triage_queue"} 1.0
vig_responses_total{method="GET",route="referrals:triage_queue",status="200"} 100.0
"""
METRICS_AFTER = """
# HELP vig_request_cpu_seconds_total CPU time spent answering, by route name.
vig_request_cpu_seconds_total{method="GET",route="referrals:triage_queue"} 3.0
vig_request_cpu_seconds_total{method="POST",route="cycles:visit_record"} 0.5
vig_responses_total{method="GET",route="referrals:triage_queue",status="200"} 250.0
vig_responses_total{method="GET",route="referrals:triage_queue",status="404"} 50.0
vig_responses_total{method="POST",route="cycles:visit_record",status="302"} 25.0
"""


def test_route_cpu_is_the_runs_cpu_over_the_runs_responses():
    rows = route_cpu_ms(METRICS_BEFORE, METRICS_AFTER)
    assert rows == {"GET referrals:triage_queue": (10.0, 200), "POST cycles:visit_record": (20.0, 25)}


def test_report_gives_rate_and_cpu_per_request():
    rows = [
        {
            "Type": "GET",
            "Name": "/referrals/triage/",
            "Request Count": "900",
            "Failure Count": "0",
            "50%": "40",
            "95%": "90",
        },
        {"Type": "", "Name": "Aggregated", "Request Count": "1000", "Failure Count": "0", "50%": "40", "95%": "95"},
    ]
    text = load_meter.report(
        {"app_cpu_seconds": 10.0, "postgres_cpu_seconds": 2.5, "backends": 8, "wall_seconds": 100.0},
        rows,
        route_cpu_ms(METRICS_BEFORE, METRICS_AFTER),
    )
    assert "10.0 requests/s, 0 failures" in text
    assert "**10.0 ms per request**" in text and "**2.5 ms per request**" in text
    assert "| GET referrals:triage_queue | 200 | 10.0 |" in text


def test_meter_counts_the_worker_and_its_pool_apart_from_the_app(tmp_path):
    """The Celery worker's tree is its own figure: work handed to the background is counted, not hidden."""
    tick = load_meter.TICKS
    fake_proc(
        tmp_path,
        {
            10: (stat_line(10, "gunicorn", 1, tick, 0), "gunicorn"),
            40: (stat_line(40, "celery", 1, 2 * tick, 0), "celery worker"),
            41: (stat_line(41, "celery", 40, 3 * tick, 0), "celery worker"),
        },
    )
    meter = Meter(10, "vig_load_scale", proc=tmp_path, worker_pid=40)
    meter.sample()
    fake_proc(
        tmp_path,
        {
            10: (stat_line(10, "gunicorn", 1, 2 * tick, 0), "gunicorn"),
            40: (stat_line(40, "celery", 1, 3 * tick, 0), "celery worker"),
            41: (stat_line(41, "celery", 40, 9 * tick, 0), "celery worker"),
        },
    )
    meter.sample()
    assert meter.seconds() == {
        "app_cpu_seconds": 1.0,
        "postgres_cpu_seconds": 0.0,
        "backends": 0,
        "worker_cpu_seconds": 7.0,
    }
    text = load_meter.report(
        {**meter.seconds(), "wall_seconds": 10.0},
        [{"Type": "", "Name": "Aggregated", "Request Count": "700", "Failure Count": "0", "50%": "1", "95%": "2"}],
        {},
    )
    assert "Celery worker (its processes) CPU: 7.0 s = **10.0 ms per request**" in text


def test_without_a_worker_the_report_says_nothing_of_one(tmp_path):
    fake_proc(tmp_path, {10: (stat_line(10, "gunicorn", 1, 1, 0), "gunicorn")})
    meter = Meter(10, "vig_load_scale", proc=tmp_path)
    meter.sample()
    assert "worker_cpu_seconds" not in meter.seconds()
