"""CPU the server itself spent during `make load-test`, read from /proc, so locust sharing the cores does not count.

Two figures, each a difference between the start and the end of the run:

- **the app**: gunicorn's master and its workers (user + system time), plus the time of workers that exited, which
  the kernel adds to the master's "children" times when it reaps them;
- **the worker** (when `--worker` names it): the Celery worker's main process and its pool, counted as the app is,
  so work the pages hand to the background (ADR 0022's summary refreshes, letters) is not left out;
- **PostgreSQL**: the backends serving the load test's database, found by their process title
  (`postgres: USER DATABASE HOST(PORT) STATE`). A backend's figure is the largest seen while sampling, so one that
  exits between samples loses at most one interval's time (the load test keeps its connections for the whole run).

Also the per-route CPU the app measured of itself (`vig_request_cpu_seconds`, web/metrics.py), read from two
scrapes of /metrics. Standard library only: `python -m tooling.load_meter` runs outside Django.

    python -m tooling.load_meter sample --gunicorn PID --database NAME --out cpu.json   (until SIGTERM)
    python -m tooling.load_meter report --cpu cpu.json --locust STATS.csv --metrics-before A --metrics-after B
"""

import argparse
import csv
import json
import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Stat:
    pid: int
    comm: str
    ppid: int
    own_ticks: int  # utime + stime
    children_ticks: int  # cutime + cstime: reaped children's


def parse_stat(text: str) -> Stat:
    """One /proc/PID/stat line. The command name is in parentheses and may itself hold spaces or ')'."""
    head, _, rest = text.rpartition(")")
    pid, _, comm = head.partition(" (")
    fields = rest.split()
    # After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    return Stat(
        pid=int(pid),
        comm=comm,
        ppid=int(fields[1]),
        own_ticks=int(fields[11]) + int(fields[12]),
        children_ticks=int(fields[13]) + int(fields[14]),
    )


def read_stat(pid: int, proc: Path = PROC) -> Stat | None:
    try:
        return parse_stat((proc / str(pid) / "stat").read_text())
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        return None


def all_stats(proc: Path = PROC) -> dict[int, Stat]:
    found = {}
    for entry in proc.iterdir():
        if entry.name.isdigit():
            stat = read_stat(int(entry.name), proc)
            if stat is not None:
                found[stat.pid] = stat
    return found


def tree_ticks(root: int, stats: dict[int, Stat]) -> int:
    """The root's and every descendant's own time, plus the root's reaped children's (exited workers)."""
    if root not in stats:
        return 0
    children: dict[int, list[int]] = {}
    for stat in stats.values():
        children.setdefault(stat.ppid, []).append(stat.pid)
    total, todo = stats[root].children_ticks, [root]
    while todo:
        pid = todo.pop()
        total += stats[pid].own_ticks
        todo += children.get(pid, [])
    return total


# A backend's title: "postgres: [CLUSTER: ]USER DATABASE HOST(PORT) STATE" (Debian adds its cluster, "15/main: ").
_BACKEND = re.compile(r"postgres: (?:\S+: )?(?P<user>\S+) (?P<database>\S+) (?:\S+\(\d+\)|\[local\])")


def backend_database(cmdline: str) -> str | None:
    """The database a PostgreSQL backend serves, from its title (`postgres: user db 127.0.0.1(5555) idle`)."""
    match = _BACKEND.match(cmdline)
    return match.group("database") if match else None


def backends_of(database: str, proc: Path = PROC) -> list[int]:
    pids = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if backend_database(cmdline) == database:
            pids.append(int(entry.name))
    return pids


class Meter:
    """Samples the app's tree and the database's backends; `seconds()` is CPU spent since the first sample."""

    def __init__(self, gunicorn_pid: int, database: str, proc: Path = PROC, worker_pid: int | None = None):
        self.gunicorn_pid, self.database, self.proc = gunicorn_pid, database, proc
        self.worker_pid = worker_pid
        self.app_start: int | None = None
        self.app_last = 0
        self.worker_start: int | None = None
        self.worker_last = 0
        self.backend_start: dict[int, int] = {}
        self.backend_max: dict[int, int] = {}
        self.first = True

    def sample(self) -> None:
        stats = all_stats(self.proc)
        app = tree_ticks(self.gunicorn_pid, stats)
        if self.app_start is None:
            self.app_start = app
        self.app_last = max(self.app_last, app)
        if self.worker_pid is not None:
            worker = tree_ticks(self.worker_pid, stats)
            if self.worker_start is None:
                self.worker_start = worker
            self.worker_last = max(self.worker_last, worker)
        for pid in backends_of(self.database, self.proc):
            stat = stats.get(pid) or read_stat(pid, self.proc)
            if stat is None:
                continue
            if pid not in self.backend_start:
                # Present at the first sample: count from here. Started later: all of its time is in the run.
                self.backend_start[pid] = stat.own_ticks if self.first else 0
            self.backend_max[pid] = max(self.backend_max.get(pid, 0), stat.own_ticks)
        self.first = False

    def seconds(self) -> dict:
        app = (self.app_last - (self.app_start or 0)) / TICKS
        pg = sum(self.backend_max[pid] - self.backend_start[pid] for pid in self.backend_max) / TICKS
        found = {
            "app_cpu_seconds": round(app, 2),
            "postgres_cpu_seconds": round(pg, 2),
            "backends": len(self.backend_max),
        }
        if self.worker_pid is not None:
            found["worker_cpu_seconds"] = round((self.worker_last - (self.worker_start or 0)) / TICKS, 2)
        return found


