"""Separate "machines" for the reliability tests: a web server (gunicorn) and a Celery worker, each a process with
its own working directory and its own local PRIVATE_FILES_ROOT, sharing only PostgreSQL (the test database), a
Redis of the test's own and the object store. Workers start as tests/letters/test_letters_worker.py starts them
(prefork, one process, no gossip or mingle); outside CI a missing PostgreSQL or redis-server skips."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.services import spare_port

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Machine:
    """One process in its own folder: `home` is its working directory, `files` its local PRIVATE_FILES_ROOT."""

    def __init__(self, name: str, base: Path, redis_url: str, store_env: dict[str, str], **env_extra):
        self.name = name
        self.home = base / name
        self.files = self.home / "private-files"
        self.files.mkdir(parents=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "TESTING" and not k.startswith("OBJECT_STORAGE_")},
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "vig_service.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "DEBUG": "1",
            "SECRET_KEY": settings.SECRET_KEY,  # sessions made by the test are read by the web processes
            "PRIVATE_FILES_ROOT": str(self.files),
            **store_env,
            **{k: str(v) for k, v in env_extra.items()},
        }
        self.process: subprocess.Popen | None = None
        self.log = self.home / "output.log"

    def _start(self, command: list[str]) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.home, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self, *, kill: bool = False) -> None:
        """SIGTERM (a clean shutdown) or, with `kill`, SIGKILL to the whole process group (a machine lost)."""
        import signal

        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def local_files(self) -> list[Path]:
        return [p for p in self.files.rglob("*") if p.is_file()]

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


class WebMachine(Machine):
    """gunicorn, one sync worker, on a spare loopback port."""

    def start(self) -> "WebMachine":
        self.port = spare_port()
        self._start(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "vig_service.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ]
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"web {self.name} exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return self
            except urllib.error.HTTPError:
                return self  # it answers (503 only says a dependency is down)
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"web {self.name} did not answer:\n{self.output()}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class WorkerMachine(Machine):
    """A Celery worker: prefork, one process, as the other reliability tests run it."""

    def start(self) -> "WorkerMachine":
        self._start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "vig_service",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname={self.name}@%h",
            ]
        )
        return self


def wait_for(predicate, seconds: float = 90, what: str = "", machines=()) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    logs = "\n".join(f"--- {m.name}:\n{m.output()}" for m in machines)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")
