"""The sign-in hasher gives way to other pages without weakening anything: Django's PBKDF2, byte for byte."""

import os
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password
from django.test import override_settings

from accounts import hashers
from accounts.hashers import GivingWayPBKDF2PasswordHasher

HASHER = "accounts.hashers.GivingWayPBKDF2PasswordHasher"


def test_production_settings_keep_pbkdf2_sha256_at_djangos_iterations():
    """Outside tests the first (new-password) hasher is ours, under Django's algorithm name and iteration count."""
    source = Path(settings.BASE_DIR, "vig_service", "settings.py").read_text(encoding="utf-8")
    assert f'PASSWORD_HASHERS = [\n    "{HASHER}",' in source
    assert GivingWayPBKDF2PasswordHasher.algorithm == "pbkdf2_sha256"
    assert GivingWayPBKDF2PasswordHasher.iterations == PBKDF2PasswordHasher.iterations >= 1_000_000
    assert GivingWayPBKDF2PasswordHasher.digest is PBKDF2PasswordHasher.digest


@pytest.mark.parametrize("password", ["demo-vig-2026", "", "pässwörd with spaces ", "x" * 200])
def test_the_same_hash_as_djangos(password):
    """Same salt and iterations, same string: stored passwords stay valid both ways."""
    ours = GivingWayPBKDF2PasswordHasher().encode(password, "saltsaltsalt", iterations=1000)
    assert ours == PBKDF2PasswordHasher().encode(password, "saltsaltsalt", iterations=1000)


@override_settings(PASSWORD_HASHERS=[HASHER])
def test_checks_passwords_djangos_hasher_made_and_refuses_wrong_ones():
    """A hash made by Django's own hasher verifies with ours; near misses do not."""
    stored = PBKDF2PasswordHasher().encode("correct horse battery", "abcdefghijklmnop", iterations=2000)
    assert check_password("correct horse battery", stored)
    for wrong in ["correct horse battery ", "Correct horse battery", "correct horse batter", ""]:
        assert not check_password(wrong, stored)


@override_settings(PASSWORD_HASHERS=[HASHER])
def test_new_passwords_are_pbkdf2_sha256_at_full_strength():
    """make_password (set_password) writes Django's format at Django's iteration count."""
    algorithm, iterations, _salt, _hash = make_password("a new long password").split("$")
    assert (algorithm, int(iterations)) == ("pbkdf2_sha256", PBKDF2PasswordHasher.iterations)


def test_hashing_runs_in_a_lower_priority_thread(monkeypatch):
    """The work happens in the pool's thread, whose scheduling priority is lowered (Linux)."""
    seen = {}
    real = hashers.pbkdf2

    def spy(*args, **kwargs):
        seen["thread"] = threading.current_thread().name
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return real(*args, **kwargs)

    monkeypatch.setattr(hashers, "pbkdf2", spy)
    monkeypatch.setattr(hashers, "_pool", None)
    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    GivingWayPBKDF2PasswordHasher().encode("pw", "saltsaltsalt", iterations=10)
    assert seen["thread"].startswith("password-hashing")
    assert seen["nice"] == max(base, settings.PASSWORD_HASHING_NICE) > 0
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base  # the request's thread is untouched