def run_sampler(gunicorn_pid: int, database: str, out: str, interval: float, worker_pid: int | None = None) -> None:
    """Sample every `interval` seconds until SIGTERM/SIGINT, then write the totals."""
    meter = Meter(gunicorn_pid, database, worker_pid=worker_pid)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    started = time.monotonic()
    meter.sample()
    while not stop:
        time.sleep(interval)
        meter.sample()
    Path(out).write_text(json.dumps({**meter.seconds(), "wall_seconds": round(time.monotonic() - started, 1)}))


# --- The report --------------------------------------------------------------------------------------------------

_SAMPLE = re.compile(r"^(vig_request_cpu_seconds_total|vig_responses_total)\{([^}]*)\} ([0-9.eE+-]+)$")
_LABEL = re.compile(r'(\w+)="([^"]*)"')


def route_cpu(metrics_text: str) -> dict[str, tuple[float, float]]:
    """Per route: (CPU seconds, responses), summed over methods and statuses, from a /metrics page."""
    found: dict[str, list[float]] = {}
    for line in metrics_text.splitlines():
        match = _SAMPLE.match(line)
        if not match:
            continue
        labels = dict(_LABEL.findall(match.group(2)))
        key = f"{labels.get('method', '')} {labels.get('route', '')}"
        slot = found.setdefault(key, [0.0, 0.0])
        slot[0 if match.group(1).startswith("vig_request_cpu") else 1] += float(match.group(3))
    return {key: (cpu, count) for key, (cpu, count) in found.items()}


def route_cpu_ms(before: str, after: str) -> dict[str, tuple[float, int]]:
    """Per route during the run: (mean CPU ms per request, requests)."""
    start, end = route_cpu(before), route_cpu(after)
    rows = {}
    for key, (cpu, count) in end.items():
        cpu0, count0 = start.get(key, (0.0, 0.0))
        served = round(count - count0)
        if served > 0:
            rows[key] = (1000 * (cpu - cpu0) / served, served)
    return rows


def locust_rows(stats_csv: str) -> list[dict]:
    with open(stats_csv, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def report(cpu: dict, rows: list[dict], routes: dict[str, tuple[float, int]]) -> str:
    """Markdown tables: locust's per request, the server's CPU per request overall and per route."""
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    requests = int(total["Request Count"]) if total else 0
    failures = int(total["Failure Count"]) if total else 0
    lines = ["| Request | Requests | Failures | p50 ms | p95 ms |", "|---|---|---|---|---|"]
    for r in rows:
        name = "**All**" if r["Name"] == "Aggregated" else f"{r['Type']} {r['Name']}"
        lines.append(f"| {name} | {r['Request Count']} | {r['Failure Count']} | {r['50%']} | {r['95%']} |")
    wall = cpu.get("wall_seconds") or 1
    app_ms = 1000 * cpu["app_cpu_seconds"] / requests if requests else 0
    pg_ms = 1000 * cpu["postgres_cpu_seconds"] / requests if requests else 0
    lines += [
        "",
        f"{requests} requests in {wall:.0f} s: {requests / wall:.1f} requests/s, {failures} failures.",
        f"App server (gunicorn processes) CPU: {cpu['app_cpu_seconds']:.1f} s = **{app_ms:.1f} ms per request**; "
        f"PostgreSQL ({cpu['backends']} backends): {cpu['postgres_cpu_seconds']:.1f} s = "
        f"**{pg_ms:.1f} ms per request**.",
    ]
    if "worker_cpu_seconds" in cpu:
        worker_ms = 1000 * cpu["worker_cpu_seconds"] / requests if requests else 0
        lines.append(
            f"Celery worker (its processes) CPU: {cpu['worker_cpu_seconds']:.1f} s = **{worker_ms:.1f} ms per "
            "request** (PostgreSQL's figure includes the worker's queries)."
        )
    lines += [
        "",
        "| Route (the app's own CPU time per request, vig_request_cpu_seconds) | Requests | CPU ms |",
        "|---|---|---|",
    ]
    for key, (ms, served) in sorted(routes.items(), key=lambda item: -item[1][1]):
        lines.append(f"| {key} | {served} | {ms:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tooling.load_meter")
    sub = parser.add_subparsers(dest="command", required=True)
    sample = sub.add_parser("sample")
    sample.add_argument("--gunicorn", type=int, required=True)
    sample.add_argument("--database", required=True)
    sample.add_argument("--out", required=True)
    sample.add_argument("--interval", type=float, default=1.0)
    sample.add_argument("--worker", type=int, help="The Celery worker's main process, counted with its pool.")
    rep = sub.add_parser("report")
    rep.add_argument("--cpu", required=True)
    rep.add_argument("--locust", required=True)
    rep.add_argument("--metrics-before", required=True)
    rep.add_argument("--metrics-after", required=True)
    args = parser.parse_args(argv)
    if args.command == "sample":
        run_sampler(args.gunicorn, args.database, args.out, args.interval, worker_pid=args.worker)
        return
    cpu = json.loads(Path(args.cpu).read_text())
    routes = route_cpu_ms(Path(args.metrics_before).read_text(), Path(args.metrics_after).read_text())
    print(report(cpu, locust_rows(args.locust), routes))


if __name__ == "__main__":
    main()
