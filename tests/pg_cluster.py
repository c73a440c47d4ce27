"""Throw-away PostgreSQL servers for the slow tests: a primary, a streaming replica made with pg_basebackup, and
PgBouncer in front, each on its own loopback port under a temporary folder, run as the postgres user (initdb refuses
root). Missing binaries skip locally and fail in CI (tests/services.py)."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2

from tests.services import missing

PG_BIN_DIRS = [os.environ.get("PG_BIN", ""), "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"]


def pg_bin() -> Path:
    for folder in PG_BIN_DIRS:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_basebackup").exists():
            return Path(folder)
    missing("PostgreSQL server binaries (initdb, pg_basebackup) are not installed")


def pgbouncer_bin() -> str:
    path = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    if not path:
        missing("PgBouncer is not installed (apt-get install pgbouncer)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a server command as the postgres user when we are root (initdb and postgres refuse root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + [str(a) for a in args], check=True, capture_output=True, text=True, **kwargs)


class Cluster:
    """A primary and, on request, a streaming replica and PgBouncer; `stop()` removes everything."""

    def __init__(self):
        self.bin = pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="vig-pg-"))
        self.root.chmod(0o777)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.started: list[Path] = []
        self.bouncer: subprocess.Popen | None = None
        self.primary_port = free_port()
        self.replica_port: int | None = None
        self.bouncer_port: int | None = None

    def start_primary(self) -> None:
        data = self.root / "primary"
        as_postgres([self.bin / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
        settings = [
            f"port = {self.primary_port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.root}'",
            "wal_level = replica",
            "max_wal_senders = 4",
            "hot_standby = on",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "jit = off",
        ]
        as_postgres(["sh", "-c", f"printf '%s\\n' {' '.join(repr(s) for s in settings)} >> {data}/postgresql.conf"])
        self._start(data)

    def start_replica(self) -> None:
        data = self.root / "replica"
        self.replica_port = free_port()
        as_postgres(
            [self.bin / "pg_basebackup", "-h", "127.0.0.1", "-p", self.primary_port, "-U", "postgres", "-D", data]
            + ["-R", "-X", "stream", "--no-sync"]
        )
        as_postgres(["sh", "-c", f"echo 'port = {self.replica_port}' >> {data}/postgresql.conf"])
        self._start(data)

    def _start(self, data: Path) -> None:
        as_postgres([self.bin / "pg_ctl", "-D", data, "-l", data.with_suffix(".log"), "-w", "-t", "60", "start"])
        self.started.append(data)

    def start_bouncer(self, database: str) -> None:
        """PgBouncer on loopback in transaction mode in front of the primary (trust: a test on loopback only)."""
        binary = pgbouncer_bin()
        self.bouncer_port = free_port()
        ini = self.root / "pgbouncer.ini"
        users = self.root / "userlist.txt"
        users.write_text('"postgres" ""\n')
        ini.write_text(
            "[databases]\n"
            f"{database} = host=127.0.0.1 port={self.primary_port} dbname={database}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.bouncer_port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\npool_mode = transaction\n"
            "default_pool_size = 4\nmax_client_conn = 100\nserver_reset_query =\n"
            f"logfile = {self.root / 'pgbouncer.log'}\n"
        )
        for path in (ini, users):
            path.chmod(0o644)
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.bouncer = subprocess.Popen(
            [*prefix, binary, str(ini)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for(lambda: _answers(self.bouncer_port), "PgBouncer did not start")

    def url(self, port: int, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    def sql(self, port: int, statement: str, database: str = "postgres"):
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=database)
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall() if cursor.description else None
        finally:
            conn.close()

    def stop(self) -> None:
        if self.bouncer is not None:
            self.bouncer.terminate()
            self.bouncer.wait(timeout=30)
        for data in reversed(self.started):
            with contextlib.suppress(subprocess.CalledProcessError):
                as_postgres([self.bin / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(check, message: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(message)
