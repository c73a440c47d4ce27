"""`make run` and `make test` install ffmpeg when it is missing (scripts/check_prereqs.sh), or name the command."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def fake_system(tmp_path, uid):
    """A PATH where `id -u` says `uid`, apt-get only records its arguments, and ffmpeg is not installed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> {tmp_path}/apt-get.log\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FFMPEG_BINARY": "ffmpeg-that-is-not-installed",  # as vault.media names it
    }
    return env, tmp_path / "apt-get.log"


def test_a_missing_ffmpeg_is_installed_as_root_with_the_reason(tmp_path):
    env, log = fake_system(tmp_path, uid=0)
    done = subprocess.run(["sh", "scripts/check_prereqs.sh"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "film vault needs ffmpeg" in done.stdout
    calls = log.read_text().splitlines()
    assert calls[0].startswith("update")
    assert "install" in calls[1] and calls[1].endswith(" ffmpeg")


def test_without_root_or_sudo_the_command_is_named(tmp_path):
    env, log = fake_system(tmp_path, uid=1000)
    env["NO_SUDO"] = "1"
    done = subprocess.run(["sh", "scripts/check_prereqs.sh"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "sudo apt-get install ffmpeg" in done.stdout
    assert not log.exists()
