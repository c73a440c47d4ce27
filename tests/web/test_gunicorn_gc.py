"""gunicorn.conf.py's `post_worker_init` moves a loaded worker's long-lived objects out of the collector's
generations (`gc.freeze`), so full collections walk only what requests make (issue 20). Run in a process of its own,
as a worker would be: freezing this test process would change every later test's collections."""

import os
import subprocess
import sys
from pathlib import Path

from gunicorn.config import KNOWN_SETTINGS

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import gc, runpy
import django
django.setup()
from django.core.wsgi import get_wsgi_application
get_wsgi_application()
hooks = runpy.run_path("gunicorn.conf.py")
before = gc.get_freeze_count()
hooks["post_worker_init"](None)
print(before, gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_a_loaded_worker_freezes_what_it_holds():
    assert "post_worker_init" in {setting.name for setting in KNOWN_SETTINGS}  # gunicorn calls the hook by this name
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vig_service.settings", "TESTING": "1", "LOG_LEVEL": "WARNING"}
    found = subprocess.run(
        [sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    before, frozen, still_tracked = (int(n) for n in found[-3:])
    assert before == 0
    assert frozen > 50_000  # the app's modules, classes and URL patterns
    assert still_tracked < frozen / 10
