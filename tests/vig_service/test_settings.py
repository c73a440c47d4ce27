import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def run_check(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "TESTING"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_start_up_without_secret_key_stops_with_clear_message():
    result = run_check({"DEBUG": "0", "ALLOWED_HOSTS": "vig.example.nhs.uk"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_start_up_without_allowed_hosts_stops_with_clear_message():
    result = run_check({"DEBUG": "0", "SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_embedded_default_is_sqlite_and_in_process_tasks():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='vig_service.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env["TESTING"] = "1"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "False"], result.stderr


def test_docker_compose_has_production_shaped_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"web", "worker", "beat", "postgres", "redis"}
    assert "gunicorn" in services["web"]["command"]
    assert "celery -A vig_service worker" in services["worker"]["command"]
    assert "celery -A vig_service beat" in services["beat"]["command"]
    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    assert set(compose["volumes"]) >= {"postgres-data", "redis-data"}
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_env_example_names_the_required_settings():
    text = (ROOT / ".env.example").read_text()
    for name in ("SECRET_KEY=", "ALLOWED_HOSTS=", "POSTGRES_PASSWORD="):
        assert name in text


def test_prerequisite_check_passes_here_and_names_the_install_command_when_python_is_missing():
    ok = subprocess.run(["sh", "scripts/check_prereqs.sh"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    missing = subprocess.run(
        ["sh", "scripts/check_prereqs.sh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": "python-that-does-not-exist"},
    )
    assert missing.returncode == 1
    assert "sudo apt-get install python3 python3-venv" in missing.stdout


def _fake_system(tmp_path, uid):
    """A PATH where HarfBuzz's subsetter is missing, `id -u` says `uid` and apt-get only records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real_python = sys.executable
    (bin_dir / "python-without-harfbuzz").write_text(
        f'#!/bin/sh\ncase "$*" in *harfbuzz-subset*) exit 1;; esac\nexec {real_python} "$@"\n'
    )
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> {tmp_path}/apt-get.log\n')
    for tool in ("ffmpeg", "ffprobe"):  # present, so only the library is missing (tests/vault checks ffmpeg's line)
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHON": "python-without-harfbuzz"}
    return env, tmp_path / "apt-get.log"


def test_prerequisite_check_installs_a_missing_library_itself_as_root(tmp_path):
    """`make run` on a fresh machine needs no third command: the check installs WeasyPrint's libraries."""
    env, log = _fake_system(tmp_path, uid=0)
    done = subprocess.run(["sh", "scripts/check_prereqs.sh"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "libharfbuzz-subset0" in done.stdout and "WeasyPrint" in done.stdout
    calls = log.read_text().splitlines()
    assert calls[0].startswith("update")
    assert "install" in calls[1] and calls[1].endswith("libharfbuzz-subset0")


def test_prerequisite_check_names_the_command_where_it_cannot_install(tmp_path):
    env, log = _fake_system(tmp_path, uid=1000)
    env["NO_SUDO"] = "1"
    done = subprocess.run(["sh", "scripts/check_prereqs.sh"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "sudo apt-get install libharfbuzz-subset0" in done.stdout
    assert not log.exists()
