import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership, Role, Service, User
from referrals import nhs_number
from referrals.models import Parent, Referral
from referrals.states import ReferralStatus
from tooling import demo


def test_demo_data_refused_outside_demo_mode(db):
    with pytest.raises(CommandError, match="DEMO_MODE"):
        call_command("load_demo_data")


def test_demo_data_loads_every_role_and_is_idempotent(db, settings, capsys):
    settings.DEMO_MODE = True
    call_command("load_demo_data")
    call_command("load_demo_data")
    out = capsys.readouterr().out
    for username in ("admin", "coordinator", "practitioner", "trainee", "supervisor", "manager"):
        assert username in out
    assert Service.objects.count() == 5
    assert Membership.objects.filter(role=Role.PRACTITIONER, training_status="trainee").exists()
    assert (
        User.objects.get(username="trainee").memberships.get().practitioner_details.supervisor.username == "supervisor"
    )
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED, ReferralStatus.ALLOCATED} <= statuses
    assert Referral.objects.count() == len(demo.DEMO_FAMILIES)


def test_demo_families_use_the_999_test_range_only(db, settings):
    settings.DEMO_MODE = True
    call_command("load_demo_data")
    numbers = [n for n in Parent.objects.values_list("nhs_number", flat=True) if n]
    numbers += [n for n in Referral.objects.values_list("child_nhs_number", flat=True) if n]
    assert numbers and all(nhs_number.is_test_range(n) and nhs_number.is_valid(n) for n in numbers)


def test_every_seed_service_has_sites_sources_and_rules(services):
    for service in services:
        assert service.sites.exists(), service
        assert service.referral_sources.exists(), service
        assert service.eligibility_rules.exists(), service
        assert service.training_stage_targets.count() == 3
