"""Password hashing that gives way to everyone else's pages.

A sign-in checks the password with PBKDF2-SHA256 at Django's iterations (1,000,000 in Django 5.2): about half a
second of one core, on purpose. Twenty people signing in at once (the start of a shift) would take both cores of a
small server for several seconds and every page would wait. This hasher computes exactly the same hash, same
algorithm name, iterations, salt and output as Django's `PBKDF2PasswordHasher` (so stored passwords are unchanged
and the strength is the same), but in a small pool of threads each running at a lower scheduling priority
(`PASSWORD_HASHING_NICE`, Linux `setpriority` on the thread). The hashing releases Python's lock while it runs, so
the other threads serve pages meanwhile, and the kernel gives the cores to pages first and to hashing the rest: a
sign-in during a busy minute takes longer, a page does not. `PASSWORD_HASHING_THREADS` bounds how many hashes a
worker process runs at once; the rest queue.
"""

import base64
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils.crypto import pbkdf2

logger = logging.getLogger(__name__)

_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None
_pool_lock = threading.Lock()


def _lower_priority() -> None:
    """Runs once in each pool thread: make this thread (only) give way to others on the same cores."""
    nice = getattr(settings, "PASSWORD_HASHING_NICE", 10)
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (AttributeError, OSError):  # not Linux, or not allowed: hash at normal priority
        logger.warning("Password hashing runs at normal priority: could not lower the thread's priority")


def hashing_pool() -> ThreadPoolExecutor:
    """This process's hashing threads, made on first use (a forked gunicorn worker makes its own)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(
                max_workers=getattr(settings, "PASSWORD_HASHING_THREADS", 2),
                thread_name_prefix="password-hashing",
                initializer=_lower_priority,
            )
            _pool_pid = os.getpid()
        return _pool


class GivingWayPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256, byte for byte, computed in a lower-priority thread (see the module)."""

    def encode(self, password, salt, iterations=None):
        """The same string Django's hasher returns for these arguments."""
        self._check_encode_args(password, salt)
        iterations = iterations or self.iterations
        digest = hashing_pool().submit(pbkdf2, password, salt, iterations, digest=self.digest).result()
        encoded = base64.b64encode(digest).decode("ascii").strip()
        return f"{self.algorithm}${iterations}${salt}${encoded}"
