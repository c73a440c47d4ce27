from pathlib import Path

from accounts.management.commands.permissions_matrix import matrix_markdown
from accounts.models import Role
from accounts.permissions import ROLE_PERMISSIONS, Perm, has_permission
from referrals.models import Referral
from tests.referrals.helpers import make_referral

ROOT = Path(__file__).resolve().parents[2]


def test_docs_permission_matrix_matches_the_code():
    assert matrix_markdown() in (ROOT / "docs" / "permissions.md").read_text()


def test_every_role_has_a_permission_set_and_scope():
    from accounts.permissions import ROLE_SCOPE

    assert set(ROLE_PERMISSIONS) == set(Role) == set(ROLE_SCOPE)


def test_superuser_without_membership_has_no_rights(db):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert not any(has_permission(admin, perm) for perm in Perm)


def test_site_limited_coordinator_scoped_to_site(service, coordinator, site_coordinator, peterborough, cambridgeshire):
    here = make_referral(service, coordinator, site=peterborough)
    there = make_referral(service, coordinator, site=cambridgeshire)
    assert has_permission(site_coordinator, Perm.REFERRAL_TRIAGE, obj=here)
    assert not has_permission(site_coordinator, Perm.REFERRAL_TRIAGE, obj=there)
    assert list(Referral.objects.visible_to(site_coordinator)) == [here]


def test_coordinator_across_two_services(service, other_service, coordinator):
    from tests.factories import MembershipFactory

    MembershipFactory(user=coordinator, service=other_service, role=Role.COORDINATOR)
    from accounts.permissions import forget_memberships, services_with

    forget_memberships(coordinator)
    assert services_with(coordinator, Perm.REFERRAL_CREATE) == {service.pk, other_service.pk}


def test_visible_to_matches_has_permission_for_every_standing_user(
    service, coordinator, practitioner, manager, supervisor, other_coordinator, nobody
):
    referral = make_referral(service, coordinator)
    for user in (coordinator, practitioner, manager, supervisor, other_coordinator, nobody):
        in_list = Referral.objects.visible_to(user).filter(pk=referral.pk).exists()
        assert in_list == has_permission(user, Perm.REFERRAL_VIEW, obj=referral), user.username


def test_memberships_with_their_site_limits_in_one_query(
    service, other_service, coordinator, peterborough, cambridgeshire, django_assert_num_queries
):
    """`memberships_for` reads the memberships and their site limits in one statement (a row per limit): each
    membership once, in the model's order, with exactly its own sites; none for an unlimited one; an inactive
    membership's limits never lent to an active one."""
    from accounts.permissions import forget_memberships, memberships_for
    from tests.factories import MembershipFactory

    both = MembershipFactory(
        user=coordinator, service=service, role=Role.PRACTITIONER, sites=[peterborough, cambridgeshire]
    )
    one = MembershipFactory(user=coordinator, service=service, role=Role.SUPERVISOR, sites=[cambridgeshire])
    MembershipFactory(user=coordinator, service=service, role=Role.MANAGER, sites=[peterborough], is_active=False)
    other_site = other_service.sites.first()
    elsewhere = MembershipFactory(user=coordinator, service=other_service, role=Role.MANAGER, sites=[other_site])
    forget_memberships(coordinator)
    with django_assert_num_queries(1):
        found = memberships_for(coordinator)
        assert memberships_for(coordinator) is found
    expected = list(coordinator.memberships.active().select_related("service"))
    assert [m.pk for m in found] == [m.pk for m in expected]
    assert {m.pk: m.site_ids for m in found} == {
        **{m.pk: frozenset() for m in expected},
        both.pk: frozenset({peterborough.pk, cambridgeshire.pk}),
        one.pk: frozenset({cambridgeshire.pk}),
        elsewhere.pk: frozenset({other_site.pk}),
    }
    assert all(m.service.name and not hasattr(m, "limit_site_id") for m in found)
