"""The audit viewer's filters and its scope: only the viewer's services' families and staff, never a platform admin."""

import pytest

from accounts.models import AccessAction, AccessEvent, Role
from audit.forms import NOT_FOUND
from audit.reads import Filters, timeline
from tests.audit.helpers_audit import family, listed, page, viewed
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def setup(coordinator, practitioner, manager, other_coordinator):
    mine = family(coordinator.memberships.first().service, coordinator)
    neighbour = family(coordinator.memberships.first().service, coordinator)
    theirs = family(other_coordinator.memberships.first().service, other_coordinator)
    return {"mine": mine, "neighbour": neighbour, "theirs": theirs}


def test_family_filter_shows_views_lists_and_changes(login, setup, practitioner, manager):
    mine, neighbour = setup["mine"], setup["neighbour"]
    viewed(practitioner, mine)
    viewed(practitioner, neighbour)
    listed(practitioner, [neighbour.pk, mine.pk])
    response = page(login(manager), family=mine.reference)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert {row.family_reference for row in rows if row.family_id} == {mine.reference}
    assert any(row.action == AccessAction.VIEW and row.staff == "practitioner" for row in rows)
    assert any(row.families_shown and mine.pk in row.families_shown for row in rows)
    assert any(row.source == 1 for row in rows)  # the history: the referral was recorded
    assert not any(row.family_id == neighbour.pk for row in rows)


def test_family_filter_by_id(login, setup, practitioner, manager):
    viewed(practitioner, setup["mine"])
    rows = page(login(manager), family=str(setup["mine"].pk)).context["rows"]
    assert any(row.action == AccessAction.VIEW for row in rows)


@pytest.mark.parametrize("how", ["reference", "id"])
def test_another_services_family_is_not_found(login, setup, other_coordinator, manager, how):
    theirs = setup["theirs"]
    viewed(other_coordinator, theirs)
    response = page(login(manager), family=theirs.reference if how == "reference" else str(theirs.pk))
    assert response.status_code == 400
    assert NOT_FOUND in response.content.decode()
    assert response.context["rows"] == []


def test_unknown_family_gets_the_same_answer(login, setup, manager):
    response = page(login(manager), family="R999999")
    assert response.status_code == 400 and NOT_FOUND in response.content.decode()


def test_another_services_staff_cannot_be_chosen(login, setup, other_coordinator, manager):
    viewed(other_coordinator, setup["theirs"])
    response = page(login(manager), person=other_coordinator.pk)
    assert response.status_code == 400
    assert response.context["rows"] == []
    assert "other_coordinator" not in response.content.decode()


def test_person_filter_shows_what_they_opened(login, setup, practitioner, coordinator, manager):
    viewed(practitioner, setup["mine"])
    viewed(coordinator, setup["neighbour"])
    rows = page(login(manager), person=practitioner.pk).context["rows"]
    assert rows and {row.staff for row in rows} == {"practitioner"}
    assert {row.family_id for row in rows} == {setup["mine"].pk}


def test_a_shared_colleagues_work_elsewhere_is_hidden(login, setup, practitioner, other_service, manager):
    """Someone who works in both services: their view of the other service's family shows no family or path."""
    MembershipFactory(user=practitioner, service=other_service, role=Role.COORDINATOR)
    theirs = setup["theirs"]
    viewed(practitioner, theirs)
    listed(practitioner, [theirs.pk, setup["mine"].pk])
    response = page(login(manager), person=practitioner.pk)
    html = response.content.decode()
    assert theirs.reference not in html and f"/referrals/{theirs.pk}/" not in html
    view_row = next(row for row in response.context["rows"] if row.action == AccessAction.VIEW)
    assert view_row.hidden and view_row.family_id is None and view_row.path == ""
    list_row = next(row for row in response.context["rows"] if row.families_shown is not None and row.outside)
    assert list_row.families_shown == [setup["mine"].pk] and list_row.outside == 1


def test_date_range(login, setup, practitioner, manager):
    event = viewed(practitioner, setup["mine"])
    day = event.at.date()
    inside = page(login(manager), person=practitioner.pk, start=day.isoformat(), end=day.isoformat())
    assert any(row.id == event.pk and row.source == 0 for row in inside.context["rows"])
    later = page(login(manager), person=practitioner.pk, start=day.replace(year=day.year + 1).isoformat())
    assert later.context["rows"] == []
    backwards = page(login(manager), start=day.isoformat(), end=day.replace(year=day.year - 1).isoformat())
    assert backwards.status_code == 400


def test_unfiltered_page_shows_only_own_services_staff(login, setup, practitioner, other_coordinator, service_admin):
    viewed(practitioner, setup["mine"])
    viewed(other_coordinator, setup["theirs"])
    rows = page(login(service_admin)).context["rows"]
    assert "practitioner" in {row.staff for row in rows}
    assert "other_coordinator" not in {row.staff for row in rows}


def test_platform_admin_and_other_roles_see_nothing(client, login, setup, coordinator, practitioner):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    for user in (admin, coordinator, practitioner):
        assert page(login(user)).status_code == 403
        assert login(user).post("/audit/export/", {}).status_code == 403
    assert timeline(admin, Filters()) == ([], None)


def test_the_audit_page_is_itself_logged(login, setup, practitioner, manager):
    viewed(practitioner, setup["mine"])
    page(login(manager), family=setup["mine"].reference)
    row = AccessEvent.objects.filter(user_id=manager.pk, action=AccessAction.LIST).latest("pk")
    assert row.detail["list"] == "audit" and row.detail["family"] == setup["mine"].pk
    assert row.detail["ids_shown"] == [setup["mine"].pk]


def test_menu_link_only_for_those_who_may_audit(login, setup, manager, coordinator):
    assert 'href="/audit/"' in login(manager).get("/").content.decode()
    assert 'href="/audit/"' not in login(coordinator).get("/").content.decode()
