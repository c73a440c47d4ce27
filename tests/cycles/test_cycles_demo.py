"""The demo's families show VIG cycles at every point, made through the cycle actions."""

from datetime import timedelta

from django.core.management import call_command

from accounts.models import Role, User
from cycles.models import (
    Consent,
    ConsentDecision,
    ConsentItem,
    Cycle,
    Filming,
    HelpingQuestion,
    HelpingQuestionRating,
    Liaison,
    Visit,
)
from cycles.reads.consents import needs_own_consent
from cycles.reads.timeline import cycles_of, step_of
from referrals.models import Referral, ReferralEvent
from referrals.reads.caseloads import caseload_rows, my_caseload_allocations
from tests.cycles.helpers_cycles import today
from tooling import demo


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
        == Cycle.objects.filter(shared_reviews__isnull=False).count()
    )


def test_demo_sibling_aged_13_is_filmed_with_their_own_consent(db, settings):
    settings.DEMO_MODE = True
    call_command("load_demo_data")
    filming = Filming.objects.get(cycle__referral__parents__name="Leah Brooks")
    sibling = filming.filmed_children.get()
    assert needs_own_consent(sibling, filming.filmed_on)
    own = ConsentDecision.objects.filter(giver__other_child=sibling)
    assert own.filter(item=ConsentItem.FILMING, agreed=True).exists()
    assert own.filter(item=ConsentItem.TRAINING, agreed=False).exists()  # recorded as not agreed


def test_demo_consent_questions_visits_and_liaison_are_made_through_the_actions(db, settings):
    settings.DEMO_MODE = True
    call_command("load_demo_data")
    call_command("load_demo_data")  # still idempotent
    events = ReferralEvent.objects.values_list("kind", flat=True)
    assert events.filter(kind="consent_recorded").count() == Consent.objects.count() == 8
    assert events.filter(kind="helping_question_added").count() == HelpingQuestion.objects.count() == 7
    ratings = HelpingQuestionRating.objects.all()
    assert events.filter(kind="helping_question_rated").count() == ratings.count()
    assert set(ratings.filter(point="start").values_list("score", flat=True)) == {2}
    assert sorted(ratings.filter(point="end").values_list("question__referral__parents__name", flat=True)) == [
        "Olivia Grant",
        "Zoe Fletcher",
    ]
    assert events.filter(kind="visit_booked").count() == Visit.objects.count() == 35
    assert Liaison.objects.count() == len(demo.DEMO_CASEWORK)  # every allocated family's referrer was phoned


def test_demo_caseload_shows_visits_liaison_and_stages(db, settings):
    settings.DEMO_MODE = True
    call_command("load_demo_data")
    practitioner = User.objects.get(username="practitioner")
    rows = {
        row.referral.parents.all()[0].name: row
        for row in caseload_rows(my_caseload_allocations(practitioner, Role.PRACTITIONER))
    }
    assert rows["Amira Hassan"].liaison_done and rows["Amira Hassan"].next_visit == today() + timedelta(days=7)
    assert rows["Amira Hassan"].status == "Cycle 1: filming due"
    assert rows["Bethany Moss"].status == "Cycle 2: review due"
    assert rows["Bethany Moss"].last_contact == today() - timedelta(days=4)
    assert rows["Bethany Moss"].overdue_reasons[0] == "1 visit not yet recorded"
    assert rows["Olivia Grant"].status == "All cycles done"
    assert rows["Leah Brooks"].status == "Cycle 2: filming due"
