"""Who may see a family: the object check (`has_permission(..., obj=referral)`, what a record page and every action
ask) and the SQL filter (`Referral.objects.visible_to`, what every list and every load by id asks) come from one
definition (`AllocationQuerySet.holding`). Here both are asked over every role × relationship, built through the
actions, and must agree with each other and with the answer written down below (hazard: visibility rule drift).
"""

from datetime import timedelta

import pytest

from accounts.models import Role, TrainingStatus
from accounts.permissions import Perm, forget_memberships, has_permission
from discharge import actions as discharge_actions
from governance import actions as governance_actions
from governance.models import RetentionReview, RetentionRule
from referrals import actions as referral_actions
from referrals.models import Referral
from tests.discharge.helpers_discharge import discharge
from tests.factories import UserFactory, staff
from tests.governance.helpers_governance import close_years_ago
from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.helpers import make_referral, today

pytestmark = pytest.mark.django_db

ROLES = ["coordinator", "manager", "service_admin", "practitioner", "supervisor", "trainee", "nobody"]
RELATIONSHIPS = [
    "own",  # allocated to the practitioner, at Peterborough
    "colleagues",  # allocated to a colleague, at Peterborough
    "other_site",  # allocated to the colleague, at Cambridgeshire
    "other_service",  # another service's family
    "trainees",  # allocated to the trainee, whose supervisor is the supervisor
    "discharged",  # the practitioner's, discharged
    "redischarged",  # the practitioner's, discharged, reopened, allocated to the colleague and discharged again
    "destroyed",  # closed long ago and destroyed under the retention rule: a tombstone is all that is left
]

# The coordinator works at Peterborough only; the manager and the service admin across the service.
EXPECTED = {
    "coordinator": {"own", "colleagues", "trainees", "discharged", "redischarged"},
    "manager": {"own", "colleagues", "other_site", "trainees", "discharged", "redischarged"},
    "service_admin": set(),  # staff and settings, never families' records
    "practitioner": {"own", "discharged"},  # not the family a colleague held at its second discharge
    "supervisor": {"trainees"},
    "trainee": {"trainees"},
    "nobody": set(),
}


@pytest.fixture
def world(service, other_service, peterborough, cambridgeshire):
    """Everyone and every family, made through the actions as the service would make them."""
    people = {
        "coordinator": staff("v_coordinator", service, Role.COORDINATOR, sites=[peterborough]),
        "manager": staff("v_manager", service, Role.MANAGER),
        "service_admin": staff("v_admin", service, Role.SERVICE_ADMIN),
        "practitioner": staff("v_practitioner", service, Role.PRACTITIONER, sites=[peterborough]),
        "supervisor": staff("v_supervisor", service, Role.SUPERVISOR),
        "trainee": staff(
            "v_trainee", service, Role.PRACTITIONER, sites=[peterborough], training_status=TrainingStatus.TRAINEE
        ),
        "nobody": UserFactory(username="v_nobody"),
    }
    lead = staff("v_lead", service, Role.COORDINATOR)  # does the set-up; not one of the roles compared
    colleague = staff("v_colleague", service, Role.PRACTITIONER, sites=[peterborough, cambridgeshire])
    for practitioner in (people["practitioner"], colleague):
        set_details(practitioner, service, lead, capacity=20)
    set_details(people["trainee"], service, lead, capacity=20, supervisor=people["supervisor"])
    received = {"date_received": today() - timedelta(days=90), "child_date_of_birth": today() - timedelta(days=120)}

    families = {
        "own": allocated_referral(service, lead, people["practitioner"], site=peterborough),
        "colleagues": allocated_referral(service, lead, colleague, site=peterborough),
        "other_site": elsewhere(service, lead, colleague, cambridgeshire),
        "other_service": make_referral(other_service, staff("v_other", other_service, Role.COORDINATOR)),
        "trainees": allocated_referral(service, lead, people["trainee"], site=peterborough),
    }
    families["discharged"] = allocated_referral(service, lead, people["practitioner"], site=peterborough, **received)
    discharge(families["discharged"], people["practitioner"])

    again = allocated_referral(service, lead, people["practitioner"], site=peterborough, **received)
    discharge(again, people["practitioner"])
    discharge_actions.reopen_family(referral=again, reason="The family asked for more help.", by=lead)
    referral_actions.allocate_referral(referral=again, practitioner=colleague, by=lead)
    discharge(again, colleague)
    families["redischarged"] = again

    RetentionRule.objects.create(service=service, basis="closure", years=2)
    gone = close_years_ago(make_referral(service, lead, site=peterborough), lead, 2)
    governance_actions.list_reviews_due()
    review = governance_actions.propose_destruction(
        review=RetentionReview.objects.get(referral=gone), by=lead_manager(service)
    )
    governance_actions.approve_destruction(review=review, by=people["manager"])
    families["destroyed"] = gone
    for user in people.values():
        forget_memberships(user)
    return people, {name: families[name].pk for name in RELATIONSHIPS}


def elsewhere(service, lead, practitioner, site):
    """A family at another site (outside the test postcode's catchment: accepted with a reason), allocated."""
    referral = make_referral(service, lead, site=site)
    referral_actions.triage_referral(referral=referral, decision="accept", override_reason="Moving there.", by=lead)
    referral_actions.allocate_referral(referral=referral, practitioner=practitioner, by=lead)
    return referral


def lead_manager(service):
    return staff("v_lead_manager", service, Role.MANAGER)


def seen_by_object_check(user, pk: int) -> bool:
    """As a record page and every action ask: the family as stored (if it still is), then the object check."""
    referral = Referral.objects.filter(pk=pk).first()
    return referral is not None and has_permission(user, Perm.REFERRAL_VIEW, obj=referral)


def seen_by_object_check_on_the_record(user, pk: int) -> bool:
    """As the record page asks: the family loaded with its details (allocations prefetched and annotated)."""
    referral = Referral.objects.with_record_details().filter(pk=pk).first()
    return referral is not None and has_permission(user, Perm.REFERRAL_VIEW, obj=referral)


def test_the_object_check_and_the_sql_filter_agree_over_every_role_and_relationship(world):
    people, families = world
    for role in ROLES:
        user = people[role]
        listed = set(Referral.objects.visible_to(user).filter(pk__in=families.values()).values_list("pk", flat=True))
        for relationship, pk in families.items():
            expected = relationship in EXPECTED[role]
            by_filter = pk in listed
            by_object = seen_by_object_check(user, pk)
            by_record = seen_by_object_check_on_the_record(user, pk)
            assert by_filter == by_object == by_record, f"{role} / {relationship}: the two definitions disagree"
            assert by_filter == expected, f"{role} / {relationship}: expected {'seen' if expected else 'hidden'}"


def test_the_destroyed_family_is_gone_and_the_reopened_one_is_held_by_its_last_practitioner(world):
    """The relationships the matrix rests on are what their names say."""
    people, families = world
    assert not Referral.objects.filter(pk=families["destroyed"]).exists()
    again = Referral.objects.get(pk=families["redischarged"])
    assert again.status == "discharged" and again.allocations.count() == 2
    assert again.case_practitioner_ids() == {again.allocations.last().practitioner_id}
    assert people["practitioner"].pk not in again.case_practitioner_ids()
