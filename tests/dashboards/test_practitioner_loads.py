"""The dashboard's caseloads table reads its own plain rows (`referrals.reads.caseloads.practitioner_loads`), not
`practitioners_in`'s model instances: they must agree with those on everything the table and the API show (a
practitioner with no details row gets the model's defaults, as `details_or_default` gives), and the page must read
no column it did not load (each would be a query of its own, one per practitioner)."""

from django.urls import reverse

from accounts.models import Membership, PractitionerDetails, Role
from dashboards.reads import dashboard
from referrals.reads.caseloads import practitioner_loads, practitioners_in
from tests.dashboards.test_figures import scope_for
from tests.factories import staff
from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.test_list_columns import refused  # noqa: F401 (the fixture)


def _practitioners(service, coordinator, practitioner, peterborough, cambridgeshire):
    """Three practitioners: one at Peterborough with details and a family, one at both sites with protected days,
    one with no details row at all (a bulk insert's) and no site limit."""
    set_details(practitioner, service, coordinator, capacity=6, protected_days=[0, 3])
    allocated_referral(service, coordinator, practitioner)
    both = staff("both_sites", service, Role.PRACTITIONER, sites=[peterborough, cambridgeshire])
    set_details(both, service, coordinator, capacity=2, protected_days=[4])
    bare = staff("no_details", service, Role.PRACTITIONER)
    PractitionerDetails.objects.filter(membership__user=bare).delete()
    return [practitioner, both, bare]


def _whole(memberships):
    return [
        (
            m.pk,
            m.user.pk,
            m.user.display_name,
            m.open_cases,
            m.details_or_default.capacity,
            sorted(m.details_or_default.protected_days),
            sorted(m.permission_site_ids() or []),
        )
        for m in memberships
    ]


def _loads(loads):
    return [
        (m.pk, m.user.id, str(m.user), m.open_cases, m.capacity, sorted(m.protected_days), sorted(m.site_ids))
        for m in loads
    ]


def test_the_loads_agree_with_the_whole_rows(service, coordinator, practitioner, peterborough, cambridgeshire):
    _practitioners(service, coordinator, practitioner, peterborough, cambridgeshire)
    loads = practitioner_loads([service.pk])
    assert len(loads) == 3
    assert _loads(loads) == _whole(practitioners_in([service.pk]))
    assert {str(m.user): m.open_cases for m in loads}[practitioner.display_name] == 1


def test_the_dashboard_reads_no_column_it_did_not_load(
    login,
    service,
    coordinator,
    manager,
    practitioner,
    peterborough,
    cambridgeshire,
    refused,  # noqa: F811
):
    _practitioners(service, coordinator, practitioner, peterborough, cambridgeshire)
    for site in (None, peterborough, cambridgeshire):
        figures = dashboard(scope_for(manager, service, site))
        assert figures["caseloads"]["practitioners"], site
    client = login(manager)
    assert client.get(reverse("dashboards:dashboard")).status_code == 200
    assert client.get(reverse("api:dashboard")).status_code == 200
    assert refused == []


def test_a_site_shows_only_its_practitioners_and_those_of_every_site(
    service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    at_peterborough, both, bare = _practitioners(service, coordinator, practitioner, peterborough, cambridgeshire)
    shown = {}
    for site in (peterborough, cambridgeshire):
        rows = dashboard(scope_for(manager, service, site))["caseloads"]["practitioners"]
        shown[site] = {r["membership"].user.id for r in rows}
    assert shown[peterborough] == {at_peterborough.pk, both.pk, bare.pk}
    assert shown[cambridgeshire] == {both.pk, bare.pk}
    assert Membership.objects.filter(service=service, role=Role.PRACTITIONER).count() == 3
