"""CI must never pass by skipping: a missing service fails there and skips only on a developer's machine."""

import pytest

from tests import services


def test_missing_service_fails_in_ci(monkeypatch):
    monkeypatch.setattr(services, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI needs this service"):
        services.missing("Redis does not answer")


def test_missing_service_skips_locally(monkeypatch):
    monkeypatch.setattr(services, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception):
        services.missing("Redis does not answer")
