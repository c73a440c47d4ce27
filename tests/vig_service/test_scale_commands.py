"""seed_scale and benchmark: their refusals, and a small run of each so they cannot rot."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import PractitionerDetails
from referrals.models import Allocation, Parent, Referral
from referrals.nhs_number import is_test_range, is_valid
from referrals.states import ReferralStatus
from vig_service.benchmark import TARGETS, percentile
from vig_service.scale import NHSNumbers


def test_seed_scale_refuses_outside_demo_mode(db):
    with pytest.raises(CommandError, match="demo mode"):
        call_command("seed_scale", "--referrals", "10", "--i-know-this-is-throwaway")


def test_seed_scale_refuses_a_database_not_named_scale(db, settings, monkeypatch):
    settings.DEMO_MODE = True
    monkeypatch.setitem(connection.settings_dict, "NAME", "vig_service")  # the test database may end in _scale
    with pytest.raises(CommandError, match="does not look throw-away"):
        call_command("seed_scale", "--referrals", "10")
    assert not Referral.objects.exists()


def test_benchmark_refuses_outside_demo_mode(db):
    with pytest.raises(CommandError, match="demo mode"):
        call_command("benchmark", "--repeat", "1")


def test_scale_nhs_numbers_are_valid_distinct_and_in_the_test_range():
    numbers = [n for n, _ in zip(NHSNumbers(), range(5000), strict=False)]
    assert len(set(numbers)) == len(numbers)
    assert all(is_valid(n) and is_test_range(n) for n in numbers)


def test_percentile_is_a_real_request():
    assert percentile([float(n) for n in range(1, 31)], 95) == 29.0
    assert percentile([5.0], 95) == 5.0


@pytest.mark.slow
def test_seed_scale_then_benchmark_at_small_size(db, settings, tmp_path):
    settings.DEMO_MODE = True
    call_command("seed_scale", "--referrals", "500", "--practitioners", "20", "--i-know-this-is-throwaway")
    assert Referral.objects.count() == 500
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    assert all(is_test_range(n) for n in Parent.objects.exclude(nhs_number="").values_list("nhs_number", flat=True))
    active = Allocation.objects.active().count()
    assert 0 < active <= sum(PractitionerDetails.objects.values_list("capacity", flat=True))
    with pytest.raises(CommandError, match="already holds scale data"):
        call_command("seed_scale", "--referrals", "10", "--i-know-this-is-throwaway")

    out = tmp_path / "bench.json"
    call_command("benchmark", "--repeat", "2", "--json", str(out))
    results = json.loads(out.read_text())["results"]
    assert [r["name"] for r in results] == [t.name for t in TARGETS]
    assert all(r["status"] == 200 and r["queries"] > 0 for r in results)
