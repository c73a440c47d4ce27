"""Fixtures of the film vault tests."""

import pytest

# A Redis of the test's own and this process's Celery sending to it (the real-worker tests).
from tests.letters.test_letters_worker import broker, own_redis  # noqa: F401


@pytest.fixture
def small_segments(monkeypatch):
    """Segments of two 64 KiB chunks, so a few-second film spans several (resume and Range across segments)."""
    from vault import crypto

    monkeypatch.setattr(crypto, "CHUNKS_PER_SEGMENT", 2)
    monkeypatch.setattr(crypto, "SEGMENT", 2 * crypto.CHUNK)
