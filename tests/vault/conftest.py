"""Fixtures of the film vault tests."""

import pytest


@pytest.fixture
def small_segments(monkeypatch):
    """Segments of two 64 KiB chunks, so a few-second film spans several (resume and Range across segments)."""
    from vault import crypto

    monkeypatch.setattr(crypto, "CHUNKS_PER_SEGMENT", 2)
    monkeypatch.setattr(crypto, "SEGMENT", 2 * crypto.CHUNK)
