"""The dashboard page, the lists behind its figures and their exports: who may see what, and what is logged."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent, Role
from tests.conftest import verify_session
from tests.dashboards.helpers_dashboards import caught_up, dashboard_url, known_service
from tests.factories import staff
from tests.referrals.allocation_helpers import accepted_referral


def test_manager_sees_the_dashboard(client, service, coordinator, manager, practitioner, peterborough, cambridgeshire):
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    verify_session(client, manager)
    response = client.get(reverse("dashboards:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="img"' in body and "<title" in body  # the charts, each with the table beside it
    assert "80.0%" in body
    assert AccessEvent.objects.filter(user_id=manager.pk, object_type="dashboards.dashboard").exists()


def test_coordinator_sees_the_dashboard(client, service, coordinator):
    verify_session(client, coordinator)
    assert client.get(reverse("dashboards:dashboard")).status_code == 200


def test_practitioner_gets_403(client, service, practitioner):
    verify_session(client, practitioner)
    for name in [
        "dashboards:dashboard",
        "dashboards:figure_list",
        "dashboards:figure_csv",
        "dashboards:commissioner_csv",
    ]:
        assert client.get(reverse(name)).status_code == 403


def test_other_service_manager_sees_none_of_this_service(
    client, service, other_service, coordinator, other_manager, practitioner, peterborough, cambridgeshire
):
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    verify_session(client, other_manager)
    response = client.get(dashboard_url(service))
    assert response.status_code == 200
    assert response.context["scope"].service == other_service
    assert response.context["figures"]["referrals_in"]["total"] == 0
    listed = client.get(f"{reverse('dashboards:figure_list')}?service={service.pk}&figure=received")
    assert listed.status_code == 400 and made["wait_7"].reference not in listed.content.decode()
    exported = client.get(f"{reverse('dashboards:figure_csv')}?service={service.pk}&figure=waiting")
    assert exported.status_code == 400 and made["wait_7"].reference not in exported.content.decode()
    returned = client.get(f"{reverse('dashboards:commissioner_csv')}?service={service.pk}")
    assert returned.status_code == 400 and service.name not in returned.content.decode()


def test_site_limited_manager_sees_only_their_site(
    client, service, coordinator, practitioner, peterborough, cambridgeshire
):
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    site_manager = staff("site_manager", service, Role.MANAGER, sites=[cambridgeshire])
    verify_session(client, site_manager)
    response = client.get(dashboard_url(service))
    assert response.context["figures"]["referrals_in"]["total"] == 1
    assert response.context["figures"]["waiting"]["total"] == 1
    assert response.context["figures"]["caseloads"]["practitioners"] == []  # the practitioner works in Peterborough
    chosen = client.get(dashboard_url(service, site=peterborough.pk))  # not theirs to choose: ignored
    assert chosen.context["figures"]["referrals_in"]["total"] == 1
    listed = client.get(f"{reverse('dashboards:figure_list')}?service={service.pk}&figure=received")
    assert listed.context["rows"] == [made["cambs_wait"]]


def test_figure_list_links_back_and_is_logged(
    client, service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    verify_session(client, manager)
    response = client.get(f"{reverse('dashboards:figure_list')}?service={service.pk}&figure=band:1–2 weeks")
    assert response.status_code == 200
    assert response.context["rows"] == [made["wait_7"]]
    event = AccessEvent.objects.filter(user_id=manager.pk, action=AccessAction.LIST).latest("pk")
    assert event.detail["ids_shown"] == [made["wait_7"].pk]
    assert client.get(f"{reverse('dashboards:figure_list')}?figure=nonsense").status_code == 404


def test_figure_csv_has_no_free_text_and_is_logged(
    client, service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    verify_session(client, manager)
    response = client.get(f"{reverse('dashboards:figure_csv')}?service={service.pk}&figure=declined")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "reference" and [r[0] for r in rows[1:]] == [made["declined"].reference]
    text = response.content.decode()
    for secret in ["Outside the age range", "Jane Example", "Baby Example", "Helen Visitor", "Postnatal depression"]:
        assert secret not in text
    event = AccessEvent.objects.get(user_id=manager.pk, action=AccessAction.EXPORT)
    assert event.detail["figure"] == "declined" and event.detail["ids_shown"] == [made["declined"].pk]


def test_commissioner_return_contents_and_log(
    client, service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    verify_session(client, manager)
    response = client.get(f"{reverse('dashboards:commissioner_csv')}?service={service.pk}")
    assert response.status_code == 200
    figures = dict(csv.reader(io.StringIO(response.content.decode())))
    assert figures["Service"] == service.name
    assert int(figures["Referrals received"]) >= 1  # the quarter so far holds at least the last few days' referrals
    assert figures["Discharged"] == "0" and figures["Discharged: Moved away"] == "0"
    assert "Jane Example" not in response.content.decode()
    event = AccessEvent.objects.get(user_id=manager.pk, action=AccessAction.EXPORT)
    assert event.object_type == "dashboards.commissioner_return" and event.detail["service"] == service.pk


def _dashboard_queries(client, service) -> int:
    caught_up()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(dashboard_url(service)).status_code == 200
    return len(queries)


def test_dashboard_query_count_does_not_grow(
    client, service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    verify_session(client, manager)
    small = _dashboard_queries(client, service)
    for _ in range(10):
        accepted_referral(service, coordinator, site=peterborough)
    assert _dashboard_queries(client, service) == small


def test_home_links_the_dashboard_only_for_those_who_may_open_it(client, manager, practitioner):
    verify_session(client, manager)
    assert 'id="dashboard-link"' in client.get(reverse("home")).content.decode()
    verify_session(client, practitioner)
    assert 'id="dashboard-link"' not in client.get(reverse("home")).content.decode()


def test_bad_filter_values_are_named_beside_their_field_and_never_break_the_page(client, service, manager):
    """A period that ends before it starts, impossible weeks and another service's site: 200, an error message
    naming the field, and the figures of the default choice (never a 500, never another site's figures)."""
    verify_session(client, manager)
    for params, field, message in [
        ({"start": "2026-06-01", "end": "2026-01-01"}, "end", "The end of the period must be on or after its start"),
        ({"weeks": "0"}, "weeks", "enter 1 or more"),
        ({"weeks": "53"}, "weeks", "enter 52 or less"),
        ({"weeks": "six"}, "weeks", "enter a whole number"),
        ({"start": "31-02-2026"}, "start", ""),
    ]:
        response = client.get(dashboard_url(service, **params))
        assert response.status_code == 200, params
        errors = response.context["form"].errors
        assert field in errors and message in " ".join(errors[field]), (params, errors)
        assert response.context["scope"].quiet_weeks == 6
        assert 'class="nhsuk-error-summary"' in response.content.decode()
    from accounts.models import Site

    other_site = Site.objects.exclude(service=service).first()
    response = client.get(dashboard_url(service, site=other_site.pk))
    assert response.status_code == 200 and response.context["scope"].site is None
    assert "site" in response.context["form"].errors
