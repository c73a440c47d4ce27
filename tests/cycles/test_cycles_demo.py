"""The demo's families show VIG cycles at every point, made through the cycle actions."""

from django.core.management import call_command

from cycles.consents import needs_own_consent
from cycles.models import ConsentDecision, ConsentItem, Cycle, Filming
from cycles.timeline import cycles_of, step_of
from referrals.models import Referral, ReferralEvent
from tests.cycles.helpers_cycles import today


def _stages(parent_name: str) -> list[str]:
    referral = Referral.objects.get(parents__name=parent_name)
    return [step_of(cycle, today()).stage for cycle in cycles_of(referral)]


def test_demo_families_are_at_different_points_of_their_cycles(db, settings):
    settings.DEMO_MODE = True
    call_command("load_demo_data")
    call_command("load_demo_data")  # still idempotent
    assert _stages("Amira Hassan") == []  # consent only
    assert _stages("Bethany Moss") == ["reviewed", "clips_chosen"]  # mid cycle 2
    assert _stages("Olivia Grant") == ["reviewed"] * 3  # all planned cycles done
    trainee_family = Referral.objects.get(parents__name="Grace Okafor")
    assert trainee_family.active_allocation.practitioner.username == "trainee"
    assert trainee_family.active_allocation.supervisor.username == "supervisor"
    assert [step_of(c, today()).overdue for c in cycles_of(trainee_family)] == [False, True]
    assert (
        ReferralEvent.objects.filter(kind="shared_review_recorded").count()
        == Cycle.objects.filter(shared_review__isnull=False).count()
    )


def test_demo_sibling_aged_13_is_filmed_with_their_own_consent(db, settings):
    settings.DEMO_MODE = True
    call_command("load_demo_data")
    filming = Filming.objects.get(cycle__referral__parents__name="Leah Brooks")
    sibling = filming.filmed_children.get()
    assert needs_own_consent(sibling, filming.filmed_on)
    own = ConsentDecision.objects.filter(giver__other_child=sibling)
    assert own.filter(item=ConsentItem.FILMING, agreed=True).exists()
    assert not own.filter(item=ConsentItem.TRAINING).exists()
